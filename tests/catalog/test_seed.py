"""The demo data: loads on an empty database, twice without changes, with working demo logins."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace import demo
from marketplace.accounts.models import Opd, User
from marketplace.areas.models import Area
from marketplace.catalog import services
from marketplace.catalog.models import Category, Product
from marketplace.extensions import db
from marketplace.shops.models import StockMovement, Vendor

pytestmark = pytest.mark.usefixtures("app")

MODELS = (Area, Opd, Category, User, Vendor, Product, StockMovement)


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seeding_twice_changes_nothing_the_second_time():
    first = demo.seed_demo()
    counts = _counts()

    second = demo.seed_demo()

    assert first.total > 0
    assert second.total == 0
    assert _counts() == counts


def test_seed_lists_at_least_sixty_products_with_sembako_and_local_products():
    demo.seed_demo()

    listed = services.search_products({"page": 1, "per_page": 100}, None)
    sembako = services.search_products({"page": 1, "per_page": 100, "category": "sembako"}, None)
    local = services.search_products({"page": 1, "per_page": 100, "local_only": True}, None)

    assert listed.total >= 60
    assert sembako.total >= 10
    assert all(p.vendor.type in ("kelontong", "koperasi") for p in sembako.items)
    assert local.total >= 20
    beras = db.session.scalar(
        select(Product).where(Product.name == "Beras Premium 5 kg", Product.sku == "BS-BRS-5")
    )
    assert (beras.price, beras.vat_exempt, beras.is_pdn) == (75_000, True, True)


def test_demo_flags_are_approved_through_the_city_review():
    from marketplace.catalog.models import ProductFlagReview
    from marketplace.shops.flag_reviews import pending_count

    demo.seed_demo()
    assert pending_count() == 0
    statuses = db.session.scalars(select(ProductFlagReview.status).distinct()).all()
    assert statuses == ["approved"]
    garlic = db.session.scalar(select(Product).where(Product.name.like("Bawang Putih Kating%")))
    assert (garlic.vat_exempt, garlic.is_pdn) == (True, False)


def test_seed_has_verified_vendors_of_each_type_and_one_pending_and_one_suspended():
    demo.seed_demo()

    rows = db.session.execute(select(Vendor.type, Vendor.status)).all()
    verified_types = {t for t, s in rows if s == "verified"}

    assert sum(1 for _, s in rows if s == "verified") >= 6
    assert verified_types == {"kelontong", "umkm", "food_centre", "koperasi"}
    koperasi = db.session.scalar(select(Vendor).where(Vendor.type == "koperasi"))
    assert koperasi.legal_entity_number == "AHU-0003217.AH.01.26.TAHUN 2021"
    assert (koperasi.npwp, koperasi.phone) == ("0023456789614000", "+6281330124455")
    assert sorted(s for _, s in rows if s != "verified") == ["pending", "suspended"]


def test_demo_logins_exist_with_the_demo_password():
    demo.seed_demo()

    expected = {
        "admin@demo.peken.id": "admin",
        "finance@demo.peken.id": "finance",
        "asn1@demo.peken.id": "civil_servant",
        "asn12@demo.peken.id": "civil_servant",
        "warung1@demo.peken.id": "vendor",
        "warga1@demo.peken.id": "public",
    }
    for email, role in expected.items():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.role == role, email
        assert user.check_password(demo.DEMO_PASSWORD), email


def test_demo_civil_servants_have_nips_opds_positions_and_known_kelurahan():
    demo.seed_demo()

    servants = db.session.scalars(select(User).where(User.role == "civil_servant")).all()
    areas = {a.code: a.name for a in db.session.scalars(select(Area))}

    assert len(servants) == 14
    assert all(len(u.nip) == 18 and u.nip.isdigit() for u in servants)
    assert all(u.opd_id and areas[u.area_code] == u.kelurahan for u in servants)
    assert {"Camat", "Lurah", "Kepala Seksi", "Staf"} <= {u.position for u in servants}
    assert len({u.opd_id for u in servants}) >= 5


def test_registered_seeders_run_after_the_core_data(monkeypatch):
    seen = []
    monkeypatch.setattr(
        demo,
        "SEEDERS",
        [lambda: seen.append(db.session.scalar(select(func.count()).select_from(Product)))],
    )

    demo.seed_demo()

    assert seen and seen[0] >= 60


def test_seed_demo_command_reports_progress_and_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    assert first.exit_code == 0, first.output
    assert "Toko dan produk" in first.output and "baris baru" in first.output
    assert second.exit_code == 0 and "tidak ada yang diubah" in second.output


def test_demo_purchases_leave_real_orders_a_refund_and_a_balanced_ledger():
    from marketplace.ledger.services import account_balances
    from marketplace.ordering.models import Order
    from marketplace.payments.models import Refund

    demo.seed_demo()
    statuses = set(db.session.scalars(db.select(Order.status)))
    assert {"paid", "accepted", "ready", "completed"} <= statuses
    assert db.session.scalar(db.select(db.func.count()).select_from(Refund)) == 1
    assert sum(account_balances().values()) == 0
    from marketplace.finance.services import get_targets
    from marketplace.timeutil import now_utc, year_of

    targets = get_targets(year_of(now_utc()))
    assert targets["is_set"] and targets["umk"] > 0 and "DINKOPDAG" in targets["by_opd"]
    orders_before = db.session.scalar(db.select(db.func.count()).select_from(Order))
    demo.seed_demo()
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == orders_before


def test_a_payout_run_on_the_demo_data_pays_the_shops_with_completed_orders():
    from marketplace.payouts.services import run_payouts

    demo.seed_demo()
    finance = db.session.scalar(select(User).where(User.email == "finance@demo.peken.id"))

    run = run_payouts(finance)

    assert len(run.payouts) >= 2 and run.total > 0
    assert run.flagged == []  # every demo shop has a bank account


def test_the_demo_office_has_its_four_roles_a_paid_purchase_and_one_waiting():
    from marketplace.ordering.models import Order
    from marketplace.procurement.models import Bast, OfficeRole, PurchaseRequest
    from marketplace.procurement.payment_models import OpdPayment

    demo.seed_demo()
    roles = {
        (r.user.email, r.role)
        for r in db.session.scalars(select(OfficeRole).join(Opd).where(Opd.code == "DINKES"))
    }
    assert {
        ("asn12@demo.peken.id", "officer"),
        ("asn5@demo.peken.id", "ppk"),
        ("asn13@demo.peken.id", "treasurer"),
        ("asn14@demo.peken.id", "head"),
    } <= roles
    requests = {r.activity: r for r in db.session.scalars(select(PurchaseRequest)).all()}
    done = requests[demo.DEMO_OFFICE_DONE]
    assert done.status == "approved"
    assert requests[demo.DEMO_OFFICE_WAITING].status == "submitted"
    orders = db.session.scalars(select(Order).where(Order.checkout_id == done.checkout_id)).all()
    assert len({o.vendor_id for o in orders}) == 2
    assert {o.status for o in orders} == {"received"} and all(o.paid_at for o in orders)
    basts = db.session.scalars(select(Bast).where(Bast.request_id == done.id)).all()
    assert len(basts) == 2 and all(b.scan_path for b in basts)
    payments = db.session.scalars(select(OpdPayment)).all()
    assert {p.method for p in payments} == {"sp2d"} and len(payments) == 2
    count = db.session.scalar(select(func.count()).select_from(PurchaseRequest))
    demo.seed_demo()
    assert db.session.scalar(select(func.count()).select_from(PurchaseRequest)) == count
