"""Pure procurement rules: the request's state machine, who may take each step, the budget
line, numbers and the limits of one purchase."""

from __future__ import annotations

import pytest

from marketplace.procurement import rules

OFFICER_ID, PPK_ID = 1, 2


def _problem(current, target, roles, actor_id, reason=None, submitter_id=OFFICER_ID):
    return rules.transition_problem(
        current,
        target,
        actor_roles=roles,
        actor_id=actor_id,
        submitter_id=submitter_id,
        reason=reason,
    )


def test_a_request_moves_only_forward():
    assert rules.can_transition("draft", "submitted")
    for target in ("approved", "rejected", "cancelled"):
        assert rules.can_transition("submitted", target)
    assert not rules.can_transition("draft", "approved")
    for final in ("approved", "rejected", "cancelled"):
        assert rules.REQUEST_TRANSITIONS[final] == ()
        assert not rules.can_transition(final, "submitted")


def test_the_ppk_approves_a_submitted_request():
    assert _problem("submitted", "approved", {"ppk"}, PPK_ID) is None


def test_an_officer_cannot_approve():
    code, message = _problem("submitted", "approved", {"officer", "head"}, PPK_ID)
    assert code == "forbidden"
    assert "PPK" in message


def test_a_ppk_never_approves_or_rejects_their_own_request():
    code, message = _problem("submitted", "approved", {"officer", "ppk"}, OFFICER_ID)
    assert code == "own_request"
    assert "sendiri" in message
    code, _ = _problem("submitted", "rejected", {"officer", "ppk"}, OFFICER_ID, reason="x")
    assert code == "own_request"


def test_rejection_needs_a_reason():
    assert _problem("submitted", "rejected", {"ppk"}, PPK_ID, reason="  ")[0] == "reason_required"
    assert _problem("submitted", "rejected", {"ppk"}, PPK_ID, reason="Anggaran habis") is None


def test_a_decided_request_cannot_be_decided_again():
    assert _problem("approved", "rejected", {"ppk"}, PPK_ID, reason="x")[0] == "invalid_transition"
    assert _problem("rejected", "approved", {"ppk"}, PPK_ID)[0] == "invalid_transition"
    assert _problem("cancelled", "approved", {"ppk"}, PPK_ID)[0] == "invalid_transition"


def test_only_the_submitter_cancels_while_it_waits():
    assert _problem("submitted", "cancelled", {"officer"}, OFFICER_ID) is None
    assert _problem("submitted", "cancelled", {"officer"}, 9)[0] == "not_submitter"
    assert _problem("submitted", "cancelled", {"ppk"}, OFFICER_ID)[0] == "forbidden"
    assert _problem("approved", "cancelled", {"officer"}, OFFICER_ID)[0] == "invalid_transition"


def test_every_step_names_the_role_that_takes_it():
    assert rules.ROLE_FOR == {
        "submitted": "officer",
        "approved": "ppk",
        "rejected": "ppk",
        "cancelled": "officer",
    }
    assert _problem("submitted", "draft", {"ppk", "officer"}, PPK_ID) == (
        "invalid_transition",
        "Permintaan tidak dapat kembali ke draf.",
    )


@pytest.mark.parametrize(
    "given, stored",
    [
        ("5.1.02.01.01.0024", "5.1.02.01.01.0024"),
        (" 5.1.02.01.01.0052 ", "5.1.02.01.01.0052"),
        ("5.2.02.05.01.0001", "5.2.02.05.01.0001"),
        ("5.1.02. 01.01.0024", "5.1.02.01.01.0024"),
    ],
)
def test_a_budget_line_is_a_regional_spending_account(given, stored):
    assert rules.normalise_budget_line(given) == stored


@pytest.mark.parametrize(
    "given",
    [
        "",
        None,
        "4.1.01.01.01.0001",
        "5.1.2.1.1.24",
        "5.1.02.01.01",
        "5.0.02.01.01.0024",
        "5-1-02-01-01-0024",
        "5.1.02.01.01.00245",
        "x5.1.02.01.01.0024",
    ],
)
def test_a_malformed_budget_line_is_refused_in_indonesian(given):
    with pytest.raises(ValueError, match="[Kk]ode rekening belanja"):
        rules.normalise_budget_line(given)


