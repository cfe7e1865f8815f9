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
    assert _problem("draft", "draft", {"ppk", "officer"}, PPK_ID)[0] == "forbidden"


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
