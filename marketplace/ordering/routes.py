"""HTTP routes of the ordering area for buyers and shops: the JSON API (cart, checkout, orders,
refunds of an order, the shop's orders) and the buyer's pages (cart, checkout, orders).

Finance's routes are in `finance_routes`, the admin's (fair-share caps) in `admin_routes`."""

from __future__ import annotations

import uuid

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.api import Page, endpoint, page_args, require_role
from marketplace.documents import send_pdf
from marketplace.errors import ValidationFailed
from marketplace.ordering import (  # the finance and admin routes register on import
    admin_routes,  # noqa: F401
    bp,
    credit_notes,
    finance_routes,  # noqa: F401
    lifecycle,
    queries,
)
from marketplace.ordering import cart as buyer_cart
from marketplace.ordering.checkout import place_checkout
from marketplace.ordering.schemas import (
    CartQuantityBody,
    CartSchema,
    CheckoutBody,
    CheckoutSchema,
    DeliveryBody,
    OrderSchema,
    OrdersQuery,
    ReasonBody,
    RefundSchema,
)
from marketplace.pages import page_arg
from marketplace.payments.providers import available_methods
from marketplace.payments.queries import payment_for_order
from marketplace.security import safe_referrer

BUYERS = ("civil_servant", "public")
ALL_ORDER_ROLES = ("civil_servant", "public", "vendor", "finance", "admin")


# ================================================================= API: cart and checkout
@endpoint(bp, "/cart", summary="The buyer's cart", roles=BUYERS, response=CartSchema)
def get_cart():
    """The caller's cart grouped by vendor, with warnings for lines that can no longer be bought."""
    return buyer_cart.get_cart(require_role(*BUYERS))


@endpoint(
    bp,
    "/cart/items/<int:product_id>",
    "PUT",
    summary="Set a cart line's quantity",
    roles=BUYERS,
    body=CartQuantityBody,
    response=CartSchema,
    errors=[404, 409],
)
def put_cart_item(product_id, data):
    """Set the quantity (0 removes); 404 unknown/unlisted, 409 out_of_stock / vendor_cap_reached."""
    return buyer_cart.set_cart_quantity(require_role(*BUYERS), product_id, data["quantity"])


@endpoint(
    bp,
    "/cart/items/<int:product_id>",
    "DELETE",
    summary="Remove a cart line",
    roles=BUYERS,
    response=CartSchema,
)
def delete_cart_item(product_id):
    """Remove one product from the caller's cart."""
    return buyer_cart.remove_cart_item(require_role(*BUYERS), product_id)


@endpoint(
    bp,
    "/checkout",
    "POST",
    summary="Check out the cart (Idempotency-Key required)",
    roles=BUYERS,
    body=CheckoutBody,
    response=CheckoutSchema,
    status=201,
    errors=[400, 409, 422],
)
def checkout(data):
    """One order per vendor under one payment; a retry with the same Idempotency-Key replays the
    first answer, another body → 422 idempotency_conflict."""
    result = place_checkout(require_role(*BUYERS), request.headers.get("Idempotency-Key"), data)
    response = jsonify(result.response_body)
    response.status_code = result.response_status
    return response


# ================================================================= API: orders
@endpoint(
    bp,
    "/orders",
    summary="Orders the caller may see",
    roles=ALL_ORDER_ROLES,
    query=OrdersQuery,
    response=OrderSchema,
    paginated=True,
)
def list_orders(args):
    """Buyer: own orders; vendor: own shop's; finance/admin: all. Filter with ?status=."""
    page, per_page = page_args(args)
    return queries.list_orders(
        require_role(*ALL_ORDER_ROLES), status=args.get("status"), page=page, per_page=per_page
    )


@endpoint(
    bp, "/orders/<int:order_id>", summary="One order", roles=ALL_ORDER_ROLES, response=OrderSchema
)
def get_order(order_id):
    """The order with its lines and status timeline; another user's or shop's order → 404."""
    return queries.get_order(require_role(*ALL_ORDER_ROLES), order_id)


@endpoint(
    bp,
    "/orders/<int:order_id>/cancel",
    "POST",
    summary="Cancel an order (buyer)",
    roles=BUYERS,
    response=OrderSchema,
    errors=[409],
)
def cancel_order(order_id):
    """Cancel before the shop accepts: stock back, a full refund when paid; 409 otherwise."""
    return lifecycle.cancel_order(require_role(*BUYERS), order_id)


@endpoint(
    bp,
    "/orders/<int:order_id>/confirm-receipt",
    "POST",
    summary="Confirm receipt (BAST)",
    roles=BUYERS,
    response=OrderSchema,
    errors=[409],
)
def confirm_receipt(order_id):
    """The buyer received a ready order: it becomes completed; 409 when not ready."""
    return lifecycle.confirm_receipt(require_role(*BUYERS), order_id)


