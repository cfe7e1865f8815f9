"""Shop application rules that need no database: NIB, NPWP and the vendor status changes an
admin may make."""

import pytest

from marketplace.shops import rules


def test_nib_must_be_exactly_13_digits():
    assert rules.is_valid_nib("1234567890123")
    assert not rules.is_valid_nib("123456789012")
    assert not rules.is_valid_nib("12345678901a3")


@pytest.mark.parametrize(
    "raw, digits",
    [
        ("01.234.567.8-901.000", "012345678901000"),
        ("012345678901000", "012345678901000"),
        ("3578 0123 4567 8901", "3578012345678901"),
        ("", None),
        (None, None),
    ],
)
def test_npwp_punctuation_is_removed_and_15_or_16_digits_kept(raw, digits):
    assert rules.normalise_npwp(raw) == digits


@pytest.mark.parametrize("raw", ["01.234.567.8-901", "12345678901234567", "01.234.567.8-901.00A"])
def test_npwp_of_other_lengths_or_with_letters_is_rejected(raw):
    with pytest.raises(ValueError):
        rules.normalise_npwp(raw)


@pytest.mark.parametrize(
    "current, target, allowed",
    [
        ("pending", "verified", True),
        ("suspended", "verified", True),
        ("verified", "verified", False),
        ("pending", "suspended", True),
        ("verified", "suspended", True),
        ("suspended", "suspended", False),
        ("verified", "pending", False),
    ],
)
def test_vendor_status_changes_only_between_allowed_states(current, target, allowed):
    assert rules.can_change_vendor_status(current, target) is allowed


def test_vendor_choices_in_the_application_schemas_match_the_vendor_model():
    from marketplace.shops import models, schemas

    assert schemas.VENDOR_TYPES == models.VENDOR_TYPES
    assert schemas.VENDOR_STATUSES == models.VENDOR_STATUSES
