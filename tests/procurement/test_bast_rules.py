"""The BAST's pure rules: its number, who makes it, who sees it, the day of receipt."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.procurement import bast_rules as r


def test_bast_numbers_count_per_office_and_year():
    assert r.bast_number("DINKOP", 2026, 7) == "BAST/DINKOP/2026/0007"


@pytest.mark.parametrize(
    "roles, ok",
    [
        ({"officer"}, True),
        (["ppk"], True),
        (("treasurer", "head", "officer"), True),
        ({"treasurer", "head"}, False),
        ((), False),
    ],
)
def test_the_officer_or_the_ppk_makes_the_bast(roles, ok):
    assert r.may_make(roles) is ok


def _sees(office_opd_id=None, roles=(), vendor_id=None):
    return r.may_see(
        office_opd_id=office_opd_id,
        office_roles=roles,
        vendor_id=vendor_id,
        bast_opd_id=3,
        bast_vendor_id=9,
    )


def test_any_role_of_its_office_and_its_shop_see_a_bast_nobody_else():
    assert _sees(3, {"head"}) is True
    assert _sees(3, ["treasurer"]) is True
    assert _sees(vendor_id=9) is True
    assert _sees(3, ()) is False  # a civil servant of the office without a role
    assert _sees(4, {"head"}) is False  # another office's head
    assert _sees(None, {"head"}) is False
    assert _sees(vendor_id=8) is False  # another shop
    assert _sees(4, {"ppk"}, vendor_id=8) is False
    assert _sees() is False


def test_the_day_of_receipt_lies_between_the_hand_over_and_today():
    today, handed = date(2026, 9, 10), date(2026, 9, 8)
    for day in (handed, today):
        assert r.received_on_errors(day, delivered_on=handed, today=today) == {}
    assert r.received_on_errors(date(2026, 9, 1), delivered_on=None, today=today) == {}
    assert r.received_on_errors(date(2026, 9, 11), delivered_on=handed, today=today) == {
        "received_on": ["Tanggal penerimaan tidak boleh di masa depan."]
    }
    assert r.received_on_errors(date(2026, 9, 7), delivered_on=handed, today=today) == {
        "received_on": ["Tanggal penerimaan sebelum barang diserahkan toko."]
    }
