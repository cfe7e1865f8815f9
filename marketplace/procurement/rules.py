"""Procurement rules with no database: office roles, the purchase request's state machine, the
budget line's format, request numbers and the limits of one purchase.

Messages are Indonesian (they reach the officer and the PPK as they are).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# ---------------------------------------------------------------- office roles
OFFICER = "officer"  # pejabat pengadaan: fills the office's cart and submits requests
PPK = "ppk"  # pejabat pembuat komitmen: approves or rejects
TREASURER = "treasurer"  # bendahara pengeluaran: pays and withholds taxes (a later slice)
HEAD = "head"  # kepala OPD: sees everything of the office
OFFICE_ROLES = (OFFICER, PPK, TREASURER, HEAD)
ROLE_LABELS = {
    OFFICER: "Pejabat pengadaan",
    PPK: "Pejabat pembuat komitmen (PPK)",
    TREASURER: "Bendahara pengeluaran",
    HEAD: "Kepala OPD",
}


def holder_problem(
    user_role: str, user_opd_id: int | None, opd_id: int, active: bool
) -> str | None:
    """Why a user may not hold a role in the office `opd_id`, or None. Only an active civil
    servant of that very office may: the roster says who works where, and an office's purchases
    are its own staff's duty (a citizen, a shop or city-wide staff never act for an office)."""
    if user_role != "civil_servant":
        return "Hanya ASN yang dapat memegang peran pengadaan OPD."
    if user_opd_id != opd_id:
        return "ASN ini tidak terdaftar pada OPD tersebut."
    if not active:
        return "Akun ini tidak aktif."
    return None


MAX_QUANTITY = 999  # per line of the office's cart, like a person's cart


# ---------------------------------------------------------------- the request's states
DRAFT, SUBMITTED, APPROVED, REJECTED, CANCELLED = (
    "draft",
    "submitted",
    "approved",
    "rejected",
    "cancelled",
)
REQUEST_STATUSES = (DRAFT, SUBMITTED, APPROVED, REJECTED, CANCELLED)
REQUEST_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (SUBMITTED,),
    SUBMITTED: (APPROVED, REJECTED, CANCELLED),
    APPROVED: (),
    REJECTED: (),
    CANCELLED: (),
}
OWN_REQUEST_MESSAGE = (
    "Anda tidak dapat menyetujui atau menolak permintaan yang Anda ajukan sendiri; "
    "PPK lain di OPD ini yang memutuskannya."
)
# Who moves a request into each state.
ROLE_FOR = {SUBMITTED: OFFICER, APPROVED: PPK, REJECTED: PPK, CANCELLED: OFFICER}


def can_transition(current: str, target: str) -> bool:
    return target in REQUEST_TRANSITIONS.get(current, ())


def transition_problem(
    current: str,
    target: str,
    *,
    actor_roles: Iterable[str],
    actor_id: int,
    submitter_id: int | None,
    reason: str | None = None,
) -> tuple[str, str] | None:
    """Why `actor` may not move a request from `current` to `target`, as (code, message), or
    None when allowed. Codes: `forbidden` (the role is missing: 403), `invalid_transition` (409),
    `own_request` (the PPK submitted it: 403), `reason_required` (422), `not_submitter` (403).
    """
    needed = ROLE_FOR.get(target)
    if needed is None:
        return "invalid_transition", "Permintaan tidak dapat kembali ke draf."
    if needed not in set(actor_roles):
        return "forbidden", f"Langkah ini hanya untuk {ROLE_LABELS[needed]} OPD ini."
    if not can_transition(current, target):
        message = (
            f"Permintaan berstatus {STATUS_LABELS[current]} tidak dapat {ACTION_LABELS[target]}."
        )
        return "invalid_transition", message
    if target in (APPROVED, REJECTED) and submitter_id == actor_id:
        return "own_request", OWN_REQUEST_MESSAGE
    if target == REJECTED and not (reason or "").strip():
        return "reason_required", "Alasan penolakan wajib diisi."
    if target == CANCELLED and submitter_id != actor_id:
        return "not_submitter", "Hanya pengaju yang dapat membatalkan permintaan ini."
    return None


STATUS_LABELS = {
    DRAFT: "draf",
    SUBMITTED: "menunggu persetujuan",
    APPROVED: "disetujui",
    REJECTED: "ditolak",
    CANCELLED: "dibatalkan",
}
ACTION_LABELS = {
    SUBMITTED: "diajukan",
    APPROVED: "disetujui",
    REJECTED: "ditolak",
    CANCELLED: "dibatalkan",
}


# ---------------------------------------------------------------- budget line
# Kode rekening belanja (Permendagri 90/2019, as in SIPD): akun.kelompok.jenis.objek.rincian
# objek.sub rincian objek, e.g. 5.1.02.01.01.0024 (belanja barang dan jasa). Regional spending
# accounts start with 5 (belanja daerah); each later part is one or two digits, the last four.
_BUDGET_LINE = re.compile(r"^5\.[1-9]\.\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def normalise_budget_line(value: str | None) -> str:
    """The budget line without spaces, or ValueError (Indonesian) when it is not a regional
    spending account of the form 5.1.02.01.01.0024."""
    text = re.sub(r"\s+", "", value or "")
    if not text:
        raise ValueError("Kode rekening belanja wajib diisi.")
    if not _BUDGET_LINE.match(text):
        raise ValueError(
            "Kode rekening belanja tidak sah; tulis seperti 5.1.02.01.01.0024 "
            "(akun belanja daerah 5, enam bagian)."
        )
    return text


# ---------------------------------------------------------------- numbers and limits
def request_number(opd_code: str, year: int, sequence: int) -> str:
    """`PR/DINKOP/2026/0001`: the office's code, the local year of submission, its sequence."""
    return f"PR/{opd_code}/{year}/{sequence:04d}"


def over_maximum(total: int, maximum: int) -> bool:
    """Whether a purchase of `total` rupiah goes above the maximum per purchase (0: no limit)."""
    return maximum > 0 and total > maximum


def disallowed(categories: Iterable[str | None], allowed: Iterable[str]) -> list[str | None]:
    """The categories (slugs, None for a product without one) outside the allowed list, in the
    order met and each once. An empty allowed list allows everything."""
    allowed_set = {a.strip().lower() for a in allowed if a and a.strip()}
    if not allowed_set:
        return []
    out: list[str | None] = []
    for slug in categories:
        if (slug or "").lower() not in allowed_set and slug not in out:
            out.append(slug)
    return out


def parse_category_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """A configured list of category slugs: a comma-separated string or a list."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(s.strip().lower() for s in items if s and s.strip()))
