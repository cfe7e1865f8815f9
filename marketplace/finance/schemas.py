"""Shapes of the finance API: what it takes (checked here) and what it answers.

Schemas check shape only; rules that need the database (does this OPD exist?) live in services.
"""

from __future__ import annotations

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from marketplace.api import DateField, PageQuery, PeriodField, UtcDateTime
from marketplace.finance import rules
from marketplace.ledger.rules import CHANNELS

_REQUIRED = {"required": "Wajib diisi.", "null": "Wajib diisi."}
_AMOUNT_ERRORS = {**_REQUIRED, "invalid": "Harus bilangan bulat rupiah."}
# A city's yearly spending is in the trillions; BIGINT holds far more, this only stops nonsense.
MAX_TARGET = 10**15


def _amount(required: bool = True) -> fields.Integer:
    return fields.Integer(
        required=required,
        strict=True,
        error_messages=_AMOUNT_ERRORS,
        validate=validate.Range(
            min=0, max=MAX_TARGET, error="Harus antara {min} dan {max} rupiah."
        ),
    )


def _year_field(**kw) -> fields.Integer:
    return fields.Integer(
        validate=validate.Range(
            min=rules.MIN_YEAR, max=rules.MAX_YEAR, error="Tahun harus antara {min} dan {max}."
        ),
        error_messages={"invalid": "Tahun tidak valid."},
        **kw,
    )


# ---------------------------------------------------------------- requests
class TargetAmountsSchema(Schema):
    class Meta:
        unknown = "raise"

    umk = _amount()
    pdn = _amount()
    local = _amount()


class TargetsSchema(TargetAmountsSchema):
    by_opd = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=32)),
        values=fields.Nested(TargetAmountsSchema),
        load_default=dict,
        allow_none=False,
    )


class SpendingQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    year = _year_field(load_default=None)
    group_by = fields.String(
        load_default="month",
        validate=validate.OneOf(rules.GROUP_BYS, error="Pilih salah satu: {choices}."),
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "csv", "xlsx"), error="Pilih salah satu: {choices}."),
    )


class WatchQuery(PageQuery):
    period = PeriodField(load_default=None)


class ClosedPeriodQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "csv", "xlsx"), error="Pilih salah satu: {choices}."),
    )


class JournalsQuery(PageQuery):
    kind = fields.String(load_default=None, validate=validate.Length(max=30))


class AuditQuery(PageQuery):
    actor = fields.String(load_default=None, validate=validate.Length(max=254))
    action = fields.String(load_default=None, validate=validate.Length(max=60))
    target_type = fields.String(load_default=None, validate=validate.Length(max=40))
    from_ = DateField(data_key="from", load_default=None)
    to = DateField(load_default=None)

    @pre_load
    def _blank_is_none(self, data, **_kw):
        return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}

    @validates_schema
    def _ordered(self, data, **_kw):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Tanggal akhir harus sesudah tanggal awal.", "to")


_DOWNLOAD_FORMAT = {
    "load_default": "csv",
    "validate": validate.OneOf(("csv", "xlsx"), error="Pilih salah satu: {choices}."),
}


class RegisterQuery(Schema):
    """Filters of the transaction register download (all optional; none = everything)."""

    class Meta:
        unknown = EXCLUDE

    year = _year_field(load_default=None)
    period = PeriodField(load_default=None)
    channel = fields.String(
        load_default=None,
        validate=validate.OneOf(CHANNELS, error="Pilih salah satu: {choices}."),
    )
    format = fields.String(**_DOWNLOAD_FORMAT)

    @pre_load
    def _blank_is_none(self, data, **_kw):
        return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}


class DateRangeDownload(Schema):
    """`from`/`to` (inclusive dates on the city's clock, optional) and `format` of a journal or audit download."""

    class Meta:
        unknown = EXCLUDE

    from_ = DateField(data_key="from", load_default=None)
    to = DateField(load_default=None)
    format = fields.String(**_DOWNLOAD_FORMAT)

    @pre_load
    def _blank_is_none(self, data, **_kw):
        return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}

    @validates_schema
    def _ordered(self, data, **_kw):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Tanggal akhir harus sesudah tanggal awal.", "to")


class StripeReconcileSchema(Schema):
    class Meta:
        unknown = "raise"

    source = fields.String(
        required=True,
        error_messages=_REQUIRED,
        validate=validate.OneOf(("stripe",), error="Hanya {choices}."),
    )
    from_ = DateField(data_key="from", required=True, error_messages=_REQUIRED)
    to = DateField(required=True, error_messages=_REQUIRED)

    @validates_schema
    def _ordered(self, data, **_kw):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Tanggal akhir harus sesudah tanggal awal.", "to")


