"""The finance payouts pages and the shop's balance page."""

from __future__ import annotations

from flask_babel import refresh

from marketplace.extensions import db
from marketplace.payouts.models import Payout
from tests.factories import make_user, make_vendor
from tests.payouts.journals import earn, pay, refund_after_payout


def test_finance_page_shows_empty_states_and_the_run_form(app, client, login, finance):
    login(client, finance)
    html = client.get("/finance/payouts").get_data(as_text=True)
    assert "Jalankan pembayaran sekarang" in html
    assert "Belum ada putaran pembayaran." in html
    assert "Tidak ada pembayaran dengan status ini." in html
    assert 'data-confirm="Jalankan pembayaran sekarang?' in html


def test_admin_may_look_but_not_run(app, client, login):
    admin = make_user("admin")
    db.session.commit()
    login(client, admin)
    html = client.get("/finance/payouts").get_data(as_text=True)
    assert "Belum ada putaran pembayaran." in html and 'data-testid="run-payouts"' not in html
    assert client.post("/finance/payouts/run", data={"adapter": "manual"}).status_code == 403


def test_shopkeepers_and_buyers_cannot_open_the_finance_page(app, client, login):
    owner = make_vendor().owner
    db.session.commit()
    login(client, owner)
    assert client.get("/finance/payouts").status_code == 403


