"""Account rules at their edges: the longest email, empty input and the messages a user reads."""

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


def test_a_password_equal_to_the_email_name_is_refused_with_its_message():
    assert rules.password_problems("ani.lestari", email="Ani.Lestari@surabaya.go.id") == [
        "Kata sandi tidak boleh sama dengan email."
    ]


@pytest.mark.parametrize("email", [None, "xxxx@peken.id", "ani@peken.id"])
def test_a_missing_password_is_only_too_short(email):
    assert rules.password_problems(None, email=email) == ["Kata sandi minimal 8 karakter."]
