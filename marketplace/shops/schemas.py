"""Shapes of the vendor API: the owner's view of the shop and its products, stock movements,
sales report rows, the business class, shop applications and the admin's view of a shop.
Schemas check shape; services check rules."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from marketplace import primitives
from marketplace.api import (
    REQUIRED,
    DateField,
    NpwpField,
    PageQuery,
    PhoneField,
    StrippedSchema,
    Text,
    UtcDateTime,
    refuse_lookalike_name,
    text_field,
)
from marketplace.money import RUPIAH_FORMAT_MESSAGE, parse_rupiah
from marketplace.shops import rules
from marketplace.shops.flag_reviews import flag_states
from marketplace.shops.models import UMK_CLASSES, VENDOR_STATUSES, VENDOR_TYPES
from marketplace.shops.rules import ADJUSTMENT_KINDS, is_low_stock
from marketplace.timeutil import now_utc, year_of

_NOT_BLANK = validate.Length(min=1)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class Trimmed(Text):
    """A string with surrounding spaces removed; blank counts as missing when required. Control
    characters are refused (`api.Text`; tab, newline and CR only in a `multiline` field): NUL
    cannot be stored by PostgreSQL, and a vertical tab breaks every XLSX that shows the text."""

    def _deserialize(self, value, attr, data, **kwargs):
        return Text._deserialize(self, _strip(value), attr, data, **kwargs)


# ---------------------------------------------------------------- shop
class ShopSchema(Schema):
    """The owner's view of their shop (includes bank details and the status reason)."""

    id = fields.Integer()
    name = fields.String()
    type = fields.String()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    nib = fields.String()
    npwp = fields.String(allow_none=True)
    npwp_display = fields.Function(lambda v: primitives.format_npwp(v.npwp) or None)
    legal_entity_number = fields.String(allow_none=True)
    pkp = fields.Boolean()
    kelurahan = fields.String()
    kecamatan = fields.String()
    area_code = fields.String(allow_none=True)
    address = fields.String()
    made_in_city = fields.Boolean()
    umk_class = fields.Function(lambda v: v.effective_umk_class)
    umk_class_basis = fields.String()
    umk_class_declaration_id = fields.Integer(allow_none=True)
    class_review_flag = fields.Boolean()
    description = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    phone_display = fields.Function(lambda v: primitives.format_phone(v.phone) or None)
    bank_name = fields.String(allow_none=True)
    bank_account_number = fields.String(allow_none=True)
    bank_account_name = fields.String(allow_none=True)
    created_at = UtcDateTime()
    verified_at = UtcDateTime(allow_none=True)


class ShopUpdateSchema(Schema):
    """What a shopkeeper may change; status, NIB and class belong to the city."""

    name = Trimmed(validate=[validate.Length(min=2, max=200), refuse_lookalike_name])
    description = Trimmed(multiline=True, allow_none=True, validate=validate.Length(max=5000))
    # Stored in E.164; refused (422) when it is not an Indonesian number (primitives).
    phone = PhoneField()
    # The NPWP may be added or corrected by the shop (it is on its tax card); stored in 16 digits.
    npwp = NpwpField()
    address = Trimmed(multiline=True, validate=validate.Length(min=5, max=500))
    bank_name = Trimmed(allow_none=True, validate=validate.Length(max=100))
    bank_account_number = Trimmed(
        allow_none=True,
        validate=validate.Regexp(r"^\d{0,40}$", error=_l("Nomor rekening hanya angka.")),
    )
    bank_account_name = Trimmed(
        allow_none=True, validate=[validate.Length(max=200), refuse_lookalike_name]
    )


