"""Answers and bodies of the procurement API (`/api/v1/opd/...`, `/api/v1/admin/opds/...`)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from marketplace.api import PageQuery, UtcDateTime, text_field
from marketplace.procurement import rules
from marketplace.procurement.bast_schemas import BastRefSchema


class OpdRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class OfficeSchema(Schema):
    """The caller's office and the roles they hold in it."""

    opd = fields.Nested(OpdRefSchema, allow_none=True)
    roles = fields.Method("_roles")

    def _roles(self, office):
        return sorted(office.roles)


class RoleHolderSchema(Schema):
    id = fields.Integer()
    opd = fields.String(attribute="opd.code")
    user_id = fields.Integer()
    name = fields.String(attribute="user.name")
    email = fields.String(attribute="user.email")
    nip = fields.String(attribute="user.nip", allow_none=True)
    role = fields.String()
    created_at = UtcDateTime()


class AssignRoleSchema(Schema):
    user_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    email = text_field(254, required=False, load_default=None)
    nip = text_field(18, required=False, load_default=None)
    role = fields.String(required=True, validate=validate.OneOf(rules.OFFICE_ROLES))


class OfficeCartLineSchema(Schema):
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    vendor_id = fields.Integer()
    vendor_name = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    line_total = fields.Integer()
    stock = fields.Integer()
    warning = fields.String(allow_none=True)


class OfficeCartSchema(Schema):
    opd = fields.Nested(OpdRefSchema)
    budget_line = fields.String(allow_none=True)
    activity = fields.String(allow_none=True)
    purpose = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(OfficeCartLineSchema))
    total = fields.Integer()
    maximum = fields.Integer()
    allowed_categories = fields.List(fields.String())


class CartFieldsSchema(Schema):
    """What the officer writes on the cart; each field optional (only the given ones change)."""

    budget_line = text_field(40, required=False)
    activity = text_field(200, required=False)
    purpose = text_field(1000, required=False, multiline=True)


class CartItemSchema(Schema):
    product_id = fields.Integer(required=True, validate=validate.Range(min=1))
    quantity = fields.Integer(required=True, validate=validate.Range(min=0, max=rules.MAX_QUANTITY))


class RejectSchema(Schema):
    reason = text_field(1000, multiline=True)


class RequestQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(load_default=None, validate=validate.OneOf(rules.REQUEST_STATUSES))


class RequestLineSchema(Schema):
    product_id = fields.Integer()
    vendor_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    line_total = fields.Integer()


class RequestEventSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String(attribute="actor.name", allow_none=True)
    note = fields.String(allow_none=True)
    created_at = UtcDateTime()


class RequestOrderSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    vendor_id = fields.Integer()
    vendor = fields.String(attribute="vendor.name")
    status = fields.String()
    channel = fields.String()
    payment_terms = fields.String()
    budget_line = fields.String(allow_none=True)
    total = fields.Integer()
    vat_total = fields.Integer()
    delivered_on = fields.Date(
        allow_none=True, metadata={"description": "the day the shop handed the order over"}
    )
    delivery_received_by = fields.String(
        allow_none=True, metadata={"description": "who at the office received it"}
    )
    delivery_note = fields.String(allow_none=True)
    bast = fields.Nested(
        BastRefSchema, allow_none=True, metadata={"description": "its BAST, null before one"}
    )


class RequestSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    opd = fields.String(attribute="opd.code")
    officer = fields.String(attribute="officer.name")
    budget_line = fields.String()
    activity = fields.String()
    total = fields.Integer()
    submitted_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)


class RequestSchema(RequestSummarySchema):
    purpose = fields.String()
    decided_by = fields.String(attribute="decided_by.name", allow_none=True)
    decision_reason = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(RequestLineSchema))
    events = fields.List(fields.Nested(RequestEventSchema))
    orders = fields.List(fields.Nested(RequestOrderSchema))
    actions = fields.List(fields.String())
