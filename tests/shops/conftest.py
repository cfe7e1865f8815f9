"""Fixtures of the vendor tests: a shop with its owner, and clients signed in as them."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests.factories import make_category, make_product, make_vendor


@pytest.fixture
def shop(app):
    """A verified shop with a `sembako` category available."""
    make_category("sembako", "Sembako")
    make_category("umkm", "Produk UMKM")
    vendor = make_vendor(name="Warung Bu Sri")
    db.session.commit()  # an API error rolls the session back; committed rows survive it
    return vendor


@pytest.fixture
def owner(shop):
    return shop.owner


@pytest.fixture
def shop_api(api, owner):
    """A bearer-token API client of the shop's owner."""
    return api(owner)


@pytest.fixture
def other_shop(app):
    vendor = make_vendor(name="Toko Sebelah")
    db.session.commit()
    return vendor


@pytest.fixture
def page_client(client, login, owner):
    """A browser-style client signed in as the shop's owner."""
    return login(client, owner)


@pytest.fixture
def product(shop):
    made = make_product(shop, stock=10, name="Beras Medium", sku="BRS-1", price=12_000)
    db.session.commit()
    return made


# A valid shop application (API body); pages post it as a form.
VENDOR_APPLICATION = {
    "shop_name": "Warung Bu Sri",
    "type": "kelontong",
    "nib": "9120001234567",
    "npwp": "01.234.567.8-901.000",
    "pkp": False,
    "kelurahan": "Gubeng",
    "kecamatan": "Gubeng",
    "address": "Jl. Gubeng Kertajaya 5",
    "made_in_city": True,
}
