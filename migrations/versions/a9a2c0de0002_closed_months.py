"""closed months: their snapshots, and adjustments booked after a month was closed

Revision ID: a9a2c0de0002
Revises: a9a1c0de0001
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a9a2c0de0002"
down_revision = "a9a1c0de0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closed_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_closed_periods_closed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_periods")),
        sa.UniqueConstraint("period", name=op.f("uq_closed_periods_period")),
    )
    with op.batch_alter_table("closed_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_closed_periods_created_at"), ["created_at"], unique=False
        )
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjusts_period", sa.String(length=7), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_spending_records_adjusts_period"), ["adjusts_period"], unique=False
        )


def downgrade():
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spending_records_adjusts_period"))
        batch_op.drop_column("adjusts_period")
    with op.batch_alter_table("closed_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closed_periods_created_at"))
    op.drop_table("closed_periods")
