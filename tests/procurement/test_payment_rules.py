"""The rules of the treasurer's payment and deposit, with no database."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.ledger.models import (
    OFFICE_TAX_HELD,
    PLATFORM_COMMISSION,
    PROVIDER_CASH,
    TAX_PAYABLE,
    VENDOR_AVAILABLE,
)
from marketplace.procurement import payment_rules as r


def test_only_an_order_on_invoice_received_with_a_bast_and_unpaid_may_be_paid():
    assert r.payment_problem("received", "invoice", False) is None
    assert r.payment_problem("received", "invoice", True) == "already_paid"
    assert r.payment_problem("received", "prepaid", False) == "not_invoice"
    for status in ("placed", "accepted", "ready", "delivered", "cancelled", "rejected"):
        assert r.payment_problem(status, "invoice", False) == "not_received"
    assert r.PAYABLE_ORDER_STATUSES == ("received",)


def test_the_reference_is_required_and_short():
    assert r.reference_problem("sp2d", "00123/SP2D/LS/2026") is None
    assert r.reference_problem("sp2d", "  ") == "Nomor SP2D wajib diisi."
    assert r.reference_problem("kkpd", None) == "Referensi transaksi KKPD wajib diisi."
    assert r.reference_problem("up_gu", "x" * 64) is None
    assert r.reference_problem("up_gu", "x" * 65) == "Paling banyak 64 karakter."


def test_dates_are_never_in_the_future_nor_before_their_start():
    today = date(2026, 12, 7)
    assert r.date_problem(today, today) is None
    assert r.date_problem(date(2026, 12, 8), today) == "Tanggal tidak boleh di masa depan."
    assert r.date_problem(date(2026, 12, 1), today, not_before=date(2026, 12, 1)) is None
    assert "sebelum 2026-12-02" in r.date_problem(
        date(2026, 12, 1), today, not_before=date(2026, 12, 2)
    )


@pytest.mark.parametrize(
    "given, expected",
    [
        ("0a1b 2c3d-4e5f 6g7h", "0A1B2C3D4E5F6G7H"),
        ("1122334455667788", "1122334455667788"),
    ],
)
def test_ntpn_is_sixteen_letters_and_digits(given, expected):
    assert r.normalise_ntpn(given) == expected


@pytest.mark.parametrize("bad", ["", None, "123", "11223344556677889", "1122334455667_88"])
def test_a_bad_ntpn_is_refused(bad):
    with pytest.raises(ValueError):
        r.normalise_ntpn(bad)


def _sum(lines):
    return sum(line[1] for line in lines)


def test_the_treasurer_pays_the_net_and_holds_the_taxes():
    lines = r.settlement_lines(
        gross=12_000_000, withheld=1_351_351, commission=120_000, vendor_id=7, collector="treasurer"
    )
    assert _sum(lines) == 0
    assert lines == [
        (PROVIDER_CASH, 10_648_649),
        (OFFICE_TAX_HELD, 1_351_351),
        (VENDOR_AVAILABLE, -10_528_649, 7),
        (PLATFORM_COMMISSION, -120_000),
        (TAX_PAYABLE, -1_351_351),
    ]
    deposit = r.deposit_lines(1_351_351, "treasurer")
    assert deposit == [(TAX_PAYABLE, 1_351_351), (OFFICE_TAX_HELD, -1_351_351)]


def test_the_platform_receives_the_gross_and_deposits_from_its_cash():
    lines = r.settlement_lines(
        gross=12_000_000, withheld=1_243_243, commission=0, vendor_id=7, collector="platform"
    )
    assert _sum(lines) == 0
    assert lines[0] == (PROVIDER_CASH, 12_000_000)
    assert (VENDOR_AVAILABLE, -10_756_757, 7) in lines
    assert r.deposit_lines(5, "platform") == [(TAX_PAYABLE, 5), (PROVIDER_CASH, -5)]


@pytest.mark.parametrize(
    "gross, withheld, commission", [(100, 60, 50), (100, -1, 0), (100, 0, -1), (-1, 0, 0)]
)
def test_a_settlement_that_does_not_fit_is_refused(gross, withheld, commission):
    with pytest.raises(ValueError):
        r.settlement_lines(
            gross=gross,
            withheld=withheld,
            commission=commission,
            vendor_id=1,
            collector="treasurer",
        )


def test_a_deposit_is_positive():
    with pytest.raises(ValueError):
        r.deposit_lines(0, "treasurer")


def test_document_numbers():
    assert r.document_number(r.INVOICE, "PKN-202612-000123", 2026, 42) == "INV-PKN-202612-000123"
    assert r.document_number(r.RECEIPT, "PKN-202612-000123", 2026, 42) == "KW-2026-000042"
    assert r.document_number(r.SLIP, "PKN-202612-000123", 2027, 7) == "BP22-2027-000007"


def test_a_closed_month_is_never_the_month_of_a_late_payment():
    assert r.recognition_period("2026-11", "2026-12", False) == "2026-11"
    assert r.recognition_period("2026-11", "2026-12", True) == "2026-12"


# ---------------------------------------------------------------- edges and exact messages
def test_taxes_and_commission_may_take_the_whole_total_but_not_more():
    lines = r.settlement_lines(
        gross=100, withheld=60, commission=40, vendor_id=1, collector="treasurer"
    )
    assert (VENDOR_AVAILABLE, 0, 1) in lines and _sum(lines) == 0
    with pytest.raises(ValueError) as refused:
        r.settlement_lines(gross=100, withheld=61, commission=40, vendor_id=1, collector="x")
    assert str(refused.value) == "withheld taxes and commission cannot exceed the order's total"


def test_a_deposit_of_one_rupiah_is_a_deposit():
    assert r.deposit_lines(1, "treasurer") == [(TAX_PAYABLE, 1), (OFFICE_TAX_HELD, -1)]
    with pytest.raises(ValueError) as refused:
        r.deposit_lines(-5, "treasurer")
    assert str(refused.value) == "a deposit is of a positive amount"


def test_ntpn_refusals_say_exactly_why():
    for blank in (None, " - "):
        with pytest.raises(ValueError) as refused:
            r.normalise_ntpn(blank)
        assert str(refused.value) == "NTPN wajib diisi."
    with pytest.raises(ValueError) as refused:
        r.normalise_ntpn("1234")
    assert str(refused.value) == (
        "NTPN terdiri dari 16 huruf/angka, seperti tertera pada bukti setor."
    )


def test_an_unknown_method_still_asks_for_its_reference():
    assert r.reference_problem("cash", "") == "Referensi wajib diisi."
