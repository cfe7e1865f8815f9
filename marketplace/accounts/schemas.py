"""Shapes of the accounts API: what it takes (checked here) and what it answers.

Schemas check shape only; the rules that need the database (email taken) live in the services.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates

from marketplace.accounts import rules

_REQUIRED = {"required": "Wajib diisi.", "null": "Wajib diisi."}


def _text(max_len: int, *, required: bool = True, **kw) -> fields.String:
    return fields.String(
        required=required,
        error_messages=_REQUIRED,
        validate=validate.Length(
            min=1 if required else 0, max=max_len, error="Panjang harus {min}–{max} karakter."
        ),
        **kw,
    )


class _Stripped(Schema):
    """Trims surrounding whitespace from every string value before validating."""

    @pre_load
    def _strip(self, data, **_kw):
        if not isinstance(data, dict):
            return data
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


# ---------------------------------------------------------------- requests
class TokenRequestSchema(_Stripped):
    email = fields.String(required=True, error_messages=_REQUIRED)
    password = fields.String(required=True, error_messages=_REQUIRED)
    name = fields.String(validate=validate.Length(max=100), load_default="api")


class RegisterSchema(_Stripped):
    email = fields.String(
        required=True, error_messages=_REQUIRED, validate=validate.Length(max=254)
    )
    password = fields.String(required=True, error_messages=_REQUIRED)
    name = _text(200)

    @validates("email")
    def _email(self, value, **_kw):
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


class ImportErrorSchema(Schema):
    row = fields.Integer()
    message = fields.String()


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))
