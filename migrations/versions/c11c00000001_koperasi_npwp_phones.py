"""koperasi, canonical NPWP and phone numbers, buyer phone

- `vendors.type` may be `koperasi` (SPEC §3), with the cooperative's legal-entity number in
  `vendors.legal_entity_number`.
- `spending_records.vendor_type`: the vendor's kind frozen at the sale, as its class is, so a
  koperasi counts toward UMK (Perpres 12/2021 art. 65) and closed months never move. Existing
  records take their vendor's type (no koperasi existed before, so no UMK figure changes).
- `vendors.npwp` becomes its 16-digit form (lokal-id `parse_npwp`: `01.234.567.8-901.000` →
  `0012345678901000`); `vendors.phone` becomes E.164. A value that does not parse is kept as
  it was and reported (logged, vendor id and value) for the city to correct, never destroyed;
  pages show it as stored and flag an invalid NPWP to admins.
- `users.phone`: a buyer's optional phone number (E.164).

Revision ID: c11c00000001
Revises: b10t0a1e0001
Create Date: 2026-12-07 07:50:00

"""

import logging

import lokal
import sqlalchemy as sa
from alembic import op

revision = "c11c00000001"
down_revision = "b10t0a1e0001"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

VENDORS = sa.table(
    "vendors",
    sa.column("id", sa.Integer),
    sa.column("type", sa.String),
    sa.column("npwp", sa.String),
    sa.column("phone", sa.String),
)


def _canonical(value, parse, attribute):
    """(new value, problem): blank → None; parsed → its canonical form; else kept, reported."""
    if value is None or not value.strip():
        return None, None
    info = parse(value.strip())
    if info.valid and getattr(info, attribute):
        return getattr(info, attribute), None
    return value, "; ".join(issue.message for issue in info.errors) or "tidak valid"


def convert_vendor_identifiers(conn) -> list[str]:
    """NPWP to 16 digits and phones to E.164 on every vendor; returns the report lines of the
    values that do not parse (kept unchanged)."""
    report = []
    rows = conn.execute(sa.select(VENDORS.c.id, VENDORS.c.npwp, VENDORS.c.phone)).all()
    for vendor_id, npwp, phone in rows:
        new_npwp, npwp_problem = _canonical(npwp, lokal.parse_npwp, "npwp16")
        new_phone, phone_problem = _canonical(phone, lokal.parse_phone, "e164")
        if npwp_problem:
            report.append(f"vendor {vendor_id}: NPWP {npwp!r} kept as it is ({npwp_problem})")
        if phone_problem:
            report.append(f"vendor {vendor_id}: phone {phone!r} kept as it is ({phone_problem})")
        if (new_npwp, new_phone) != (npwp, phone):
            conn.execute(
                VENDORS.update()
                .where(VENDORS.c.id == vendor_id)
                .values(npwp=new_npwp, phone=new_phone)
            )
    for line in report:
        log.warning("c11c00000001: %s", line)
    return report


def upgrade():
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_entity_number", sa.String(length=100), nullable=True))
        batch_op.drop_constraint(op.f("ck_vendors_type"), type_="check")
        batch_op.create_check_constraint(
            "type", "type in ('kelontong','umkm','food_centre','koperasi')"
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))

    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor_type", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE spending_records SET vendor_type ="
        " (SELECT vendors.type FROM vendors WHERE vendors.id = spending_records.vendor_id)"
    )
    op.execute("UPDATE spending_records SET vendor_type = 'kelontong' WHERE vendor_type IS NULL")
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.alter_column("vendor_type", existing_type=sa.String(length=20), nullable=False)

    convert_vendor_identifiers(op.get_bind())


def downgrade():
    # The old schema knows no koperasi: such a shop goes back to umkm (the nearest kind) and
    # loses its legal-entity number. NPWP and phones stay in their canonical forms (they fit).
    op.execute("UPDATE vendors SET type = 'umkm' WHERE type = 'koperasi'")
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.drop_column("vendor_type")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_vendors_type"), type_="check")
        batch_op.create_check_constraint("type", "type in ('kelontong','umkm','food_centre')")
        batch_op.drop_column("legal_entity_number")
