"""Answers and bodies of the areas API."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from marketplace.api import UtcDateTime, text_field


class AreaSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    kecamatan_code = fields.String()
    kecamatan = fields.String(attribute="kecamatan_name")
    city_code = fields.String()
    postal_code = fields.String(allow_none=True)


class AreaQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    kecamatan = text_field(100, required=False, load_default=None)


class UnresolvedAreaSchema(Schema):
    id = fields.Integer()
    table_name = fields.String()
    row_id = fields.Integer()
    given_kelurahan = fields.String()
    given_kecamatan = fields.String(allow_none=True)
    reason = fields.String()
    candidates = fields.List(fields.String(), attribute="candidate_codes")
    created_at = UtcDateTime()
    settled_at = UtcDateTime(allow_none=True)
    settled_code = fields.String(allow_none=True)


class SettleSchema(Schema):
    code = text_field(13)
