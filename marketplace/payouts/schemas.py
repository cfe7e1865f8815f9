"""Shapes of the payouts API: input checks only (rules live in services/rules)."""

from __future__ import annotations

from typing import ClassVar

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from marketplace.api import PageQuery, UtcDateTime
from marketplace.payouts import rules


class AsOfField(UtcDateTime):
    """ISO date or datetime → naive UTC cut-off (a date is the start of that day on the city's
    clock); dumped like every timestamp, with its offset."""

    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "Not a valid ISO date or datetime."
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return rules.parse_as_of(value)
        except (ValueError, OverflowError):  # OverflowError: 0001-01-01 local has no UTC instant
            raise self.make_error("invalid") from None


class PayoutRunCreateSchema(Schema):
    as_of = AsOfField(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Cut-off: an ISO datetime, or a date (the start of that local day)."
        },
    )
    adapter = fields.String(load_default="manual", validate=validate.OneOf(rules.ADAPTERS))


class MarkPaidSchema(Schema):
    bank_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))

    @pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("bank_reference"), str):
            data = {**data, "bank_reference": data["bank_reference"].strip()}
        return data


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))

    @pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("reason"), str):
            data = {**data, "reason": data["reason"].strip()}
        return data


class PayoutListQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(rules.STATUSES))
    vendor_id = fields.Integer(validate=validate.Range(min=1))
    run_id = fields.Integer(validate=validate.Range(min=1))


class PayoutVendorSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PayoutSchema(Schema):
    """Finance view of a payout."""

    id = fields.Integer()
    run_id = fields.Integer()
    vendor = fields.Nested(PayoutVendorSchema)
    adapter = fields.String()
    status = fields.String()
    amount = fields.Integer()
    debt_netted = fields.Integer()
    reference = fields.String()
    bank_name = fields.String(allow_none=True)
    bank_account_number = fields.String(allow_none=True)
    bank_account_name = fields.String(allow_none=True)
    stripe_account_id = fields.String(allow_none=True)
    provider_ref = fields.String(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    attempts = fields.Integer()
    idempotency_key = fields.String()
    failure_code = fields.String(allow_none=True)
    failure_message = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    expected_by = fields.Date(allow_none=True)
    exported_at = UtcDateTime(allow_none=True)
    paid_at = UtcDateTime(allow_none=True)
    failed_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)


class ShopPayoutSchema(Schema):
    """The shopkeeper's view of one of their payouts."""

    id = fields.Integer()
    status = fields.String()
    adapter = fields.String()
    amount = fields.Integer()
    debt_netted = fields.Integer()
    reference = fields.String()
    bank_name = fields.String(allow_none=True)
    bank_account_number = fields.String(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    provider_ref = fields.String(allow_none=True)
    created_at = UtcDateTime()
    # The working day the money should arrive while the payout is in transit, else null.
    expected_by = fields.Date(allow_none=True)
    paid_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)


class FlaggedVendorSchema(Schema):
    vendor_id = fields.Integer()
    vendor_name = fields.String()
    reason = fields.String()
    amount = fields.Integer()
    missing = fields.List(fields.String())
    message = fields.String()


class PayoutRunSchema(Schema):
    id = fields.Integer()
    adapter = fields.String()
    as_of = AsOfField(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    total = fields.Integer()
    payout_count = fields.Integer()
    flagged = fields.List(fields.Nested(FlaggedVendorSchema))
    payouts = fields.List(fields.Nested(PayoutSchema))
    created_at = UtcDateTime()


class BalanceSchema(Schema):
    pending = fields.Integer()
    available = fields.Integer()
    paid_out = fields.Integer()
    in_transit = fields.Integer()
    debt = fields.Integer()
