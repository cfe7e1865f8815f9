"""Domain-event receivers: tell shopkeepers about their orders as they happen.

Senders fire the signals after their own commit, so a failure here (SMTP down, a bad row) is
logged and rolled back and never undoes or breaks the payment, completion or refund itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.extensions import db
from marketplace.money import format_rupiah
from marketplace.notifications.services import notify
from marketplace.signals import order_completed, order_paid, order_refunded

log = logging.getLogger(__name__)

SHOP_ORDERS_URL = "/shop/orders"


def _notify_shop_owner(order, kind: str, texts: Callable[[], tuple[str, str]], url: str) -> None:
    """Notify the owner of the order's shop in their own language, then commit."""
    try:
        owner = order.vendor.owner
        with force_locale(owner.locale or "id"):
            title, body = texts()
        notify(owner, kind, str(title), str(body), url=url)
        db.session.commit()
    except Exception:
        log.exception("could not notify the shop of order %s (%s)", getattr(order, "id", None), kind)
        db.session.rollback()


def _lines_summary(order) -> str:
    return "\n".join(f"- {line.quantity} × {line.name} ({format_rupiah(line.line_total)})"
                     for line in order.lines)


@order_paid.connect
def notify_shop_of_paid_order(order, **_kwargs) -> None:
    """A new paid order: the shop owner gets an in-app notification and an email."""
    def texts():
        title = _("Pesanan baru %(number)s sudah dibayar", number=order.number)
        body = _("Pesanan %(number)s senilai %(total)s sudah dibayar. Terima dan siapkan pesanan "
                 "di halaman Pesanan toko.", number=order.number, total=format_rupiah(order.total))
        return title, f"{body}\n\n{_lines_summary(order)}"
    _notify_shop_owner(order, "order_paid", texts, f"{SHOP_ORDERS_URL}?tab=paid")


@order_completed.connect
def notify_shop_of_completed_order(order, **_kwargs) -> None:
    """The buyer confirmed receipt: the order's money is now available for the next payout."""
    def texts():
        return (_("Pesanan %(number)s selesai", number=order.number),
                _("Pembeli telah menerima pesanan %(number)s. Hasil penjualannya kini tersedia "
                  "untuk pembayaran berikutnya.", number=order.number))
    _notify_shop_owner(order, "order_completed", texts, "/shop/payouts")


@order_refunded.connect
def notify_shop_of_refund(order, **kwargs) -> None:
    """Finance refunded (part of) an order: the shop learns the amount and the reason."""
    refund = kwargs.get("refund")
    amount = getattr(refund, "amount", None)

    def texts():
        return (_("Refund pada pesanan %(number)s", number=order.number),
                _("Refund %(amount)s untuk pesanan %(number)s. Alasan: %(reason)s",
                  amount=format_rupiah(amount), number=order.number,
                  reason=getattr(refund, "reason", "") or "-"))
    _notify_shop_owner(order, "order_refunded", texts, SHOP_ORDERS_URL)
