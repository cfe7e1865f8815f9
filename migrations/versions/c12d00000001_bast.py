"""bast

The office's berita acara serah terima (BAST) of a delivered order: its number per OPD and year,
the order and request it confirms, the day of receipt, the total, who made it, and the signed
scan uploaded back. Orders gain the status `received` (orders.status has no CHECK constraint,
so only the new table is created).

Revision ID: c12d00000001
Revises: c12b00000001
Create Date: 2026-12-07 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c12d00000001"
down_revision = "c12b00000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "basts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("scan_path", sa.String(length=200), nullable=True),
        sa.Column("scan_name", sa.String(length=200), nullable=True),
        sa.Column("scan_type", sa.String(length=10), nullable=True),
        sa.Column("scan_uploaded_at", sa.DateTime(), nullable=True),
        sa.Column("scan_uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("total >= 0", name=op.f("ck_basts_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_basts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opds.id"], name=op.f("fk_basts_opd_id_opds")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_basts_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["purchase_requests.id"],
            name=op.f("fk_basts_request_id_purchase_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["scan_uploaded_by_id"], ["users.id"], name=op.f("fk_basts_scan_uploaded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_basts_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basts")),
        sa.UniqueConstraint("number", name=op.f("uq_basts_number")),
        sa.UniqueConstraint("order_id", name="uq_basts_order_id"),
    )
    with op.batch_alter_table("basts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_basts_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_basts_opd_id"), ["opd_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_basts_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_basts_vendor_id"), ["vendor_id"], unique=False)


def downgrade():
    with op.batch_alter_table("basts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_basts_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_basts_request_id"))
        batch_op.drop_index(batch_op.f("ix_basts_opd_id"))
        batch_op.drop_index(batch_op.f("ix_basts_created_at"))
    op.drop_table("basts")
