"""Domain-event receivers: tell shopkeepers and buyers about their orders as they happen.

Senders fire the signals after their own commit, so a failure here (SMTP down, a bad row) is
logged and rolled back and never undoes or breaks the payment, completion or refund itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.city import rupiah
from marketplace.extensions import db
from marketplace.notifications.services import notify
from marketplace.signals import (
    order_accepted,
    order_completed,
    order_delivered,
    order_paid,
    order_ready,
    order_refunded,
    order_rejected,
)

log = logging.getLogger(__name__)

SHOP_ORDERS_URL = "/shop/orders"
BUYER_ORDER_URL = "/orders"
OFFICE_URL = "/opd"


def _notify(
    order,
    who: str,
    recipient: Callable[[], object],
    kind: str,
    texts: Callable[[], tuple[str, str]],
    url: str,
) -> None:
    """Notify `recipient()` in their own language, then commit; a failure is logged, never raised."""
    try:
        user = recipient()
        with force_locale(user.locale or "id"):
            title, body = texts()
        notify(user, kind, str(title), str(body), url=url)
        db.session.commit()
    except Exception:
        log.exception(
            "could not notify the %s of order %s (%s)", who, getattr(order, "id", None), kind
        )
        db.session.rollback()


def _notify_shop_owner(order, kind: str, texts: Callable[[], tuple[str, str]], url: str) -> None:
    """Notify the owner of the order's shop in their own language, then commit."""
    _notify(order, "shop", lambda: order.vendor.owner, kind, texts, url)


def _notify_buyer(order, kind: str, texts: Callable[[], tuple[str, str]]) -> None:
    """Notify the order's buyer in their own language, linking to the order; then commit."""
    _notify(order, "buyer", lambda: order.buyer, kind, texts, f"{BUYER_ORDER_URL}/{order.id}")


def _lines_summary(order) -> str:
    return "\n".join(
        f"- {line.quantity} × {line.name} ({rupiah(line.line_total)})" for line in order.lines
    )


@order_paid.connect
def notify_shop_of_paid_order(order, **_kwargs) -> None:
    """A new paid order: the shop owner gets an in-app notification and an email."""

    def texts():
        title = _("Pesanan baru %(number)s sudah dibayar", number=order.number)
        body = _(
            "Pesanan %(number)s senilai %(total)s sudah dibayar. Terima dan siapkan pesanan "
            "di halaman Pesanan toko.",
            number=order.number,
            total=rupiah(order.total),
        )
        return title, f"{body}\n\n{_lines_summary(order)}"

    _notify_shop_owner(order, "order_paid", texts, f"{SHOP_ORDERS_URL}?tab=paid")


@order_completed.connect
def notify_shop_of_completed_order(order, **_kwargs) -> None:
    """The buyer confirmed receipt: the order's money is now available for the next payout."""

    def texts():
        return (
            _("Pesanan %(number)s selesai", number=order.number),
            _(
                "Pembeli telah menerima pesanan %(number)s. Hasil penjualannya kini tersedia "
                "untuk pembayaran berikutnya.",
                number=order.number,
            ),
        )

    _notify_shop_owner(order, "order_completed", texts, "/shop/payouts")


@order_refunded.connect
def notify_shop_of_refund(order, **kwargs) -> None:
    """Finance refunded (part of) an order: the shop learns the amount and the reason."""
    refund = kwargs.get("refund")
    amount = getattr(refund, "amount", None)

    def texts():
        return (
            _("Refund pada pesanan %(number)s", number=order.number),
            _(
                "Refund %(amount)s untuk pesanan %(number)s. Alasan: %(reason)s",
                amount=rupiah(amount),
                number=order.number,
                reason=getattr(refund, "reason", "") or "-",
            ),
        )

    _notify_shop_owner(order, "order_refunded", texts, SHOP_ORDERS_URL)


# ----------------------------------------------------------------- the buyer
@order_accepted.connect
def notify_buyer_of_accepted_order(order, **_kwargs) -> None:
    """The shop accepted the order: the buyer learns it is being prepared."""

    def texts():
        return (
            _("Pesanan %(number)s diterima toko", number=order.number),
            _(
                "%(shop)s telah menerima pesanan %(number)s dan sedang menyiapkannya.",
                shop=order.vendor.name,
                number=order.number,
            ),
        )

    _notify_buyer(order, "order_accepted", texts)


@order_ready.connect
def notify_buyer_of_ready_order(order, **_kwargs) -> None:
    """The order is ready: to be picked up at the shop, or on its way for delivery."""

    def texts():
        if order.fulfilment == "delivery":
            return (
                _("Pesanan %(number)s siap dikirim", number=order.number),
                _(
                    "Pesanan %(number)s dari %(shop)s siap dikirim ke alamat Anda. Konfirmasi "
                    "penerimaan setelah barang Anda terima.",
                    number=order.number,
                    shop=order.vendor.name,
                ),
            )
        return (
            _("Pesanan %(number)s siap diambil", number=order.number),
            _(
                "Pesanan %(number)s siap diambil di %(shop)s. Konfirmasi penerimaan setelah "
                "barang Anda terima.",
                number=order.number,
                shop=order.vendor.name,
            ),
        )

    _notify_buyer(order, "order_ready", texts)


@order_delivered.connect
def notify_office_of_delivered_order(order, **_kwargs) -> None:
    """An office's order was handed over: its officer (the buyer) confirms it with a BAST."""

    def texts():
        return (
            _("Pesanan %(number)s telah diserahkan", number=order.number),
            _(
                "%(shop)s mencatat penyerahan pesanan %(number)s pada %(day)s kepada %(who)s. "
                "Periksa barangnya lalu konfirmasi penerimaan dengan BAST.",
                shop=order.vendor.name,
                number=order.number,
                day=str(order.delivered_on),
                who=order.delivery_received_by,
            ),
        )

    _notify(order, "office", lambda: order.buyer, "order_delivered", texts, OFFICE_URL)


@order_rejected.connect
def notify_buyer_of_rejected_order(order, **kwargs) -> None:
    """The shop turned the order down: the buyer learns why and that the money comes back in full."""
    refund = kwargs.get("refund")
    amount = getattr(refund, "amount", None) or order.refunded_total

    def texts():
        return (
            _("Pesanan %(number)s ditolak toko", number=order.number),
            _(
                "%(shop)s menolak pesanan %(number)s. Dana sebesar %(amount)s dikembalikan "
                "penuh ke metode pembayaran Anda. Alasan: %(reason)s",
                shop=order.vendor.name,
                number=order.number,
                reason=kwargs.get("reason") or order.status_reason or "-",
                amount=rupiah(amount),
            ),
        )

    _notify_buyer(order, "order_rejected", texts)


@order_refunded.connect
def notify_buyer_of_refund(order, **kwargs) -> None:
    """Money went back to the buyer: the amount and the reason.

    A rejection already told the buyer about its full refund, so that one is not repeated.
    """
    if order.status == "rejected":
        return
    refund = kwargs.get("refund")
    amount = getattr(refund, "amount", None)

    def texts():
        return (
            _("Dana pesanan %(number)s dikembalikan", number=order.number),
            _(
                "Dana sebesar %(amount)s untuk pesanan %(number)s dikembalikan ke metode "
                "pembayaran Anda. Alasan: %(reason)s",
                amount=rupiah(amount),
                number=order.number,
                reason=getattr(refund, "reason", "") or "-",
            ),
        )

    _notify_buyer(order, "order_refunded", texts)
