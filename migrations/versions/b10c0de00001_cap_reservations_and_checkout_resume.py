"""Unpaid orders claim room under their shop's fair-share cap (cap_reservations); a checkout
records when its provider call was last started (checkouts.attempted_at) so a stalled one can be
resumed

Revision ID: b10c0de00001
Revises: a9c1b2d3e4f5
Create Date: 2026-12-07 05:30:00

"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from marketplace.timeutil import period_of

revision = "b10c0de00001"
down_revision = "a9c1b2d3e4f5"
branch_labels = None
depends_on = None


def _as_datetime(value):
    """SQLite hands raw SQL timestamps back as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def upgrade():
    op.create_table(
        "cap_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_cap_reservations_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_cap_reservations_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cap_reservations")),
        sa.UniqueConstraint("order_id", name=op.f("uq_cap_reservations_order_id")),
    )
    with op.batch_alter_table("cap_reservations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cap_reservations_period_expires_vendor_amount",
            ["period", "expires_at", "vendor_id", "amount"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_cap_reservations_vendor_id"), ["vendor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cap_reservations_created_at"), ["created_at"], unique=False
        )
    # Unpaid orders placed before this revision claim their room too (period in the city's time
    # zone, as the checkout writes it).
    bind = op.get_bind()
    pending = bind.execute(
        sa.text(
            "SELECT id, vendor_id, total, expires_at, created_at FROM orders "
            "WHERE status = 'pending_payment' AND expires_at IS NOT NULL"
        )
    ).all()
    table = sa.table(
        "cap_reservations",
        sa.column("order_id", sa.Integer()),
        sa.column("vendor_id", sa.Integer()),
        sa.column("period", sa.String()),
        sa.column("amount", sa.BigInteger()),
        sa.column("expires_at", sa.DateTime()),
        sa.column("created_at", sa.DateTime()),
    )
    if pending:
        op.bulk_insert(
            table,
            [
                {
                    "order_id": oid,
                    "vendor_id": vendor_id,
                    "period": period_of(_as_datetime(created)),
                    "amount": total,
                    "expires_at": _as_datetime(expires),
                    "created_at": _as_datetime(created),
                }
                for oid, vendor_id, total, expires, created in pending
            ],
        )
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempted_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_column("attempted_at")
    with op.batch_alter_table("cap_reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cap_reservations_created_at"))
        batch_op.drop_index(batch_op.f("ix_cap_reservations_vendor_id"))
        batch_op.drop_index("ix_cap_reservations_period_expires_vendor_amount")
    op.drop_table("cap_reservations")
