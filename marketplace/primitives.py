"""Indonesian data primitives, through the vetted lokal-id library (docs/dependencies.md) rather
than hand-written code: tax numbers (NPWP), phone numbers, amounts in words (terbilang) and the
national calendar of working days. Pure functions: no database, no Flask.

What is stored:
- NPWP: its 16-digit form, digits only. Since PMK 112/2022 the DJP uses 16 digits everywhere (a
  15-digit NPWP becomes `0` + its 15 digits; an individual's NPWP is their NIK), so one column
  holds both generations and the same taxpayer written either way is the same value. Shown in
  the familiar dotted 15-digit form (`01.234.567.8-901.000`) when it has one, else as 16 digits.
- Phone: E.164 (`+6281234567890`); shown in the national form (`0812-3456-7890`); a mobile number
  also gives a WhatsApp link (`https://wa.me/6281234567890`).
- Working days: Monday to Friday minus the libur nasional and cuti bersama of the SKB 3 Menteri.
  lokal-id holds the years whose SKB is published (2026 and 2027 today, `HOLIDAY_YEARS`); for any
  other year only weekends are off. A newer lokal-id release brings the next year's decree.
"""

from __future__ import annotations

import datetime as dt
import re

import lokal

# ---------------------------------------------------------------- NPWP
NPWP_MESSAGE = "NPWP harus 15 angka (01.234.567.8-901.000) atau 16 angka (NPWP baru/NIK)."


def parse_npwp(value: str | None) -> str | None:
    """The stored form of an NPWP as people type it (dotted, spaced or bare; 15 or 16 digits):
    its 16 digits. None for a blank value; ValueError with an Indonesian message otherwise."""
    if value is None or not str(value).strip():
        return None
    info = lokal.parse_npwp(str(value).strip())
    if not info.valid:
        # A 16-digit value not starting with 0 is a NIK: lokal says what is wrong with it.
        nik_problem = info.kind == "nik" and info.errors
        raise ValueError(info.errors[0].message if nik_problem else NPWP_MESSAGE)
    return info.npwp16


def format_npwp(stored: str | None) -> str:
    """An NPWP for people: `01.234.567.8-901.000` when it has a 15-digit form, the 16 digits of a
    NIK-based one, and a value that does not parse (kept from before validation) as it is."""
    if not stored:
        return ""
    info = lokal.parse_npwp(stored)
    if not info.valid:
        return stored
    return info.formatted15 or info.npwp16


def npwp_is_valid(stored: str | None) -> bool:
    """Whether a stored NPWP parses (rows kept from before validation may not)."""
    return not stored or lokal.parse_npwp(stored).valid


# ---------------------------------------------------------------- phone numbers
PHONE_MESSAGE = "Nomor telepon Indonesia tidak valid (contoh: 0812-3456-7890 atau 031-5551234)."


def parse_phone(value: str | None) -> str | None:
    """The stored (E.164) form of an Indonesian phone number written any common way
    (`0812-3456-7890`, `+62 812 3456 7890`, `(031) 555-1234`). None for a blank value;
    ValueError with an Indonesian message when it is not a valid number."""
    if value is None or not str(value).strip():
        return None
    info = lokal.parse_phone(str(value).strip())
    if not info.valid or not info.e164:
        raise ValueError(info.errors[0].message if info.errors else PHONE_MESSAGE)
    return info.e164


def format_phone(stored: str | None) -> str:
    """The national form for people (`0812-3456-7890`, `(031) 5551234`); a stored value that
    does not parse as it is."""
    if not stored:
        return ""
    info = lokal.parse_phone(stored)
    return info.national if info.valid else stored


def whatsapp_link(stored: str | None) -> str | None:
    """`https://wa.me/<number>` for a mobile number; None for a landline, blank or bad value."""
    if not stored:
        return None
    info = lokal.parse_phone(stored)
    return f"https://wa.me/{info.whatsapp}" if info.valid and info.whatsapp else None


# ---------------------------------------------------------------- amounts in words
def amount_in_words(amount: int) -> str:
    """Whole rupiah in Indonesian words, as written under a receipt's total:
    1_500_000 → "satu juta lima ratus ribu rupiah"."""
    return lokal.terbilang(int(amount), currency=True)


# ---------------------------------------------------------------- working days
# Saturday and Sunday (weekday() 5 and 6) are off for the city's offices and the banks.
WEEKEND = (5, 6)
HOLIDAY_YEARS = tuple(lokal.HOLIDAY_YEARS)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not _ISO_DATE.match(value):
        raise ValueError(f"Tanggal harus berformat YYYY-MM-DD: {value}")
    return dt.date.fromisoformat(value)


def has_holiday_data(year: int) -> bool:
    """Whether the SKB 3 Menteri of `year` is known; without it only weekends are off."""
    return year in HOLIDAY_YEARS


def is_working_day(day: dt.date | str) -> bool:
    """Monday to Friday and neither a libur nasional nor a cuti bersama (government offices
    take cuti bersama off). Years without a published SKB: weekends only."""
    d = _as_date(day)
    if d.weekday() in WEEKEND:
        return False
    if not has_holiday_data(d.year):
        return True
    return lokal.is_working_day(d, cuti_bersama=True)


def add_working_days(day: dt.date | str, n: int) -> dt.date | str:
    """The date `n` working days after `day` (before it when `n` is negative; `day` itself for
    0). add_working_days("2026-03-17", 1) → "2026-03-25": Nyepi, Idulfitri and their cuti
    bersama fill 18–24 March 2026. A string gives a string back, a date a date."""
    d = _as_date(day)
    step = dt.timedelta(days=-1 if n < 0 else 1)
    left = abs(n)
    while left:
        d += step
        if is_working_day(d):
            left -= 1
    return d.isoformat() if isinstance(day, str) else d


def count_working_days(start: dt.date | str, end: dt.date | str) -> int:
    """Working days from `start` to `end`, both included (0 when `end` is before `start`)."""
    d, last, count = _as_date(start), _as_date(end), 0
    while d <= last:
        count += is_working_day(d)
        d += dt.timedelta(days=1)
    return count
