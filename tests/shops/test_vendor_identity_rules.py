"""Shop application rules at their edges: the NPWP message and every vendor status change."""

from __future__ import annotations

import pytest

from marketplace import primitives
from marketplace.shops import rules


def test_npwp_of_a_wrong_length_says_what_is_expected():
    with pytest.raises(ValueError) as err:
        primitives.parse_npwp("12.345")
    assert str(err.value) == (
        "NPWP harus 15 angka (01.234.567.8-901.000) atau 16 angka (NPWP baru/NIK)."
    )


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