@endpoint(
    bp,
    "/orders/<int:order_id>/refunds",
    summary="Refunds of an order",
    roles=ALL_ORDER_ROLES,
    response=RefundSchema,
    many=True,
)
def list_refunds(order_id):
    """The refunds of one order the caller may see."""
    return queries.list_refunds(require_role(*ALL_ORDER_ROLES), order_id)


# ================================================================= API: vendor orders
@endpoint(
    bp,
    "/vendor/orders",
    summary="The shop's orders",
    roles=("vendor",),
    query=OrdersQuery,
    response=OrderSchema,
    paginated=True,
    tag="vendor",
)
def vendor_orders(args):
    """The caller's shop's paid orders, newest first; filter with ?status=. Orders never paid
    (pending_payment, expired, cancelled before paying) are not listed."""
    page, per_page = page_args(args)
    return queries.list_shop_orders(
        require_role("vendor"), status=args.get("status"), page=page, per_page=per_page
    )


@endpoint(
    bp,
    "/vendor/orders/<int:order_id>",
    summary="One of the shop's orders",
    roles=("vendor",),
    response=OrderSchema,
    errors=[404],
    tag="vendor",
)
def vendor_order(order_id):
    """One order of the caller's shop; another shop's order → 404."""
    return queries.get_order(require_role("vendor"), order_id)


@endpoint(
    bp,
    "/vendor/orders/<int:order_id>/accept",
    "POST",
    summary="Accept a paid order",
    roles=("vendor",),
    response=OrderSchema,
    errors=[409],
    tag="vendor",
)
def vendor_accept(order_id):
    """paid → accepted; another shop's order → 404; 409 invalid_transition."""
    return lifecycle.accept_order(require_role("vendor"), order_id)


@endpoint(
    bp,
    "/vendor/orders/<int:order_id>/reject",
    "POST",
    summary="Reject a paid order",
    roles=("vendor",),
    body=ReasonBody,
    response=OrderSchema,
    errors=[409],
    tag="vendor",
)
def vendor_reject(order_id, data):
    """paid → rejected with a reason: full refund, stock back; 409 invalid_transition."""
    return lifecycle.reject_order(require_role("vendor"), order_id, data["reason"].strip())


@endpoint(
    bp,
    "/vendor/orders/<int:order_id>/ready",
    "POST",
    summary="Mark an order ready",
    roles=("vendor",),
    response=OrderSchema,
    errors=[409],
    tag="vendor",
)
def vendor_ready(order_id):
    """accepted → ready (for pickup or delivery); 409 invalid_transition."""
    return lifecycle.mark_order_ready(require_role("vendor"), order_id)


@endpoint(
    bp,
    "/vendor/orders/<int:order_id>/deliver",
    "POST",
    summary="Record the delivery of an office's order",
    roles=("vendor",),
    body=DeliveryBody,
    response=OrderSchema,
    errors=[409],
    tag="vendor",
)
def vendor_deliver(order_id, data):
    """An office's order on invoice, accepted or ready → delivered, with the day and who received
    it; another shop's order → 404; a person's order or another status → 409 invalid_transition."""
    return lifecycle.record_delivery(
        require_role("vendor"),
        order_id,
        delivered_on=data["delivered_on"],
        received_by=data["received_by"],
        note=data.get("note"),
    )


# ================================================================= pages
def _int_field(
    name: str, default: int | None = None, *, minimum: int = 0, maximum: int = 999
) -> int:
    raw = request.form.get(name, "")
    if raw == "" and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(
            _("Jumlah harus angka."), details={name: [_("Jumlah harus angka.")]}
        ) from None
    if not minimum <= value <= maximum:
        raise ValidationFailed(_("Jumlah harus antara %(a)s dan %(b)s.", a=minimum, b=maximum))
    return value


@bp.get("/cart")
def cart_page():
    """The buyer's cart: quantities editable, totals per vendor, warnings, checkout button."""
    user = require_role(*BUYERS)
    return render_template("ordering/cart.html", cart=buyer_cart.get_cart(user))


@bp.post("/cart/items/<int:product_id>")
def cart_add(product_id):
    """ "Tambah ke keranjang" from a product page; goes back there with a message."""
    user = require_role(*BUYERS)
    buyer_cart.add_to_cart(user, product_id, _int_field("quantity", 1, minimum=1))
    flash(_("Ditambahkan ke keranjang."), "success")
    return redirect(safe_referrer(request.referrer, request.host, url_for("ordering.cart_page")))