def test_anonymous_visitors_are_sent_to_login(app, client):
    resp = client.get("/finance/payouts")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_finance_runs_payouts_from_the_page_and_marks_one_paid(
    app, client, login, finance, banked_vendor
):
    vendor = banked_vendor(name="Toko Sumber Rejeki")
    earn(vendor, 64_000)
    login(client, finance)

    resp = client.post(
        "/finance/payouts/run", data={"adapter": "manual", "as_of": ""}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    assert "1 pembayaran dibuat, total Rp64.000." in html
    assert "Toko Sumber Rejeki" in html and "Menunggu transfer" in html
    payout = db.session.query(Payout).one()
    assert f"PKN-PO-{payout.id}" in html and "Unduh berkas transfer bank (CSV)" in html

    bad = client.post(
        f"/finance/payouts/{payout.id}/mark-paid",
        data={"bank_reference": ""},
        follow_redirects=True,
    )
    assert "Periksa kembali isian formulir." in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == "pending"

    ok = client.post(
        f"/finance/payouts/{payout.id}/mark-paid",
        data={"bank_reference": "JTM-55", "next": "/finance/payouts?status=open"},
        follow_redirects=True,
    )
    assert f"Pembayaran PKN-PO-{payout.id} ditandai sudah dibayar." in ok.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == "paid"

    again = client.post(
        f"/finance/payouts/{payout.id}/mark-paid",
        data={"bank_reference": "JTM-56"},
        follow_redirects=True,
    )
    assert "cannot go from paid to paid" in again.get_data(as_text=True)


def test_a_run_with_nothing_to_pay_says_so(app, client, login, finance):
    login(client, finance)
    html = client.post(
        "/finance/payouts/run", data={"adapter": "manual"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Tidak ada saldo yang perlu dibayarkan saat ini." in html
    assert "Putaran ini tidak membuat pembayaran" in html


def test_run_page_lists_skipped_vendors_and_the_bank_file_downloads(
    app, client, login, finance, banked_vendor
):
    earn(banked_vendor(), 10_000)
    earn(make_vendor(name="Toko Belum Ada Rekening"), 3_000)
    login(client, finance)
    resp = client.post("/finance/payouts/run", data={"adapter": "manual"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "Toko yang dilewati" in html and "Toko Belum Ada Rekening" in html
    run_id = db.session.query(Payout).one().run_id
    csv_resp = client.get(f"/finance/payouts/runs/{run_id}/bank-file")
    assert csv_resp.mimetype == "text/csv" and b"PKN-PO-" in csv_resp.data
    assert b"Toko Belum Ada Rekening" not in csv_resp.data


def test_cancel_from_the_page_needs_a_reason(app, client, login, finance, banked_vendor):
    earn(banked_vendor(), 10_000)
    login(client, finance)
    client.post("/finance/payouts/run", data={"adapter": "manual"})
    payout = db.session.query(Payout).one()
    client.post(f"/finance/payouts/{payout.id}/cancel", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == "pending"
    client.post(f"/finance/payouts/{payout.id}/cancel", data={"reason": "Rekening salah"})
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == "cancelled"


def test_shop_page_shows_balance_cards_and_an_empty_history(app, client, login):
    vendor = make_vendor()
    pay(vendor, 21_000)
    earn(vendor, 9_000)
    login(client, vendor.owner)
    html = client.get("/shop/payouts").get_data(as_text=True)
    assert 'data-testid="balance-pending">Rp21.000' in html
    assert 'data-testid="balance-available">Rp9.000' in html
    assert 'data-testid="balance-paid-out">Rp0' in html
    assert "Belum ada pembayaran." in html
    assert "Rekening bank toko belum lengkap" in html


def test_shop_page_lists_only_its_own_payouts_and_the_debt(
    app, client, login, finance, banked_vendor
):
    from marketplace.payouts import services

    mine, other = banked_vendor(), banked_vendor()
    earn(mine, 40_000)
    earn(other, 70_000)
    run = services.run_payouts(finance)
    services.mark_payout_paid(finance, run.payouts[0].id, "REF-MINE")
    refund_after_payout(mine, 2_000)
    login(client, mine.owner)
    html = client.get("/shop/payouts").get_data(as_text=True)
    assert "REF-MINE" in html and "Rp40.000" in html and "Rp70.000" not in html
    assert "Ada refund setelah pembayaran sebesar Rp2.000" in html


def test_shop_page_is_available_in_english(app, client, login):
    vendor = make_vendor()
    db.session.commit()
    login(client, vendor.owner)
    refresh()  # tests share one app context across requests; drop the locale cached by the login
    html = client.get("/shop/payouts?lang=en").get_data(as_text=True)
    assert "Balance and payouts" in html and "No payouts yet." in html


def test_finance_cannot_open_the_shop_page(app, client, login, finance):
    login(client, finance)
    assert client.get("/shop/payouts").status_code == 403


def test_finance_page_filters_payouts_by_status(app, client, login, finance, banked_vendor):
    from marketplace.payouts import services

    paid_vendor, open_vendor = banked_vendor(name="Toko Lunas"), banked_vendor(name="Toko Menunggu")
    earn(paid_vendor, 10_000)
    earn(open_vendor, 20_000)
    run = services.run_payouts(finance)
    services.mark_payout_paid(
        finance, next(p.id for p in run.payouts if p.vendor_id == paid_vendor.id), "R"
    )
    login(client, finance)
    needs_action = (
        client.get("/finance/payouts").get_data(as_text=True).split("Putaran pembayaran")[0]
    )
    assert "Toko Menunggu" in needs_action and "Toko Lunas" not in needs_action
    paid = (
        client.get("/finance/payouts?status=paid")
        .get_data(as_text=True)
        .split("Putaran pembayaran")[0]
    )
    assert "Toko Lunas" in paid and "Toko Menunggu" not in paid


def test_shop_page_tells_the_working_day_a_payout_in_transit_should_arrive(
    app, client, login, finance, banked_vendor
):
    from marketplace.payouts import services

    shop = banked_vendor()
    earn(shop, 40_000)
    payout = services.run_payouts(finance).payouts[0]
    login(client, shop.owner)
    html = client.get("/shop/payouts").get_data(as_text=True)
    shown = payout.expected_by.strftime("%d-%m-%Y")
    assert f'data-testid="expected-{payout.id}">Perkiraan diterima {shown}' in html
    got = client.get("/api/v1/vendor/payouts").json["items"][0]
    assert got["expected_by"] == payout.expected_by.isoformat()
