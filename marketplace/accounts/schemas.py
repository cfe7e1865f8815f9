"""Shapes of the accounts API: what it takes (checked here) and what it answers.

Schemas check shape only; the rules that need the database (email taken) live in the services.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from marketplace import primitives, text
from marketplace.accounts import rules
from marketplace.api import REQUIRED, PhoneField, StrippedSchema, Text, UtcDateTime, text_field


# ---------------------------------------------------------------- requests
def _refuse_lookalike(value: str) -> None:
    problem = text.email_problem(rules.normalise_email(value))
    if problem is not None:
        raise ValidationError(problem)


def _refuse_lookalike_login(value: str) -> None:
    if rules.login_nip(value) is None:
        _refuse_lookalike(value)


class TokenRequestSchema(StrippedSchema):
    """`login` is an email or an ASN's 18-digit NIP (spaces allowed); `email` still works as
    before. One of the two is required; `login` wins when both are given."""

    login = fields.String(
        required=False,
        load_default=None,
        validate=[validate.Length(max=254), _refuse_lookalike_login],
        metadata={"description": "Email or 18-digit NIP", "example": "198001012006041001"},
    )
    email = fields.String(required=False, load_default=None, validate=_refuse_lookalike)
    password = fields.String(required=True, error_messages=REQUIRED)
    name = text_field(100, required=False, load_default="api")

    @post_load
    def _one_login(self, data, **_kw):
        if not data.get("login") and not data.get("email"):
            raise ValidationError("Isi email atau NIP.", field_name="login")
        data["login"] = data.get("login") or data["email"]
        return data


class RegisterSchema(StrippedSchema):
    """Sign-up: email, password, name and, optionally, the home kelurahan (a name, with its
    kecamatan when not unique in the city, or a code) that `nearest` ranks shops by."""

    email = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=254))
    password = fields.String(required=True, error_messages=REQUIRED)
    name = text_field(200, name=True)
    kelurahan = text_field(100, required=False, load_default=None)
    kecamatan = text_field(100, required=False, load_default=None)
    area_code = text_field(13, required=False, load_default=None)

    @validates("email")
    def _email(self, value, **_kw):
        _refuse_lookalike(value)
        if not rules.is_valid_email(rules.normalise_email(value)):
            raise ValidationError("Alamat email tidak valid.")


class ContactSchema(StrippedSchema):
    """`PATCH /me`: the caller's own phone number (optional; blank or null clears it). Stored in
    E.164; a number that is not Indonesian is refused (422)."""

    phone = PhoneField(required=True, error_messages=REQUIRED)


class HomeAreaSchema(StrippedSchema):
    """A public user's home kelurahan (for `nearest`): a name (with its kecamatan when not
    unique in the city) or a code; all empty clears it."""

    kelurahan = text_field(100, required=False, load_default=None)
    kecamatan = text_field(100, required=False, load_default=None)
    area_code = text_field(13, required=False, load_default=None)


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
    kecamatan = fields.Function(lambda u: u.area.kecamatan_name if u.area else None)
    area_code = fields.String(allow_none=True)
    vendor_id = fields.Integer(allow_none=True)
    # E.164, and as people write it; the shop of an order sees it as a WhatsApp link.
    phone = fields.String(allow_none=True)
    phone_display = fields.Function(lambda u: primitives.format_phone(u.phone) or None)


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


class ImportWarningSchema(Schema):
    row = fields.Integer()
    message = fields.String()
    position = fields.String(allow_none=True)


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))
    warnings = fields.List(
        fields.Nested(ImportWarningSchema),
        metadata={"description": "Rows imported with a warning (a position matching no class)."},
    )


# ---------------------------------------------------------------- city settings
class CitySchema(Schema):
    """The city's settings as pages use them (anyone may read them)."""

    code = fields.String(metadata={"description": "Kemendagri code of the city, e.g. 35.78."})
    name = fields.String(metadata={"example": "Kota Surabaya"})
    short_name = fields.String()
    platform_name = fields.String()
    office_shops = fields.String(metadata={"description": "The office that curates shops."})
    office_shops_name = fields.String()
    office_finance = fields.String()
    office_finance_name = fields.String()
    office_hr = fields.String()
    office_hr_name = fields.String()
    district_label = fields.String(metadata={"description": "Kecamatan, or Kemantren, …"})
    village_label = fields.String(metadata={"description": "Kelurahan, or Desa."})
    timezone = fields.String(
        metadata={"description": "Asia/Jakarta, Asia/Makassar or Asia/Jayapura."}
    )
    zone_label = fields.String(metadata={"description": "WIB, WITA or WIT."})
    currency_symbol = fields.String()
    thousands_separator = fields.String()


class CityAdminSchema(CitySchema):
    defaults = fields.Nested(
        CitySchema, metadata={"description": "From PEKEN_CITY and the environment."}
    )
    changed = fields.List(fields.String(), metadata={"description": "Fields an admin changed."})


class CityUpdateSchema(Schema):
    """Some settings (absent: unchanged; null: back to the default). Names may not be blank; the
    zone is one of Indonesia's three."""

    name = Text(allow_none=True)
    short_name = Text(allow_none=True)
    platform_name = Text(allow_none=True)
    office_shops = Text(allow_none=True)
    office_shops_name = Text(allow_none=True)
    office_finance = Text(allow_none=True)
    office_finance_name = Text(allow_none=True)
    office_hr = Text(allow_none=True)
    office_hr_name = Text(allow_none=True)
    district_label = Text(allow_none=True)
    village_label = Text(allow_none=True)
    timezone = Text(allow_none=True)
    currency_symbol = Text(allow_none=True)
    thousands_separator = fields.String(allow_none=True)