@bp.post("/cart/items/<int:product_id>/quantity")
def cart_update(product_id):
    """Change a line's quantity from the cart page (0 removes it)."""
    user = require_role(*BUYERS)
    buyer_cart.set_cart_quantity(user, product_id, _int_field("quantity"))
    flash(_("Keranjang diperbarui."), "success")
    return redirect(url_for("ordering.cart_page"))


@bp.post("/cart/items/<int:product_id>/remove")
def cart_remove(product_id):
    """Remove a line from the cart page."""
    buyer_cart.remove_cart_item(require_role(*BUYERS), product_id)
    flash(_("Produk dihapus dari keranjang."), "success")
    return redirect(url_for("ordering.cart_page"))


@bp.get("/checkout")
def checkout_page():
    """Choose pickup or delivery and a payment method; the form carries a fresh Idempotency-Key
    so a double submit places one checkout."""
    user = require_role(*BUYERS)
    cart = buyer_cart.get_cart(user)
    if not cart["items"]:
        flash(_("Keranjang masih kosong."), "warning")
        return redirect(url_for("ordering.cart_page"))
    return render_template(
        "ordering/checkout.html",
        cart=cart,
        methods=available_methods(),
        idempotency_key=uuid.uuid4().hex,
    )


@bp.post("/checkout")
def checkout_submit():
    """Place the checkout from the form, then go to the payment page."""
    user = require_role(*BUYERS)
    form = request.form
    data = {
        "fulfilment": form.get("fulfilment", "pickup"),
        "address": (form.get("address") or "").strip() or None,
        "payment_method": form.get("payment_method", "sandbox"),
    }
    errors = CheckoutBody().validate(data)
    if errors:
        raise ValidationFailed(_("Periksa isian checkout."), details=errors)
    result = place_checkout(user, form.get("idempotency_key"), data)
    if result.response_status != 201:
        flash(
            (result.response_body or {}).get("error", {}).get("message")
            or _("Pembayaran tidak dapat dibuat."),
            "error",
        )
        return redirect(url_for("ordering.cart_page"))
    return redirect(
        url_for("payments.payment_page", payment_id=result.response_body["payment"]["id"])
    )


@bp.get("/orders")
def orders_page():
    """The buyer's orders, newest first, filterable by status, paginated."""
    user = require_role(*BUYERS)
    from marketplace.ordering.models import ORDER_STATUSES

    status = request.args.get("status")
    status = status if status in ORDER_STATUSES else None
    result: Page = queries.list_orders(
        user, status=status, page=page_arg(request.args), per_page=10
    )
    return render_template(
        "ordering/orders.html", page=result, status=status, statuses=ORDER_STATUSES
    )


@bp.get("/orders/<int:order_id>")
def order_page(order_id):
    """One order with its lines, status timeline and the buyer's actions."""
    user = require_role(*BUYERS)
    order = queries.get_order(user, order_id)
    return render_template(
        "ordering/order.html",
        order=order,
        payment=payment_for_order(order),
        refunds=queries.list_refunds(user, order_id),
    )


@bp.post("/orders/<int:order_id>/cancel")
def order_cancel(order_id):
    """Cancel from the order page (after a confirmation prompt)."""
    order = lifecycle.cancel_order(require_role(*BUYERS), order_id)
    flash(_("Pesanan %(n)s dibatalkan.", n=order.number), "success")
    return redirect(url_for("ordering.order_page", order_id=order_id))


@bp.post("/orders/<int:order_id>/confirm-receipt")
def order_confirm_receipt(order_id):
    """Confirm receipt (BAST) from the order page."""
    order = lifecycle.confirm_receipt(require_role(*BUYERS), order_id)
    flash(_("Terima kasih! Pesanan %(n)s selesai.", n=order.number), "success")
    return redirect(url_for("ordering.order_page", order_id=order_id))


# ================================================================= credit notes (nota retur)
@bp.get("/refunds/<int:refund_id>/nota-retur")
def credit_note_page(refund_id):
    """The nota retur of a refund of a PKP shop's sale, for the buyer, the shop and finance;
    404 for anyone else and when the shop is not PKP."""
    note = credit_notes.get_credit_note(require_role(*ALL_ORDER_ROLES), refund_id)
    return render_template("ordering/credit_note.html", note=note)


@bp.get("/refunds/<int:refund_id>/nota-retur.pdf")
def credit_note_pdf(refund_id):
    """The same nota retur as a PDF download."""
    note = credit_notes.get_credit_note(require_role(*ALL_ORDER_ROLES), refund_id)
    return send_pdf(credit_notes.credit_note_pdf(note), f"{note.number}.pdf")
