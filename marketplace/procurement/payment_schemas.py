"""Answers and bodies of the treasurer's API: the taxes and payments of a purchase, payments,
withheld taxes and their deposits (`/api/v1/opd/requests/<id>/payments`, `/api/v1/opd/taxes/...`)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from marketplace.api import UtcDateTime, text_field
from marketplace.procurement import payment_rules as prules

_MONEY = {"description": "whole rupiah"}


class PayBodySchema(Schema):
    """How the treasurer paid: SP2D LS (its number), KKPD (the card transaction's reference) or
    UP/GU petty cash (the receipt's number), and the day; `order_id` pays one order only."""

    method = fields.String(required=True, validate=validate.OneOf(prules.PAYMENT_METHODS))
    reference = text_field(prules.MAX_REFERENCE)
    paid_on = fields.Date(required=True, metadata={"description": "the SP2D's (or payment's) date"})
    order_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class OpdPaymentSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    order_number = fields.String(attribute="order.number")
    vendor_id = fields.Integer()
    method = fields.String()
    reference = fields.String()
    paid_on = fields.Date()
    regime = fields.String()
    collector = fields.String()
    gross = fields.Integer(metadata=_MONEY)
    dpp = fields.Integer(metadata=_MONEY)
    ppn = fields.Integer(metadata=_MONEY)
    ppn_collected = fields.Integer(metadata=_MONEY)
    pph22_rate_bps = fields.Integer(metadata={"description": "150 = 1,5%"})
    pph22 = fields.Integer(metadata=_MONEY)
    net_payable = fields.Integer(metadata=_MONEY)
    withheld = fields.Integer(metadata=_MONEY)
    created_at = UtcDateTime()


class OrderTaxesSchema(Schema):
    """One order of the purchase with its taxes: frozen on its payment, else as they would be
    paid today."""

    order_id = fields.Integer()
    number = fields.String()
    vendor = fields.String()
    status = fields.String()
    shop_pkp = fields.Boolean()
    shop_has_npwp = fields.Boolean()
    regime = fields.String()
    gross = fields.Integer(metadata=_MONEY)
    dpp = fields.Integer(metadata=_MONEY)
    ppn = fields.Integer(metadata=_MONEY)
    ppn_collected = fields.Integer(metadata=_MONEY)
    pph22_rate_bps = fields.Integer()
    pph22_rate = fields.String()
    pph22 = fields.Integer(metadata=_MONEY)
    net_payable = fields.Integer(metadata=_MONEY)
    withheld = fields.Integer(metadata=_MONEY)
    payable = fields.Boolean(metadata={"description": "handed over and not paid yet"})
    payment = fields.Nested(OpdPaymentSchema, allow_none=True)


class RequestPaymentsSchema(Schema):
    request_id = fields.Integer()
    regime = fields.String()
    orders = fields.List(fields.Nested(OrderTaxesSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    can_pay = fields.Boolean()
    methods = fields.List(fields.String())


class DepositBodySchema(Schema):
    """A deposit of withheld taxes of one kind with its NTPN; without `withholding_ids` it covers
    every withholding of that kind still owed."""

    tax = fields.String(required=True, validate=validate.OneOf(prules.TAX_KINDS))
    ntpn = text_field(40)
    deposited_on = fields.Date(required=True)
    withholding_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        load_default=None,
        validate=validate.Length(max=500),
    )


class WithholdingQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    deposited = fields.Boolean(load_default=False)


class WithholdingSchema(Schema):
    id = fields.Integer()
    tax = fields.String()
    amount = fields.Integer(metadata=_MONEY)
    payment_id = fields.Integer()
    order_id = fields.Integer(attribute="payment.order_id")
    order_number = fields.String(attribute="payment.order.number")
    vendor = fields.String(attribute="payment.vendor.name")
    paid_on = fields.Date(attribute="payment.paid_on")
    ntpn = fields.String(attribute="deposit.ntpn", allow_none=True)
    deposited_on = fields.Date(attribute="deposit.deposited_on", allow_none=True)


class WithholdingsSchema(Schema):
    withholdings = fields.List(fields.Nested(WithholdingSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    can_deposit = fields.Boolean()


class DepositSchema(Schema):
    id = fields.Integer()
    tax = fields.String()
    ntpn = fields.String()
    deposited_on = fields.Date()
    amount = fields.Integer(metadata=_MONEY)
    withholding_ids = fields.Method("_ids")
    created_at = UtcDateTime()

    def _ids(self, deposit):
        return [w.id for w in deposit.withholdings]