class ReconcileUploadForm(Schema):
    """Optional period fields sent with a CSV upload (multipart)."""

    class Meta:
        unknown = EXCLUDE

    from_ = DateField(data_key="from", load_default=None)
    to = DateField(load_default=None)

    @pre_load
    def _blank_is_none(self, data, **_kw):
        return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}

    @validates_schema
    def _ordered(self, data, **_kw):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Tanggal akhir harus sesudah tanggal awal.", "to")


class BudgetsSchema(Schema):
    """`{"by_opd": {"DINKOP": 12000000000, …}}`: each OPD's goods-and-services budget (belanja
    barang dan jasa, APBD) for the year; the UMK share of 40% is measured against it."""

    class Meta:
        unknown = "raise"

    by_opd = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=32)),
        values=_amount(),
        required=True,
        error_messages=_REQUIRED,
    )


# ---------------------------------------------------------------- answers
class ClosedPeriodOut(Schema):
    period = fields.String()
    closed_at = UtcDateTime()
    closed_by = fields.Integer(allow_none=True)
    checksum = fields.String(metadata={"description": "SHA-256 of the snapshot's canonical JSON"})
    intact = fields.Boolean(
        metadata={"description": "whether the month's records still give the stored snapshot"}
    )
    snapshot = fields.Dict()


class ClosedPeriodBrief(Schema):
    period = fields.String()
    closed_at = UtcDateTime(attribute="created_at")
    closed_by = fields.Integer(attribute="closed_by_id", allow_none=True)
    checksum = fields.String()


class CorrectionOut(Schema):
    id = fields.Integer()
    adjusts_period = fields.String()
    booked_period = fields.String()
    occurred_at = UtcDateTime()
    order_id = fields.Integer()
    order_number = fields.String()
    order_line_id = fields.Integer()
    refund_id = fields.Integer(allow_none=True)
    channel = fields.String()
    umk_class = fields.String()
    is_pdn = fields.Boolean()
    is_local_product = fields.Boolean()
    amount = fields.Integer()


class BudgetsOut(Schema):
    year = fields.Integer()
    by_opd = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    is_set = fields.Boolean()
    updated_at = UtcDateTime(allow_none=True)


class TargetsOut(Schema):
    year = fields.Integer()
    umk = fields.Integer()
    pdn = fields.Integer()
    local = fields.Integer()
    by_opd = fields.Dict(keys=fields.String(), values=fields.Dict())
    is_set = fields.Boolean()
    updated_at = UtcDateTime(allow_none=True)


class JournalLineOut(Schema):
    account = fields.String()
    vendor_id = fields.Integer(allow_none=True)
    amount = fields.Integer()


class JournalOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    memo = fields.String()
    reference = fields.String(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    payment_id = fields.Integer(allow_none=True)
    refund_id = fields.Integer(allow_none=True)
    payout_id = fields.Integer(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    lines = fields.List(fields.Nested(JournalLineOut))


class AuditActorOut(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.String()


class AuditOut(Schema):
    id = fields.Integer()
    actor = fields.Nested(AuditActorOut, allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    reason = fields.String(allow_none=True)
    created_at = UtcDateTime()


class ReconciliationSummaryOut(Schema):
    id = fields.Integer()
    source = fields.String()
    filename = fields.String(allow_none=True)
    actor = fields.Nested(AuditActorOut, allow_none=True)
    period_from = UtcDateTime(allow_none=True)
    period_to = UtcDateTime(allow_none=True)
    rows = fields.Integer()
    counts = fields.Method("_counts")
    created_at = UtcDateTime()

    def _counts(self, obj):
        return {
            "matched": obj.matched_count,
            "missing_in_ledger": obj.missing_in_ledger_count,
            "missing_at_provider": obj.missing_at_provider_count,
            "amount_mismatches": obj.amount_mismatches_count,
            "fees_posted": obj.fees_posted,
        }


class ReconciliationOut(ReconciliationSummaryOut):
    matched = fields.Method("_group_matched")
    missing_in_ledger = fields.Method("_group_missing_in_ledger")
    missing_at_provider = fields.Method("_group_missing_at_provider")
    amount_mismatches = fields.Method("_group_amount_mismatches")
    fees = fields.Method("_fees")
    ignored = fields.Method("_ignored")
    errors = fields.Method("_errors")

    def _group(self, obj, name):
        group = (obj.result or {}).get(name) or {"count": 0, "items": []}
        return group

    def _group_matched(self, obj):
        return self._group(obj, "matched")

    def _group_missing_in_ledger(self, obj):
        return self._group(obj, "missing_in_ledger")

    def _group_missing_at_provider(self, obj):
        return self._group(obj, "missing_at_provider")

    def _group_amount_mismatches(self, obj):
        return self._group(obj, "amount_mismatches")

    def _fees(self, obj):
        return (obj.result or {}).get("fees") or {
            "posted": 0,
            "already_posted": 0,
            "amount_posted": 0,
        }

    def _ignored(self, obj):
        return (obj.result or {}).get("ignored") or []

    def _errors(self, obj):
        return (obj.result or {}).get("errors") or []
