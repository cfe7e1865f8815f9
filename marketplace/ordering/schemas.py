"""Input and output shapes of carts, checkouts, orders, refunds and caps (shape only; rules are in
services)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from marketplace.api import PageQuery, UtcDateTime
from marketplace.ordering.models import ORDER_STATUSES
from marketplace.ordering.rules import MAX_CART_QUANTITY


def _no_bool(data, *names):
    if isinstance(data, dict):
        for name in names:
            if isinstance(data.get(name), bool):
                raise ValidationError({name: ["Not a valid integer."]})
    return data


def _not_blank(value: str) -> None:
    if not value or not value.strip():
        raise ValidationError("Wajib diisi.")


# ---------------------------------------------------------------- input
class CartQuantityBody(Schema):
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_CART_QUANTITY)
    )

    @pre_load
    def _reject_bool(self, data, **kwargs):
        return _no_bool(data, "quantity")


class CheckoutBody(Schema):
    fulfilment = fields.String(required=True, validate=validate.OneOf(("pickup", "delivery")))
    address = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    payment_method = fields.String(required=True, validate=validate.OneOf(("sandbox", "stripe")))

    @validates_schema
    def _address_for_delivery(self, data, **kwargs):
        if data.get("fulfilment") == "delivery" and not (data.get("address") or "").strip():
            raise ValidationError({"address": ["Alamat wajib diisi untuk pengantaran."]})


class ReasonBody(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=1000), _not_blank])


class DeliveryBody(Schema):
    """The shop's record of handing an office's order over."""

    delivered_on = fields.Date(required=True, metadata={"description": "the day of the hand-over"})
    received_by = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=120), _not_blank],
        metadata={"description": "who at the office received it"},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RefundLineBody(Schema):
    order_line_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1, max=10**6))
    amount = fields.Integer(strict=True, validate=validate.Range(min=1, max=10**13))

    @pre_load
    def _reject_bool(self, data, **kwargs):
        return _no_bool(data, "order_line_id", "quantity", "amount")

    @validates_schema
    def _quantity_or_amount(self, data, **kwargs):
        if ("quantity" in data) == ("amount" in data):
            raise ValidationError({"quantity": ["Isi quantity atau amount, salah satu saja."]})


class RefundBody(Schema):
    """A whole-order refund (`amount`, spread over the lines pro rata) or a refund of named
    `lines` (each with a quantity or an amount): exactly one of the two, and a reason."""

    amount = fields.Integer(strict=True, validate=validate.Range(min=1, max=10**13))
    lines = fields.List(fields.Nested(RefundLineBody), validate=validate.Length(min=1, max=500))
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=1000), _not_blank])

    @pre_load
    def _reject_bool(self, data, **kwargs):
        return _no_bool(data, "amount")

    @validates_schema
    def _amount_or_lines(self, data, **kwargs):
        if ("amount" in data) == ("lines" in data):
            raise ValidationError({"amount": ["Isi amount atau lines, salah satu saja."]})


class CapBody(Schema):
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**13))

    @pre_load
    def _reject_bool(self, data, **kwargs):
        return _no_bool(data, "amount")


class OrdersQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))


# ---------------------------------------------------------------- output
class VendorRef(Schema):
    id = fields.Integer()
    name = fields.String()


class OrderLineSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    line_total = fields.Integer()
    vat = fields.Integer()
    refunded_quantity = fields.Integer()
    refunded_amount = fields.Integer()
    refunded_vat = fields.Integer()


class OrderEventSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    note = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class OrderSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    buyer_id = fields.Integer()
    channel = fields.String(
        metadata={"description": "asn_personal | public | opd_procurement: whose money paid"}
    )
    checkout_id = fields.Integer()
    payment_terms = fields.String(
        metadata={
            "description": "prepaid (paid at checkout) | invoice (an office's order, placed at its "
            "PPK's approval and paid later by its treasurer)"
        }
    )
    budget_line = fields.String(
        allow_none=True, metadata={"description": "an office's order: its kode rekening belanja"}
    )
    vendor = fields.Nested(VendorRef)
    lines = fields.List(fields.Nested(OrderLineSchema))
    total = fields.Integer()
    vat_total = fields.Integer(
        attribute="net_vat",
        metadata={
            "description": "PPN the order carries now: charged at checkout less `refunded_vat`"
        },
    )
    refunded_vat = fields.Integer(
        metadata={"description": "PPN returned by refunds (the VAT of the refunded lines)"}
    )
    commission = fields.Integer()
    refunded_total = fields.Integer()
    fulfilment = fields.String()
    address = fields.String(allow_none=True)
    status_reason = fields.String(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    delivered_on = fields.Date(
        allow_none=True, metadata={"description": "an office's order: the day it was handed over"}
    )
    delivery_received_by = fields.String(allow_none=True)
    delivery_note = fields.String(allow_none=True)
    created_at = UtcDateTime()
    expires_at = UtcDateTime(allow_none=True)
    paid_at = UtcDateTime(allow_none=True)
    accepted_at = UtcDateTime(allow_none=True)
    ready_at = UtcDateTime(allow_none=True)
    completed_at = UtcDateTime(allow_none=True)
    events = fields.List(fields.Nested(OrderEventSchema))


class CartLineSchema(Schema):
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    vendor_id = fields.Integer()
    vendor_name = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    line_total = fields.Integer()
    stock = fields.Integer()
    available = fields.Boolean()
    warning = fields.String(allow_none=True)


class CartVendorSchema(Schema):
    vendor_id = fields.Integer()
    name = fields.String()
    subtotal = fields.Integer()
    product_ids = fields.List(fields.Integer())


class CartSchema(Schema):
    items = fields.List(fields.Nested(CartLineSchema))
    total = fields.Integer()
    count = fields.Integer()
    vendors = fields.List(fields.Nested(CartVendorSchema))
    warnings = fields.List(fields.Dict())


class PaymentRef(Schema):
    id = fields.Integer()
    provider = fields.String()
    status = fields.String()
    client_secret = fields.String(allow_none=True)


class CheckoutSchema(Schema):
    id = fields.Integer()
    orders = fields.List(fields.Nested(OrderSchema))
    total = fields.Integer()
    payment = fields.Nested(PaymentRef)


class RefundLineSchema(Schema):
    order_line_id = fields.Integer()
    quantity = fields.Integer(allow_none=True)
    amount = fields.Integer()
    vat = fields.Integer()


class RefundSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    payment_id = fields.Integer()
    amount = fields.Integer()
    reason = fields.String()
    status = fields.String()
    provider_ref = fields.String(allow_none=True)
    commission_share = fields.Integer()
    vendor_share = fields.Integer()
    lines = fields.List(fields.Nested(RefundLineSchema))
    vat = fields.Integer(metadata={"description": "PPN returned: the refunded lines' VAT"})
    actor_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class CapSchema(Schema):
    period = fields.String()
    amount = fields.Integer()
    created_at = UtcDateTime()


class BalancesSchema(Schema):
    accounts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
