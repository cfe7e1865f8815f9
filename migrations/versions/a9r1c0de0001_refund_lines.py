"""refunds name their lines: refund_lines, refunded quantity/amount/VAT on order lines, refunded
VAT on orders

Revision ID: a9r1c0de0001
Revises: a9a3c0de0003
Create Date: 2026-12-07 04:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9r1c0de0001"
down_revision = "a9a3c0de0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "refund_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("vat", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refund_lines_amount_positive")),
        sa.CheckConstraint(
            "vat >= 0 and vat <= amount", name=op.f("ck_refund_lines_vat_within_amount")
        ),
        sa.CheckConstraint(
            "quantity is null or quantity > 0", name=op.f("ck_refund_lines_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_refund_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refunds.id"],
            name=op.f("fk_refund_lines_refund_id_refunds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_lines")),
        sa.UniqueConstraint("refund_id", "order_line_id", name="uq_refund_lines_refund_line"),
    )
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_lines_refund_id"), ["refund_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refund_lines_order_line_id"), ["order_line_id"], unique=False
        )

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_quantity", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("refunded_amount", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("refunded_vat", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.create_check_constraint(
            op.f("ck_order_lines_refund_within_line"),
            "refunded_amount >= 0 and refunded_amount <= line_total",
        )
        batch_op.create_check_constraint(
            op.f("ck_order_lines_refund_quantity_within_line"),
            "refunded_quantity >= 0 and refunded_quantity <= quantity",
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_vat", sa.BigInteger(), nullable=False, server_default="0")
        )

    # Refunds made before this revision were spread over the lines as negative spending records:
    # carry those onto the lines so what is left to refund per line stays right.
    op.execute(
        "UPDATE order_lines SET refunded_amount = COALESCE((SELECT -SUM(s.amount) "
        "FROM spending_records s WHERE s.order_line_id = order_lines.id "
        "AND s.refund_id IS NOT NULL), 0)"
    )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("refunded_vat")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_order_lines_refund_quantity_within_line"), type_="check")
        batch_op.drop_constraint(op.f("ck_order_lines_refund_within_line"), type_="check")
        batch_op.drop_column("refunded_vat")
        batch_op.drop_column("refunded_amount")
        batch_op.drop_column("refunded_quantity")

    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_lines_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_refund_lines_refund_id"))

    op.drop_table("refund_lines")
