"""The city's own names are as common passwords there as "surabaya" is in Surabaya."""

from marketplace.accounts.rules import password_problems

MALANG = ("Malang", "Peken Malang")


def test_the_city_name_with_123_is_refused_in_that_city_only():
    assert password_problems("malang123", city_words=MALANG) == [
        "Kata sandi ini terlalu umum; pilih yang lain."
    ]
    assert password_problems("Peken Malang", city_words=MALANG)
    assert password_problems("pekenmalang123", city_words=MALANG)
    assert password_problems("malang123") == []
    assert password_problems("malang-kota-apel", city_words=MALANG) == []
