"""Rules of the office's BAST (berita acara serah terima) with no database: its number, who may
make it and see it, the day of receipt.

Messages are Indonesian (they reach the office as they are).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from marketplace.procurement.rules import OFFICER, PPK

# The office's officer (pejabat pengadaan) or its PPK receives the goods and signs the BAST
# (Perpres 16/2018 as amended by 12/2021: the PPK accepts the work, and may have the officer
# who bought it check and receive it); the treasurer and the head only read it.
BAST_ROLES = (OFFICER, PPK)


def bast_number(opd_code: str, year: int, sequence: int) -> str:
    """`BAST/DINKOP/2026/0001`: the office's code, the local year it was made, its sequence."""
    return f"BAST/{opd_code}/{year}/{sequence:04d}"


def may_make(roles: Iterable[str]) -> bool:
    """Whether someone holding `roles` in the office may make its BASTs."""
    return bool(set(roles).intersection(BAST_ROLES))


def may_see(
    *,
    office_opd_id: int | None,
    office_roles: Iterable[str],
    vendor_id: int | None,
    bast_opd_id: int,
    bast_vendor_id: int,
) -> bool:
    """Whether a caller sees a BAST and its scan: anyone holding a role in its office, or its
    shop's owner. Nobody else, not even another office's head (they get 404)."""
    if office_opd_id is not None and office_opd_id == bast_opd_id and set(office_roles):
        return True
    return vendor_id is not None and vendor_id == bast_vendor_id


def received_on_errors(
    received_on: date, *, delivered_on: date | None, today: date
) -> dict[str, list[str]]:
    """What is wrong with the day of receipt (empty when nothing): not after today, not before
    the day the shop recorded handing the order over (the city's local days)."""
    if received_on > today:
        return {"received_on": ["Tanggal penerimaan tidak boleh di masa depan."]}
    if delivered_on is not None and received_on < delivered_on:
        return {"received_on": ["Tanggal penerimaan sebelum barang diserahkan toko."]}
    return {}
