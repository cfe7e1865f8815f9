"""Helpers for the accounts tests."""

import io

import pytest

HEADER = "nip,name,email,opd_code,opd_name,position,kelurahan"


def roster(*lines: str, header: str = HEADER) -> bytes:
    """A roster CSV (header first) as the HR export would upload it."""
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def good_row(
    n: int,
    *,
    opd: str = "DKP",
    opd_name: str = "Dinas Koperasi dan Perdagangan",
    position: str = "Staf",
    email: str | None = None,
) -> str:
    return (
        f"{198001012006041000 + n:018d},ASN Nomor {n},{email or f'asn{n}@surabaya.go.id'},"
        f"{opd},{opd_name},{position},Gubeng"
    )


@pytest.fixture
def roster_file():
    """`roster_file(*lines)` → a binary stream of a roster CSV."""
    return lambda *lines, **kw: io.BytesIO(roster(*lines, **kw))
