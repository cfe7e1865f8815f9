"""Kecamatan and their kelurahan/desa by Kemendagri code, and references to settle by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import created_at_column

AREA_KINDS = ("kelurahan", "desa")


class Kecamatan(db.Model):
    """A kecamatan (in Yogyakarta a kemantren) of a city: `35.78.22` Gayungan."""

    __tablename__ = "kecamatan"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    city_code: Mapped[str] = mapped_column(String(5), index=True)


class Area(db.Model):
    """A kelurahan or desa: `35.78.22.1004` Ketintang in Gayungan, postal code 60231.

    The code is the identity; a name is unique only within its kecamatan (Surabaya has a
    Wonorejo in Rungkut and one in Tegalsari). Users, shops and spending records point here by
    code (`users.area_code`, `vendors.area_code`, `spending_records.vendor_area_code`)."""

    __tablename__ = "areas"
    __table_args__ = (
        UniqueConstraint("kecamatan_code", "name", name="uq_areas_kecamatan_name"),
        CheckConstraint("kind in ('kelurahan','desa')", name="kind"),
    )
    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), default="kelurahan")
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("kecamatan.code"), index=True)
    city_code: Mapped[str] = mapped_column(String(5), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))

    kecamatan: Mapped[Kecamatan] = relationship(lazy="joined")

    @property
    def kecamatan_name(self) -> str:
        return self.kecamatan.name

    @property
    def label(self) -> str:
        """ "Ketintang, Gayungan": the name as people tell two Wonorejos apart."""
        return f"{self.name}, {self.kecamatan.name}"


class UnresolvedArea(db.Model):
    """A row whose kelurahan name the area-code migration could not match to exactly one area
    (several areas have that name, or none): never guessed, listed by `flask areas-unresolved`
    and on /admin/areas/unresolved until an admin chooses the area (`settle_reference`).

    `table_name`/`row_id` name the referring row (`users`, `vendors`, `spending_records`);
    `candidates` holds the codes of the areas the name could mean, comma-separated."""

    __tablename__ = "unresolved_areas"
    __table_args__ = (
        UniqueConstraint("table_name", "row_id", name="uq_unresolved_areas_row"),
        CheckConstraint("reason in ('ambiguous','unknown')", name="reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(30))
    row_id: Mapped[int] = mapped_column(Integer)
    given_kelurahan: Mapped[str] = mapped_column(String(100))
    given_kecamatan: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(10))
    candidates: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = created_at_column()
    settled_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    settled_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def candidate_codes(self) -> list[str]:
        return [c for c in self.candidates.split(",") if c]
