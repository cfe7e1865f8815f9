"""Shapes of the accounts API: what it takes (checked here) and what it answers.

Schemas check shape only; the rules that need the database (email taken, one shop per owner)
live in the services.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates

from marketplace.accounts import rules
from marketplace.api import PageQuery, UtcDateTime

# The same values as marketplace.shops.models (checked by a test); not imported from there
# because loading another area's package from here makes an import cycle.
VENDOR_TYPES = ("kelontong", "umkm", "food_centre")
VENDOR_STATUSES = ("pending", "verified", "suspended")

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


class VendorApplicationSchema(_Stripped):
    shop_name = _text(200)
    type = fields.String(
        required=True,
        error_messages=_REQUIRED,
        validate=validate.OneOf(VENDOR_TYPES, error="Pilih salah satu: {choices}."),
    )
    nib = fields.String(required=True, error_messages=_REQUIRED)
    npwp = fields.String(allow_none=True, load_default=None)
    pkp = fields.Boolean(load_default=False)
    kelurahan = _text(100)
    kecamatan = _text(100)
    address = _text(500)
    made_in_city = fields.Boolean(required=True, error_messages=_REQUIRED)

    @validates("nib")
    def _nib(self, value, **_kw):
        if not rules.is_valid_nib(value):
            raise ValidationError("NIB harus 13 angka.")

    @validates("npwp")
    def _npwp(self, value, **_kw):
        try:
            rules.normalise_npwp(value)
        except ValueError as err:
            raise ValidationError(str(err)) from None


class DecisionSchema(_Stripped):
    reason = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=500, error="Maksimal {max} karakter."),
    )


class VendorListQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(VENDOR_STATUSES))
    q = fields.String(validate=validate.Length(max=100))


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


class VendorSchema(Schema):
    """A shop as the admin (and its owner) sees it."""

    id = fields.Integer()
    name = fields.String()
    type = fields.String()
    status = fields.String()
    nib = fields.String()
    npwp = fields.String(allow_none=True)
    pkp = fields.Boolean()
    kelurahan = fields.String()
    kecamatan = fields.String()
    address = fields.String()
    made_in_city = fields.Boolean()
    umk_class = fields.String(attribute="effective_umk_class")
    status_reason = fields.String(allow_none=True)
    owner_id = fields.Integer()
    created_at = UtcDateTime()
    verified_at = UtcDateTime(allow_none=True)


class ImportErrorSchema(Schema):
    row = fields.Integer()
    message = fields.String()


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))
