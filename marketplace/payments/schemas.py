"""Shapes of payment requests and answers."""

from marshmallow import Schema, fields, validate


class SandboxConfirmBody(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("succeeded", "failed")))


class PaymentSchema(Schema):
    id = fields.Integer()
    provider = fields.String()
    status = fields.String()
    amount = fields.Integer()
    checkout_id = fields.Integer()
    failure_message = fields.String(allow_none=True)
    order_ids = fields.List(fields.Integer())
    client_secret = fields.String()
