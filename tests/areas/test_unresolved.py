"""References left unresolved (by the migration) are listed for the admin and settled by
choosing the area, through the API and the page; nothing is guessed."""

import pytest
from sqlalchemy import select

from marketplace.areas.models import UnresolvedArea
from marketplace.audit.models import AuditLog
from marketplace.extensions import db
from marketplace.shops.models import Vendor
from tests.factories import make_user, make_vendor

pytestmark = pytest.mark.usefixtures("surabaya")


def _ref(table, row_id, kelurahan="Wonorejo", **kw):
    ref = UnresolvedArea(
        table_name=table,
        row_id=row_id,
        given_kelurahan=kelurahan,
        reason=kw.pop("reason", "ambiguous"),
        candidates=kw.pop("candidates", "35.78.03.1005,35.78.05.1005"),
        **kw,
    )
    db.session.add(ref)
    db.session.flush()
    return ref


def test_the_admin_lists_and_settles_a_shops_reference_through_the_api(api):
    shop = make_vendor(kelurahan="Wonorejo", kecamatan="Wonorejo")
    ref = _ref("vendors", shop.id, given_kecamatan="Wonorejo")
    admin = make_user("admin")
    db.session.commit()
    client = api(admin)

    listed = client.get("/api/v1/admin/areas/unresolved").json
    assert [(r["id"], r["candidates"]) for r in listed] == [
        (ref.id, ["35.78.03.1005", "35.78.05.1005"])
    ]
    resp = client.post(
        f"/api/v1/admin/areas/unresolved/{ref.id}/settle", json={"code": "35.78.03.1005"}
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["settled_code"] == "35.78.03.1005"
    db.session.expire_all()
    shop = db.session.get(Vendor, shop.id)
    assert (shop.area_code, shop.kelurahan, shop.kecamatan) == (
        "35.78.03.1005",
        "Wonorejo",
        "Rungkut",
    )
    assert client.get("/api/v1/admin/areas/unresolved").json == []
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "areas.settle"))
    assert audit.after == {"area_code": "35.78.03.1005"} and audit.actor_id == admin.id

    again = client.post(
        f"/api/v1/admin/areas/unresolved/{ref.id}/settle", json={"code": "35.78.05.1005"}
    )
    assert again.status_code == 422


def test_an_unknown_code_or_reference_is_refused(api):
    ref = _ref("users", make_user("public", kelurahan="Wonorejo").id)
    client = api(make_user("admin"))
    db.session.commit()
    bad = client.post(f"/api/v1/admin/areas/unresolved/{ref.id}/settle", json={"code": "1"})
    assert bad.status_code == 422 and "code" in bad.json["error"]["details"]
    missing = client.post(
        "/api/v1/admin/areas/unresolved/999/settle", json={"code": "35.78.03.1005"}
    )
    assert missing.status_code == 404


def test_only_the_admin_sees_the_list(api):
    assert api(make_user("finance")).get("/api/v1/admin/areas/unresolved").status_code == 403


def test_the_page_offers_the_candidates_and_settles_a_users_home(client, login):
    user = make_user("public", kelurahan="Wonorejo")
    ref = _ref("users", user.id)
    typo = _ref(
        "users",
        make_user("public", kelurahan="Ketintang Baru").id,
        "Ketintang Baru",
        reason="unknown",
        candidates="",
    )
    login(client, make_user("admin"))
    db.session.commit()

    html = client.get("/admin/areas/unresolved").get_data(as_text=True)
    assert 'value="35.78.03.1005">Wonorejo, Rungkut (35.78.03.1005)' in html
    assert 'value="35.78.05.1005">Wonorejo, Tegalsari (35.78.05.1005)' in html
    assert '<optgroup label="Gayungan">' in html  # an unknown name: every area to choose from
    assert typo.id

    resp = client.post(f"/admin/areas/unresolved/{ref.id}/settle", data={"code": "35.78.05.1005"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(user), user.id).area_code == "35.78.05.1005"
    assert f"/admin/areas/unresolved/{ref.id}/settle" not in client.get(
        "/admin/areas/unresolved"
    ).get_data(as_text=True)
