"""Account rules that need no database: emails, passwords (ASVS 6.2), NIP."""

import pytest

from marketplace.accounts import rules


def test_emails_are_trimmed_and_lowercased():
    assert rules.normalise_email("  Budi.Santoso@Surabaya.GO.ID ") == "budi.santoso@surabaya.go.id"


@pytest.mark.parametrize("email", ["budi@surabaya.go.id", "a.b+c@x.co"])
def test_valid_emails_are_accepted(email):
    assert rules.is_valid_email(email)


@pytest.mark.parametrize(
    "email", ["", "budi", "budi@", "@x.id", "budi@x", "bu di@x.id", "a@b@c.id", "x" * 250 + "@x.id"]
)
def test_malformed_emails_are_rejected(email):
    assert not rules.is_valid_email(email)


def test_a_long_passphrase_without_digits_or_symbols_is_accepted():
    assert rules.password_problems("beli sayur di pasar pagi") == []


def test_password_of_eight_characters_is_the_minimum():
    assert rules.password_problems("kopitubr") == []
    assert rules.password_problems("kopitub") == ["Kata sandi minimal 8 karakter."]


def test_passwords_up_to_128_characters_are_allowed_and_longer_rejected():
    assert rules.password_problems("a1b2c3d4" * 16) == []
    assert rules.password_problems("a1b2c3d4" * 16 + "x") == ["Kata sandi maksimal 128 karakter."]


@pytest.mark.parametrize(
    "password", ["password", "12345678", "Bismillah", "indonesia123", "QWERTY123"]
)
def test_very_common_passwords_are_rejected_whatever_the_case(password):
    assert rules.password_problems(password) == ["Kata sandi ini terlalu umum; pilih yang lain."]


def test_password_equal_to_the_email_is_rejected():
    assert rules.password_problems("budisantoso", email="budisantoso@x.id")
    assert rules.password_problems("budisantoso@x.id", email="budisantoso@x.id")


def test_nip_must_be_exactly_18_digits():
    assert rules.is_valid_nip("198001012006041001")
    assert not rules.is_valid_nip("19800101200604100")
    assert not rules.is_valid_nip("1980010120060410011")
    assert not rules.is_valid_nip("19800101200604100X")


def test_nip_written_in_groups_is_normalised_to_digits():
    assert rules.normalise_nip("19800101 200604 1 001") == "198001012006041001"