# ---------------------------------------------------------------- products
class ProductOwnerSchema(Schema):
    """The shopkeeper's view of a product: stock details, threshold and whether it is listed."""

    id = fields.Integer()
    sku = fields.String(allow_none=True)
    name = fields.String()
    description = fields.String()
    category = fields.Function(lambda p: p.category.slug)
    category_name = fields.Function(lambda p: p.category.name)
    unit = fields.String()
    price = fields.Integer()
    stock = fields.Integer()
    low_stock_threshold = fields.Integer()
    low_stock = fields.Function(lambda p: is_low_stock(p.stock, p.low_stock_threshold))
    is_active = fields.Boolean()
    # The approved (effective) flags; what the shop claimed and each claim's review state are in
    # `flag_review` ("pending" = menunggu tinjauan, "approved", "rejected" with the reason).
    is_local_product = fields.Boolean()
    is_pdn = fields.Boolean()
    tkdn_bps = fields.Integer(allow_none=True)
    vat_exempt = fields.Boolean()
    flag_review = fields.Function(lambda p: flag_states(p))
    listed = fields.Function(lambda p: p.is_listed)
    image_url = fields.Function(
        lambda p: url_for("core.uploaded_file", filename=p.image_path) if p.image_path else None
    )
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class _ProductFields(Schema):
    name = Trimmed(validate=validate.Length(min=2, max=200))
    description = Trimmed(multiline=True, validate=validate.Length(max=5000))
    category = Trimmed(validate=_NOT_BLANK)
    unit = Trimmed(validate=validate.Length(min=1, max=20))
    price = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=1_000_000_000, error=_l("Harga harus lebih dari 0.")),
    )
    sku = Trimmed(allow_none=True, validate=validate.Length(max=64))
    is_active = fields.Boolean()
    # Claims: true (or a changed TKDN) waits for the city's review, false applies at once.
    is_local_product = fields.Boolean()
    is_pdn = fields.Boolean()
    tkdn_bps = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(
            min=0, max=rules.TKDN_MAX_BPS, error=_l("TKDN 0–10000 basis poin (0–100 %).")
        ),
    )
    vat_exempt = fields.Boolean()
    low_stock_threshold = fields.Integer(strict=True, validate=validate.Range(min=0, max=1_000_000))


class ProductCreateSchema(_ProductFields):
    name = Trimmed(required=True, validate=validate.Length(min=2, max=200))
    category = Trimmed(required=True, validate=_NOT_BLANK)
    unit = Trimmed(required=True, validate=validate.Length(min=1, max=20))
    price = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=1_000_000_000, error=_l("Harga harus lebih dari 0.")),
    )
    stock = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(min=0, max=10_000_000, error=_l("Stok tidak boleh negatif.")),
    )


class ProductUpdateSchema(_ProductFields):
    """Every field optional. Stock is not here: it changes only through adjustments, so each
    change has a reason in the movement history."""

    stock = fields.Raw()

    @validates("stock")
    def _no_stock(self, value, **_kw):
        raise ValidationError(
            str(_l("Stok diubah lewat penyesuaian stok (stock-adjustments), bukan di sini."))
        )


class ProductListQuery(PageQuery):
    q = Trimmed(load_default=None, validate=validate.Length(max=200))
    active = fields.Boolean(load_default=None)
    low_stock = fields.Boolean(load_default=None)


# ---------------------------------------------------------------- stock
class StockAdjustmentSchema(Schema):
    delta = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=-10_000_000, max=10_000_000)
    )
    reason = Trimmed(
        multiline=True,
        required=True,
        validate=validate.Length(
            min=3, max=500, error=_l("Tulis alasan perubahan stok (minimal 3 huruf).")
        ),
    )
    kind = fields.String(load_default=None, validate=validate.OneOf(ADJUSTMENT_KINDS))

    @validates("delta")
    def _non_zero(self, value, **_kw):
        if value == 0:
            raise ValidationError(str(_l("Perubahan stok tidak boleh 0.")))


class StockActorSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class StockMovementSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    delta = fields.Integer()
    stock_after = fields.Integer()
    kind = fields.String()
    note = fields.String(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    actor = fields.Nested(StockActorSchema, allow_none=True)
    created_at = UtcDateTime()


class StockAdjustmentResultSchema(Schema):
    stock = fields.Integer()
    movement = fields.Nested(StockMovementSchema)


# ---------------------------------------------------------------- import
class ProductImportErrorSchema(Schema):
    row = fields.Integer()
    message = fields.String()


class ProductImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ProductImportErrorSchema))


# ---------------------------------------------------------------- sales and class
class ShopSalesReportQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    group_by = fields.String(load_default="day", validate=validate.OneOf(("day", "month")))
    date_from = DateField(data_key="from", load_default=None)
    date_to = DateField(data_key="to", load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))

    @validates_schema
    def _order(self, data, **_kw):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(str(_l("Tanggal awal harus sebelum tanggal akhir.")), "from")


class ShopSalesRowSchema(Schema):
    period = fields.String()
    orders = fields.Integer()
    gross = fields.Integer()
    refunds = fields.Integer()
    net = fields.Integer()


class ShopSalesTotalsSchema(Schema):
    orders = fields.Integer()
    gross = fields.Integer()
    refunds = fields.Integer()
    net = fields.Integer()


