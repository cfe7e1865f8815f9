"""buyer channels on orders and spending records; OPD goods-and-services budgets

Existing orders and spending records get their channel from the buyer's role at migration time:
a civil servant's purchase is `asn_personal`, anyone else's `public` (there was no OPD purchasing
before this revision, so nothing becomes `opd_procurement`).

Revision ID: a9a1c0de0001
Revises: b898a7d776da
Create Date: 2026-12-07 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a9a1c0de0001"
down_revision = "b898a7d776da"
branch_labels = None
depends_on = None

_CHANNEL_OF = (
    "CASE WHEN (SELECT role FROM users WHERE users.id = {table}.buyer_id) = 'civil_servant' "
    "THEN 'asn_personal' ELSE 'public' END"
)


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=20), nullable=False, server_default="public")
        )
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=20), nullable=False, server_default="public")
        )
        batch_op.create_index(batch_op.f("ix_spending_records_channel"), ["channel"], unique=False)
    for table in ("orders", "spending_records"):
        op.execute(f"UPDATE {table} SET channel = {_CHANNEL_OF.format(table=table)}")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None)
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None)

    op.create_table(
        "opd_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("goods_services", sa.BigInteger(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["opd_id"], ["opds.id"], name=op.f("fk_opd_budgets_opd_id_opds")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_opd_budgets_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd_budgets")),
        sa.UniqueConstraint("year", "opd_id", name="uq_opd_budgets_year_opd"),
    )
    with op.batch_alter_table("opd_budgets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opd_budgets_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_opd_budgets_opd_id"), ["opd_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opd_budgets_year"), ["year"], unique=False)


def downgrade():
    with op.batch_alter_table("opd_budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opd_budgets_year"))
        batch_op.drop_index(batch_op.f("ix_opd_budgets_opd_id"))
        batch_op.drop_index(batch_op.f("ix_opd_budgets_created_at"))
    op.drop_table("opd_budgets")
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spending_records_channel"))
        batch_op.drop_column("channel")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("channel")