def test_request_numbers_count_per_office_and_year():
    assert rules.request_number("DINKOP", 2026, 1) == "PR/DINKOP/2026/0001"
    assert rules.request_number("DINKOPDAG", 2027, 123) == "PR/DINKOPDAG/2027/0123"


def test_the_maximum_per_purchase_is_inclusive_and_zero_means_none():
    assert not rules.over_maximum(50_000_000, 50_000_000)
    assert rules.over_maximum(50_000_001, 50_000_000)
    assert not rules.over_maximum(10**12, 0)


def test_categories_outside_the_list_are_named_once_in_order():
    allowed = ("sembako", "minuman")
    assert rules.disallowed(["sembako", "Minuman"], allowed) == []
    assert rules.disallowed(["fashion", "sembako", None, "fashion"], allowed) == ["fashion", None]
    assert rules.disallowed(["fashion"], ()) == []


def test_a_category_list_reads_from_config_text_or_a_list():
    assert rules.parse_category_list(" sembako, Minuman ,,sembako") == ("sembako", "minuman")
    assert rules.parse_category_list(["kerajinan"]) == ("kerajinan",)
    assert rules.parse_category_list(None) == ()


@pytest.mark.parametrize(
    "role, user_opd, active, ok",
    [
        ("civil_servant", 7, True, True),
        ("civil_servant", 8, True, False),
        ("civil_servant", None, True, False),
        ("public", 7, True, False),
        ("admin", 7, True, False),
        ("civil_servant", 7, False, False),
    ],
)
def test_only_an_active_civil_servant_of_the_office_holds_its_roles(role, user_opd, active, ok):
    problem = rules.holder_problem(role, user_opd, 7, active)
    assert (problem is None) is ok


# ---------------------------------------------------------------- exact messages and edges
def test_each_refusal_says_exactly_why():
    assert _problem("submitted", "approved", {"officer"}, PPK_ID) == (
        "forbidden",
        "Langkah ini hanya untuk Pejabat pembuat komitmen (PPK) OPD ini.",
    )
    assert _problem("approved", "rejected", {"ppk"}, PPK_ID, reason="x") == (
        "invalid_transition",
        "Permintaan berstatus disetujui tidak dapat ditolak.",
    )
    assert _problem("submitted", "rejected", {"ppk"}, PPK_ID, reason=None) == (
        "reason_required",
        "Alasan penolakan wajib diisi.",
    )
    assert _problem("submitted", "cancelled", {"officer"}, 9) == (
        "not_submitter",
        "Hanya pengaju yang dapat membatalkan permintaan ini.",
    )


def test_an_unknown_state_goes_nowhere():
    assert not rules.can_transition("bogus", "approved")


@pytest.mark.parametrize(
    "role, user_opd, active, message",
    [
        ("public", 7, True, "Hanya ASN yang dapat memegang peran pengadaan OPD."),
        ("civil_servant", 8, True, "ASN ini tidak terdaftar pada OPD tersebut."),
        ("civil_servant", 7, False, "Akun ini tidak aktif."),
    ],
)
def test_a_role_holder_is_refused_with_the_reason(role, user_opd, active, message):
    assert rules.holder_problem(role, user_opd, 7, active) == message


@pytest.mark.parametrize(
    "given, message",
    [
        (None, "Kode rekening belanja wajib diisi."),
        ("  ", "Kode rekening belanja wajib diisi."),
        (
            "5.1.02",
            (
                "Kode rekening belanja tidak sah; tulis seperti 5.1.02.01.01.0024 "
                "(akun belanja daerah 5, enam bagian)."
            ),
        ),
    ],
)
def test_a_budget_line_refusal_says_exactly_why(given, message):
    with pytest.raises(ValueError) as refused:
        rules.normalise_budget_line(given)
    assert str(refused.value) == message


def test_a_maximum_of_one_rupiah_is_still_a_maximum():
    assert rules.over_maximum(2, 1)


def test_blank_entries_of_a_category_list_are_not_categories():
    assert rules.parse_category_list("sembako, ,minuman") == ("sembako", "minuman")
    assert rules.disallowed(["sembako"], ["  "]) == []  # only blanks: no list at all
    # A product without a category is outside any list, whatever the list holds.
    assert rules.disallowed([None], ["xxxx"]) == [None]
