"""HTTP routes of the payments area: payment reads, the sandbox confirmation, the Stripe webhook
and the payment page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.api import endpoint, require_role
from marketplace.errors import NotFound
from marketplace.payments import bp, queries, services
from marketplace.payments.schemas import PaymentSchema, SandboxConfirmBody

BUYERS = ("civil_servant", "public")


@endpoint(
    bp,
    "/payments/<int:payment_id>",
    summary="One payment",
    roles=("civil_servant", "public", "finance", "admin"),
    response=PaymentSchema,
)
def get_payment(payment_id):
    """The caller's own payment (finance and admin: any); 404 otherwise."""
    user = require_role("civil_servant", "public", "finance", "admin")
    return queries.payment_dict(queries.get_payment(user, payment_id))


@endpoint(
    bp,
    "/payments/<int:payment_id>/sandbox-confirm",
    "POST",
    summary="Pay in the sandbox",
    roles=BUYERS,
    body=SandboxConfirmBody,
    response=PaymentSchema,
    errors=[409],
)
def sandbox_confirm(payment_id, data):
    """The buyer settles a sandbox payment: `succeeded` marks its orders paid. 404 when not
    theirs or when the sandbox is disabled."""
    payment = services.confirm_sandbox_payment(require_role(*BUYERS), payment_id, data["outcome"])
    return queries.payment_dict(payment)


@endpoint(bp, "/webhooks/stripe", "POST", summary="Stripe webhook", public=True, errors=[400])
def stripe_webhook():
    """Signature-verified on the raw body; each event id takes effect once (CSRF-exempt)."""
    return services.handle_stripe_webhook(
        request.get_data(), request.headers.get("Stripe-Signature")
    )


@bp.get("/payments/<int:payment_id>")
def payment_page(payment_id):
    """Pay a checkout: sandbox buttons, or the Stripe Payment Element when configured."""
    user = require_role(*BUYERS)
    payment = queries.get_payment(user, payment_id)
    return render_template(
        "payments/pay.html",
        payment=payment,
        orders=payment.checkout.orders,
        sandbox_enabled=bool(current_app.config.get("PAYMENT_SANDBOX_ENABLED")),
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
    )


@bp.post("/payments/<int:payment_id>/sandbox")
def sandbox_confirm_page(payment_id):
    """The sandbox "Bayar" / "Gagalkan" buttons."""
    outcome = request.form.get("outcome")
    if outcome not in ("succeeded", "failed"):
        raise NotFound()
    payment = services.confirm_sandbox_payment(require_role(*BUYERS), payment_id, outcome)
    if payment.status == "succeeded":
        flash(_("Pembayaran berhasil. Pesanan Anda sudah diteruskan ke toko."), "success")
        return redirect(url_for("ordering.orders_page"))
    flash(_("Pembayaran gagal. Silakan coba lagi sebelum pesanan kedaluwarsa."), "error")
    return redirect(url_for("payments.payment_page", payment_id=payment_id))
