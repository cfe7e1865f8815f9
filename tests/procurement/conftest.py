"""An office with its procurement roles and two local shops selling sembako."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from marketplace.procurement.models import OfficeRole
from tests.factories import make_category, make_civil_servant, make_opd, make_product, make_vendor

BUDGET_LINE = "5.1.02.01.01.0024"


def give(user, *roles):
    for role in roles:
        db.session.add(OfficeRole(opd_id=user.opd_id, user_id=user.id, role=role))
    db.session.flush()


@pytest.fixture
def office(app):
    opd = make_opd("DINKOP", "Dinas Koperasi")
    officer = make_civil_servant(opd=opd, name="Sari Pengadaan")
    ppk = make_civil_servant(opd=opd, name="Budi PPK")
    head = make_civil_servant(opd=opd, name="Kepala Dinas")
    treasurer = make_civil_servant(opd=opd, name="Rina Bendahara")
    plain = make_civil_servant(opd=opd, name="Staf Biasa")
    give(officer, "officer")
    give(ppk, "ppk")
    give(head, "head")
    give(treasurer, "treasurer")
    other_opd = make_opd("DINKES", "Dinas Kesehatan")
    other_ppk = make_civil_servant(opd=other_opd, name="PPK Dinkes")
    other_officer = make_civil_servant(opd=other_opd, name="Pengadaan Dinkes")
    give(other_ppk, "ppk")
    give(other_officer, "officer")
    sembako = make_category("sembako", "Sembako")
    fashion = make_category("fashion", "Fashion")
    shop_a = make_vendor(name="Toko Beras Bu Tin")
    shop_b = make_vendor(name="Warung Minum Pak Ali")
    rice = make_product(shop_a, name="Beras 5 kg", price=75_000, stock=20, category=sembako)
    oil = make_product(shop_a, name="Minyak goreng 2 L", price=38_000, stock=10, category=sembako)
    water = make_product(shop_b, name="Air mineral 1 dus", price=45_000, stock=5, category=sembako)
    batik = make_product(shop_b, name="Kemeja batik", price=250_000, stock=5, category=fashion)
    db.session.commit()
    return SimpleNamespace(
        opd=opd,
        officer=officer,
        ppk=ppk,
        head=head,
        treasurer=treasurer,
        plain=plain,
        other_opd=other_opd,
        other_ppk=other_ppk,
        other_officer=other_officer,
        shop_a=shop_a,
        shop_b=shop_b,
        rice=rice,
        oil=oil,
        water=water,
        batik=batik,
    )


def fill_cart(
    api_client,
    items,
    *,
    budget_line=BUDGET_LINE,
    activity="Rapat koordinasi UMKM",
    purpose="Konsumsi rapat 40 orang",
):
    """PUT each (product, quantity) and PATCH the fields; returns the last cart answer."""
    for product, quantity in items:
        resp = api_client.put(
            "/api/v1/opd/cart/items", json={"product_id": product.id, "quantity": quantity}
        )
        assert resp.status_code == 200, resp.get_json()
    resp = api_client.patch(
        "/api/v1/opd/cart",
        json={"budget_line": budget_line, "activity": activity, "purpose": purpose},
    )
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def submitted(api, office, items=None):
    """A request submitted by the office's officer; returns its JSON."""
    officer = api(office.officer)
    fill_cart(officer, items or [(office.rice, 2), (office.water, 3)])
    resp = officer.post("/api/v1/opd/cart/submit")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()
