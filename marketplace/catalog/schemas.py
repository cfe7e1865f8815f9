"""Shapes of the catalog API: the public product and category views, the search query and the
admin's category forms. Schemas check shape; services check rules (e.g. a slug already taken)."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates

from marketplace.api import PageQuery, UtcDateTime
from marketplace.catalog import rules


def _locale() -> str:
    return str(get_locale() or "id")


class Trimmed(fields.String):
    """A string with surrounding spaces removed. A NUL character is refused (PostgreSQL cannot
    store or compare it, so it would otherwise surface as a server error)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise ValidationError(_l("Tidak boleh berisi karakter NUL."))
        return value.strip()


# ---------------------------------------------------------------- query
class ProductQuery(PageQuery):
    """`GET /products` filters. Empty values (an untouched form field) count as absent."""

    class Meta:
        unknown = EXCLUDE

    q = Trimmed(load_default=None, validate=validate.Length(max=200))
    category = Trimmed(load_default=None, validate=validate.Length(max=60))
    vendor_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    # A kelurahan name or code; `kecamatan` tells two kelurahan of one name apart.
    kelurahan = Trimmed(load_default=None, validate=validate.Length(max=100))
    kecamatan = Trimmed(load_default=None, validate=validate.Length(max=100))
    local_only = fields.Boolean(load_default=False)
    in_stock = fields.Boolean(load_default=False)
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(
            rules.SORTS,
            error=_l("Urutan harus salah satu dari: relevance, price, -price, newest, nearest."),
        ),
    )

    @pre_load
    def _drop_blanks(self, data, **kwargs):
        return {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}


# ---------------------------------------------------------------- public views
class CategorySchema(Schema):
    """A category as buyers see it: its name in the request's language."""

    slug = fields.String()
    name = fields.Function(lambda c: rules.localized_name(c.name, c.name_en, _locale()))


class CategoryAdminSchema(Schema):
    """A category with both names, for the admin."""

    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)


class VendorPublicSchema(Schema):
    """What buyers may know about a shop (no bank details, no NIB)."""

    id = fields.Integer()
    name = fields.String()
    type = fields.String()
    kelurahan = fields.String()
    kecamatan = fields.String()
    area_code = fields.String(allow_none=True)
    umk_class = fields.Function(lambda v: v.effective_umk_class)


def _purchasable(product) -> bool:
    return rules.is_purchasable(
        is_active=product.is_active,
        vendor_status=product.vendor.status,
        stock=product.stock,
        at_cap=bool(product.cap_reached),
    )


def _image_url(product) -> str | None:
    if not product.image_path:
        return None
    return url_for("core.uploaded_file", filename=product.image_path)


class ProductSchema(Schema):
    """A listed product as anyone sees it. `category` is the slug; `category_name` is localised."""

    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    category = fields.Function(lambda p: p.category.slug)
    category_name = fields.Function(
        lambda p: rules.localized_name(p.category.name, p.category.name_en, _locale())
    )
    unit = fields.String()
    price = fields.Integer()
    stock = fields.Integer()
    is_local_product = fields.Boolean()
    is_pdn = fields.Boolean()
    vat_exempt = fields.Boolean()
    purchasable = fields.Function(_purchasable)
    vendor = fields.Nested(VendorPublicSchema)
    image_url = fields.Function(_image_url)
    created_at = UtcDateTime()


# ---------------------------------------------------------------- admin input
class _CategoryFields(Schema):
    slug = Trimmed(validate=validate.Length(min=2, max=60))
    name = Trimmed(validate=validate.Length(min=2, max=100))
    name_en = Trimmed(allow_none=True, validate=validate.Length(max=100))

    @validates("slug")
    def _slug_shape(self, value, **kwargs):
        if not rules.is_valid_slug(value):
            raise ValidationError(
                _l("Slug hanya huruf kecil, angka dan tanda hubung (contoh: kue-dan-roti).")
            )


class CategoryCreateSchema(_CategoryFields):
    """`{slug, name, name_en?}` for a new category."""

    slug = Trimmed(required=True, validate=validate.Length(min=2, max=60))
    name = Trimmed(required=True, validate=validate.Length(min=2, max=100))


class CategoryUpdateSchema(_CategoryFields):
    """Any of `{slug, name, name_en}`; a blank `name_en` clears the English name."""
