"""Answers and bodies of the BAST API (`/api/v1/opd/orders/{id}/bast`, `/api/v1/opd/bast/...`)."""

from __future__ import annotations

from marshmallow import Schema, fields

from marketplace.api import UtcDateTime, text_field


class BastCreateSchema(Schema):
    received_on = fields.Date(
        load_default=None,
        metadata={"description": "the day the office received the goods (default: today)"},
    )
    note = text_field(500, required=False, load_default=None)


class BastLineSchema(Schema):
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    line_total = fields.Integer()


class BastScanSchema(Schema):
    name = fields.String(attribute="scan_name")
    type = fields.String(attribute="scan_type", metadata={"description": "pdf, jpeg or png"})
    uploaded_at = UtcDateTime(attribute="scan_uploaded_at")
    uploaded_by = fields.String(attribute="scan_uploaded_by.name", allow_none=True)


class BastRefSchema(Schema):
    """A BAST as its request's orders name it."""

    id = fields.Integer()
    number = fields.String()
    received_on = fields.Date()
    has_scan = fields.Boolean(metadata={"description": "whether the signed scan is uploaded"})


class BastSchema(BastRefSchema):
    opd = fields.String(attribute="opd.code")
    opd_name = fields.String(attribute="opd.name")
    request_id = fields.Integer()
    request_number = fields.String(attribute="request.number")
    order_id = fields.Integer()
    order_number = fields.String(attribute="order.number")
    vendor_id = fields.Integer()
    vendor = fields.String(attribute="vendor.name")
    delivered_on = fields.Date(attribute="order.delivered_on", allow_none=True)
    note = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(BastLineSchema), attribute="order.lines")
    total = fields.Integer()
    created_by = fields.String(attribute="created_by.name")
    created_at = UtcDateTime()
    scan = fields.Nested(
        BastScanSchema,
        allow_none=True,
        metadata={"description": "the signed scan, null until uploaded"},
    )
