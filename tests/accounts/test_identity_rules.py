"""Account rules at their edges: the longest email, empty input, the messages a user reads and
every vendor status change."""

from __future__ import annotations

import pytest

from marketplace.accounts import rules


def test_an_email_of_254_characters_is_the_longest_accepted():
    local = "a" * 64
    domain = "b" * (254 - 64 - 1 - 3) + ".id"
    assert rules.is_valid_email(f"{local}@{domain}")
    assert not rules.is_valid_email(f"{local}a@{domain}")


def test_nothing_normalises_to_the_empty_string():
    assert rules.normalise_email(None) == "" and rules.normalise_email("") == ""
    assert rules.normalise_nip(None) == "" and rules.normalise_nip("") == ""


def test_npwp_of_a_wrong_length_says_what_is_expected():
    with pytest.raises(ValueError, match=r"^NPWP harus 15 atau 16 angka\.$"):
        rules.normalise_npwp("12.345")


def test_a_password_equal_to_the_email_name_is_refused_with_its_message():
    assert rules.password_problems("ani.lestari", email="Ani.Lestari@surabaya.go.id") == [
        "Kata sandi tidak boleh sama dengan email."
    ]


@pytest.mark.parametrize("email", [None, "xxxx@peken.id", "ani@peken.id"])
def test_a_missing_password_is_only_too_short(email):
    assert rules.password_problems(None, email=email) == ["Kata sandi minimal 8 karakter."]


VENDOR = ("pending", "verified", "suspended")
ALLOWED = {
    ("pending", "verified"),
    ("suspended", "verified"),
    ("pending", "suspended"),
    ("verified", "suspended"),
}


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in VENDOR for t in VENDOR])
def test_every_vendor_status_change(current, target):
    assert rules.can_change_vendor_status(current, target) is ((current, target) in ALLOWED)