class ShopSalesReportSchema(Schema):
    group_by = fields.String()
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    rows = fields.List(fields.Nested(ShopSalesRowSchema))
    totals = fields.Nested(ShopSalesTotalsSchema)


class BusinessClassFlagSchema(Schema):
    """Something about a shop's class for the city to look at (platform sales above the class,
    or a large business)."""

    id = fields.Integer()
    vendor_id = fields.Integer()
    vendor_name = fields.Function(lambda f: f.vendor.name)
    kind = fields.String()
    umk_class = fields.String()
    amount = fields.Integer()
    ceiling = fields.Integer(allow_none=True)
    declaration_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)
    resolution = fields.String(allow_none=True)


class BusinessClassSchema(Schema):
    vendor_id = fields.Integer()
    umk_class = fields.String()
    basis = fields.String()
    declaration_id = fields.Integer(allow_none=True)
    override = fields.String(allow_none=True)
    pkp = fields.Boolean()
    pending_declaration_id = fields.Integer(allow_none=True)
    class_review_flag = fields.Boolean()
    flags = fields.List(fields.Nested(BusinessClassFlagSchema))
    rolling_12m_sales = fields.Integer()
    annualised_platform_sales = fields.Integer()


class BusinessClassOverrideSchema(Schema):
    umk_class = fields.String(required=True, allow_none=True, validate=validate.OneOf(UMK_CLASSES))
    reason = Trimmed(
        multiline=True, load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )


class Rupiah(fields.Integer):
    """Whole rupiah as a JSON integer or as typed in a form (`2000000000`, `2.000.000.000`,
    `Rp 2.000.000.000`; money.parse_rupiah)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            try:
                return parse_rupiah(value)
            except ValueError:
                raise ValidationError(str(_l(RUPIAH_FORMAT_MESSAGE))) from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(str(_l(RUPIAH_FORMAT_MESSAGE)))
        return value


MAX_DECLARED_RUPIAH = 10**15  # Rp1 kuadriliun: far above any business, inside BIGINT


class DeclarationCreateSchema(Schema):
    """A shop's declaration: annual sales (or capital for a new business), the year it refers
    to and where the figure comes from; the document travels beside it in the multipart body."""

    basis = fields.String(
        required=True, validate=validate.OneOf(rules.DECLARATION_BASES), error_messages=REQUIRED
    )
    amount = Rupiah(
        required=True,
        validate=validate.Range(min=0, max=MAX_DECLARED_RUPIAH),
        error_messages=REQUIRED,
    )
    year = fields.Integer(required=True, error_messages=REQUIRED)
    source = fields.String(
        required=True, validate=validate.OneOf(rules.DECLARATION_SOURCES), error_messages=REQUIRED
    )
    note = Trimmed(
        multiline=True, load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )

    @validates("year")
    def _year(self, value, **_kw):
        this_year = year_of(now_utc())
        if not 2000 <= value <= this_year:
            raise ValidationError(str(_l("Tahun antara 2000 dan %(y)s.", y=this_year)))


class DeclarationSchema(Schema):
    """A declaration as its shop sees it."""

    id = fields.Integer()
    vendor_id = fields.Integer()
    basis = fields.String()
    amount = fields.Integer()
    year = fields.Integer()
    source = fields.String()
    note = fields.String(allow_none=True)
    document_name = fields.String()
    document_type = fields.String()
    document_url = fields.Function(
        lambda d: url_for("vendor.declaration_document_page", declaration_id=d.id)
    )
    status = fields.String()
    decided_class = fields.String(allow_none=True)
    review_reason = fields.String(allow_none=True)
    reviewed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()


class DeclarationAdminSchema(DeclarationSchema):
    """A declaration in the city's review queue: with its shop and the class approval would give."""

    vendor_name = fields.Function(lambda d: d.vendor.name)
    pkp = fields.Function(lambda d: d.vendor.pkp)
    current_class = fields.Function(lambda d: d.vendor.effective_umk_class)
    proposed_class = fields.Function(
        lambda d: rules.class_for_declaration(d.basis, d.amount, d.vendor.pkp)
    )


class DeclarationListQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(
        load_default="pending", validate=validate.OneOf((*rules.DECLARATION_STATUSES, "all"))
    )


class FlagListQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    open = fields.Boolean(load_default=True)


class ApproveDeclarationSchema(Schema):
    reason = Trimmed(
        multiline=True, load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )


