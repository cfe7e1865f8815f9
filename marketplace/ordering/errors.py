"""Errors of the ordering area, named after the condition (one hierarchy: marketplace.errors)."""

from marketplace.errors import BadRequest, Conflict, ValidationFailed


class IdempotencyKeyRequired(BadRequest):
    code, message = (
        "idempotency_key_required",
        "Send an Idempotency-Key header (at most 255 characters).",
    )


class IdempotencyInProgress(Conflict):
    code, message = (
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still running; retry shortly.",
    )


class CheckoutExpired(Conflict):
    code, message = (
        "checkout_expired",
        "This checkout stopped before its payment was opened and its orders closed meanwhile.",
    )


class EmptyCart(ValidationFailed):
    code, message = "empty_cart", "The cart is empty."


class ProductUnavailable(Conflict):
    code, message = "product_unavailable", "A product in the cart is no longer sold."


class NotRefundable(Conflict):
    code, message = "not_refundable", "This order cannot be refunded in its current status."
