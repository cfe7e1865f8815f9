"""the mandate's compliance frozen with each closed month

Revision ID: a9a3c0de0003
Revises: a9a2c0de0002
Create Date: 2026-12-07 06:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a9a3c0de0003"
down_revision = "a9a2c0de0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mandate_frozen_compliance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("opd", sa.String(length=32), nullable=True),
        sa.Column("opd_name", sa.String(length=200), nullable=True),
        sa.Column("position", sa.String(length=200), nullable=True),
        sa.Column("required", sa.BigInteger(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mandate_frozen_compliance_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandate_frozen_compliance")),
        sa.UniqueConstraint("period", "user_id", name="uq_mandate_frozen_period_user"),
    )
    with op.batch_alter_table("mandate_frozen_compliance", schema=None) as batch_op:
        batch_op.create_index("ix_mandate_frozen_period_opd", ["period", "opd"], unique=False)


def downgrade():
    with op.batch_alter_table("mandate_frozen_compliance", schema=None) as batch_op:
        batch_op.drop_index("ix_mandate_frozen_period_opd")
    op.drop_table("mandate_frozen_compliance")
