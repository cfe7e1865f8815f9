"""Shapes of the roster-lifecycle, exemption and month-end API (issue 13)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from marketplace.accounts.schemas import ImportResultSchema
from marketplace.api import PageQuery, StrippedSchema, UtcDateTime, text_field
from marketplace.mandate import rules
from marketplace.mandate.schemas import ComplianceRowSchema, period_field


# ---------------------------------------------------------------- roster
class CivilServantQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    status = fields.String(load_default=None, validate=validate.OneOf(("active", "inactive")))
    opd = fields.String(load_default=None, validate=validate.Length(max=32))


class CivilServantSchema(Schema):
    user_id = fields.Integer()
    nip = fields.String(allow_none=True)
    name = fields.String()
    email = fields.String()
    opd = fields.String(allow_none=True)
    opd_name = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    active = fields.Boolean()
    joined_on = fields.Date(allow_none=True, metadata={"description": "First roster day."})
    left_on = fields.Date(allow_none=True, metadata={"description": "Leaving day (inactive)."})


class DeactivateBody(StrippedSchema):
    left_on = fields.Date(load_default=None, metadata={"description": "Default: today (local)."})
    reason = text_field(300, required=False, load_default=None)


class ReactivateBody(StrippedSchema):
    joined_on = fields.Date(load_default=None, metadata={"description": "Default: today."})
    reason = text_field(300, required=False, load_default=None)


class LeaversBody(StrippedSchema):
    """Confirm the leavers a complete roster import previewed."""

    scope = fields.String(
        required=True, validate=validate.Length(min=1, max=32), metadata={"example": "city"}
    )
    user_ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, max=20_000)
    )
    left_on = fields.Date(load_default=None)
    reason = text_field(300, required=False, load_default=None)


class CompletionSchema(Schema):
    scope = fields.String(metadata={"description": "`city` or the OPD code."})
    scope_name = fields.String()
    listed = fields.Integer(metadata={"description": "ASN of the scope the file lists."})
    absent = fields.List(
        fields.Nested(CivilServantSchema),
        metadata={"description": "Active ASN of the scope the file does not list (leavers)."},
    )
    imported = fields.Nested(ImportResultSchema, allow_none=True)
    deactivated = fields.Integer()


# ---------------------------------------------------------------- exemptions
class ExemptionBody(StrippedSchema):
    period = period_field(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(tuple(rules.EXEMPTION_KINDS)))
    reason = text_field(500)
    user_id = fields.Integer(
        load_default=None, metadata={"description": "The ASN (default: the caller)."}
    )


class DecisionBody(StrippedSchema):
    note = text_field(500, required=False, load_default=None)


class ExemptionQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(rules.EXEMPTION_STATUSES))
    period = period_field(load_default=None)


class ExemptionSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    nip = fields.String(allow_none=True)
    name = fields.String()
    opd = fields.String(allow_none=True)
    opd_name = fields.String(allow_none=True)
    period = fields.String()
    kind = fields.String(metadata={"description": "leave | secondment | illness"})
    kind_label = fields.String()
    reason = fields.String()
    status = fields.String(metadata={"description": "requested | approved | rejected"})
    requested_by = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    created_at = UtcDateTime()


# ---------------------------------------------------------------- month end and readers
class MonthEndQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    opd = fields.String(load_default=None, validate=validate.Length(max=32))
    short_only = fields.Boolean(load_default=True)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "tpp")))


class MonthEndRowSchema(ComplianceRowSchema):
    shortfall = fields.Integer()


class ReaderBody(StrippedSchema):
    body = fields.String(required=True, validate=validate.OneOf(tuple(rules.READER_BODIES)))


class ReaderSchema(Schema):
    user_id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.String()
    body = fields.String(metadata={"description": "bkpsdm | inspektorat"})
    body_label = fields.String()
    created_at = UtcDateTime()
