"""Input and output shapes of the mandate API. Schemas check shape; services check rules."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from marketplace.api import PageQuery, PeriodField, UtcDateTime
from marketplace.mandate.rules import COUNTS_ON

MAX_AMOUNT = 1_000_000_000_000  # Rp1 triliun: far above any monthly minimum, below BIGINT

SORTS = (
    "name",
    "-name",
    "nip",
    "-nip",
    "opd",
    "-opd",
    "spent",
    "-spent",
    "required",
    "-required",
    "shortfall",
    "-shortfall",
)
FORMATS = ("json", "csv", "xlsx")


def period_field(**kw) -> fields.String:
    """A local month from 2000-01 to 2100-12 (`api.PeriodField`)."""
    return PeriodField(**kw)


class Rupiah(fields.Integer):
    """A whole, non-negative rupiah amount given as a JSON integer (not a string, float or bool)."""

    def __init__(self, **kw):
        kw.setdefault(
            "validate",
            validate.Range(
                min=0, max=MAX_AMOUNT, error="Jumlah harus antara 0 dan 1.000.000.000.000."
            ),
        )
        super().__init__(strict=True, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# ---------------------------------------------------------------- queries
class _DropEmpty:
    """Query strings from filter forms send `?opd=&compliant=` for "all": treat them as absent."""

    @pre_load
    def drop_empty(self, data, **kwargs):
        return {k: v for k, v in data.items() if v != ""}


class PeriodQuery(_DropEmpty, Schema):
    class Meta:
        unknown = EXCLUDE

    period = period_field(load_default=None)


class ComplianceQuery(_DropEmpty, PageQuery):
    """Filters of the compliance report. `compliant` filters the rows, never the summary."""

    period = period_field(load_default=None)
    opd = fields.String(load_default=None, validate=validate.Length(max=32))
    compliant = fields.Boolean(load_default=None, allow_none=True)
    sort = fields.String(load_default="name", validate=validate.OneOf(SORTS))
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class ByOpdQuery(_DropEmpty, Schema):
    class Meta:
        unknown = EXCLUDE

    period = period_field(load_default=None)


# ---------------------------------------------------------------- bodies
class RulesBody(Schema):
    """`PUT /mandate/rules`: the minimum per position from `effective_from` on."""

    default_amount = Rupiah(required=True)
    by_position = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=120)),
        values=Rupiah(),
        load_default=dict,
        validate=validate.Length(max=200, error="Paling banyak 200 jabatan."),
    )
    effective_from = period_field(required=True)
    joiners = fields.String(
        load_default=None,
        validate=validate.OneOf(("prorate", "next_month")),
        metadata={
            "description": "What a joiner owes in the month they join: `prorate` (by the days "
            "left, rounded down; the default) or `next_month` (nothing until the next month)."
        },
    )
    counts_on = fields.String(
        load_default=None,
        validate=validate.OneOf(COUNTS_ON),
        metadata={
            "description": "When purchases count: at the buyer's receipt (the default for a new "
            "rule) or at payment; omitted keeps the rule's, or the earlier rule's."
        },
    )


# ---------------------------------------------------------------- answers
class ProgressSchema(Schema):
    period = fields.String()
    required = fields.Integer()
    spent = fields.Integer()
    remaining = fields.Integer()
    compliant = fields.Boolean()
    percent = fields.Integer(metadata={"description": "Share of the minimum reached, 0..100."})
    days_left = fields.Integer(
        metadata={"description": "local days left in the period, today included."}
    )
    position = fields.String(allow_none=True)
    position_class = fields.String(allow_none=True, metadata={"description": "Position class."})
    counts_on = fields.String(metadata={"description": "receipt | payment"})
    rule_effective_from = fields.String(allow_none=True)
    exemption = fields.String(
        allow_none=True, metadata={"description": "Approved exemption: leave|secondment|illness."}
    )


class RuleSchema(Schema):
    id = fields.Integer()
    effective_from = fields.String()
    default_amount = fields.Integer()
    by_position = fields.Dict(keys=fields.String(), values=fields.Integer())
    joiners = fields.String(metadata={"description": "prorate | next_month"})
    counts_on = fields.String(metadata={"description": "receipt | payment"})
    in_force = fields.Boolean(metadata={"description": "This rule judges the current period."})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    updated_by = fields.String(allow_none=True)


class ComplianceRowSchema(Schema):
    user_id = fields.Integer()
    nip = fields.String(allow_none=True)
    name = fields.String()
    opd = fields.String(allow_none=True, metadata={"description": "OPD code."})
    opd_name = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    position_class = fields.String(allow_none=True)
    required = fields.Integer()
    spent = fields.Integer()
    remaining = fields.Integer()
    compliant = fields.Boolean()
    exemption = fields.String(
        allow_none=True, metadata={"description": "Approved exemption: leave|secondment|illness."}
    )


class OpdComplianceSchema(Schema):
    opd_code = fields.String(allow_none=True)
    opd_name = fields.String(allow_none=True)
    civil_servants = fields.Integer()
    compliant = fields.Integer()
    rate = fields.Float(metadata={"description": "Share compliant, 0..1 (4 decimals)."})
    rate_bps = fields.Integer()
    spent = fields.Integer()
    required = fields.Integer()
