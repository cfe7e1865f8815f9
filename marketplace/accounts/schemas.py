"""Shapes of the accounts API: what it takes (checked here) and what it answers.

Schemas check shape only; the rules that need the database (email taken) live in the services.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from marketplace import text
from marketplace.accounts import rules
from marketplace.api import REQUIRED, StrippedSchema, UtcDateTime, text_field


# ---------------------------------------------------------------- requests
def _refuse_lookalike(value: str) -> None:
    problem = text.email_problem(rules.normalise_email(value))
    if problem is not None:
        raise ValidationError(problem)


class TokenRequestSchema(StrippedSchema):
    email = fields.String(required=True, error_messages=REQUIRED, validate=_refuse_lookalike)
    password = fields.String(required=True, error_messages=REQUIRED)
    name = text_field(100, required=False, load_default="api")


class RegisterSchema(StrippedSchema):
    email = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=254))
    password = fields.String(required=True, error_messages=REQUIRED)
    name = text_field(200, name=True)

    @validates("email")
    def _email(self, value, **_kw):
        _refuse_lookalike(value)
        if not rules.is_valid_email(rules.normalise_email(value)):
            raise ValidationError("Alamat email tidak valid.")


# ---------------------------------------------------------------- answers
class OpdSchema(Schema):
    code = fields.String()
    name = fields.String()


class UserSchema(Schema):
    """`GET /me`: the optional fields are always present, null when they do not apply."""

    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    nip = fields.String(allow_none=True)
    opd = fields.Nested(OpdSchema, allow_none=True)
    position = fields.String(allow_none=True)
    kelurahan = fields.String(allow_none=True)
    vendor_id = fields.Integer(allow_none=True)


class TokenSchema(Schema):
    token = fields.String()
    user = fields.Nested(UserSchema)


class ApiTokenSchema(Schema):
    """One of the caller's bearer tokens as `GET /me/tokens` lists it (never the token itself).
    `status`: active | revoked | expired; `revoked_reason`: owner | password | role | deactivated."""

    id = fields.Integer()
    name = fields.String(allow_none=True)
    created_at = UtcDateTime()
    last_used_at = UtcDateTime(allow_none=True)
    expires_at = UtcDateTime()
    revoked_at = UtcDateTime(allow_none=True)
    revoked_reason = fields.String(allow_none=True)
    status = fields.String()


class ImportErrorSchema(Schema):
    row = fields.Integer()
    message = fields.String()


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))