class ReasonSchema(Schema):
    """A decision that must say why (rejecting a declaration, closing a flag)."""

    reason = Trimmed(
        multiline=True,
        required=True,
        error_messages=REQUIRED,
        validate=validate.Length(min=3, max=1000, error=_l("Tulis alasannya (minimal 3 huruf).")),
    )


# ---------------------------------------------------------------- shop applications (admin review)
# Messages here are plain Indonesian strings: the application page translates them per field.


class VendorApplicationSchema(StrippedSchema):
    shop_name = text_field(200, name=True)
    type = fields.String(
        required=True,
        error_messages=REQUIRED,
        validate=validate.OneOf(VENDOR_TYPES, error="Pilih salah satu: {choices}."),
    )
    nib = fields.String(required=True, error_messages=REQUIRED)
    # Loaded as its stored 16 digits (primitives.parse_npwp): 15 or 16 digits, dotted or bare.
    npwp = NpwpField(load_default=None)
    # Required for a koperasi, refused for other kinds (rules.legal_entity_problem).
    legal_entity_number = Text(allow_none=True, load_default=None)
    phone = PhoneField(load_default=None)
    pkp = fields.Boolean(load_default=False)
    # A kelurahan name (or its Kemendagri code), its kecamatan when the name is not unique in
    # the city, or `area_code` alone: areas.services.resolve_place decides.
    kelurahan = text_field(100, required=False, load_default=None)
    kecamatan = text_field(100, required=False, load_default=None)
    area_code = text_field(13, required=False, load_default=None)
    address = text_field(500, multiline=True)
    made_in_city = fields.Boolean(required=True, error_messages=REQUIRED)

    @validates("nib")
    def _nib(self, value, **_kw):
        if not rules.is_valid_nib(value):
            raise ValidationError("NIB harus 13 angka.")

    @validates_schema
    def _legal_entity(self, data, **_kw):
        try:
            number = rules.normalise_koperasi_number(data.get("legal_entity_number"))
        except ValueError as err:
            raise ValidationError(str(err), "legal_entity_number") from None
        problem = rules.legal_entity_problem(data.get("type", ""), number)
        if problem:
            raise ValidationError(problem, "legal_entity_number")


class DecisionSchema(StrippedSchema):
    reason = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=500, error="Maksimal {max} karakter."),
    )


# ---------------------------------------------------------------- product flag review (admin)
class FlagDecisionSchema(StrippedSchema):
    """Approve or reject a product's pending claims: all of them, or the `flags` listed."""

    flags = fields.List(
        fields.String(validate=validate.OneOf(rules.FLAGS)),
        load_default=None,
        validate=validate.Length(min=1, max=3),
    )
    reason = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=500, error="Maksimal {max} karakter."),
    )


class PendingClaimSchema(Schema):
    flag = fields.String()
    tkdn_bps = fields.Integer(allow_none=True)
    claimed_at = UtcDateTime()


class FlagReviewItemSchema(Schema):
    """A product in the city's review queue with its pending claims."""

    product_id = fields.Integer()
    name = fields.String()
    category = fields.String()
    vendor = fields.Dict()
    made_in_city = fields.Boolean()
    basic_necessity = fields.String(allow_none=True)
    pending = fields.List(fields.Nested(PendingClaimSchema))
    approved = fields.Dict(keys=fields.String(), values=fields.Boolean())
    tkdn_bps = fields.Integer(allow_none=True)


class VendorListQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(VENDOR_STATUSES))
    q = fields.String(validate=validate.Length(max=100))


class VendorSchema(Schema):
    """A shop as the admin (and its owner) sees it."""

    id = fields.Integer()
    name = fields.String()
    type = fields.String()
    status = fields.String()
    nib = fields.String()
    npwp = fields.String(allow_none=True)
    npwp_display = fields.Function(lambda v: primitives.format_npwp(v.npwp) or None)
    legal_entity_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    pkp = fields.Boolean()
    kelurahan = fields.String()
    kecamatan = fields.String()
    area_code = fields.String(allow_none=True)
    address = fields.String()
    made_in_city = fields.Boolean()
    umk_class = fields.String(attribute="effective_umk_class")
    umk_class_basis = fields.String()
    umk_class_declaration_id = fields.Integer(allow_none=True)
    class_review_flag = fields.Boolean()
    status_reason = fields.String(allow_none=True)
    owner_id = fields.Integer()
    created_at = UtcDateTime()
    verified_at = UtcDateTime(allow_none=True)
