"""opd payments and taxes

The treasurer's payments of an office's orders on invoice (SP2D, KKPD or UP/GU) with the taxes
assessed on each order and line, the PPN and PPh 22 withheld and their deposits (NTPN); spending
records get the budget line of an office's purchase.

Revision ID: c12e00000001
Revises: c12d00000001
Create Date: 2026-12-07 10:23:21.870742

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c12e00000001"
down_revision = "c12d00000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opd_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("regime", sa.String(length=20), nullable=False),
        sa.Column("collector", sa.String(length=20), nullable=False),
        sa.Column("shop_pkp", sa.Boolean(), nullable=False),
        sa.Column("shop_has_npwp", sa.Boolean(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("dpp", sa.BigInteger(), nullable=False),
        sa.Column("ppn", sa.BigInteger(), nullable=False),
        sa.Column("ppn_collected", sa.BigInteger(), nullable=False),
        sa.Column("pph22_rate_bps", sa.Integer(), nullable=False),
        sa.Column("pph22", sa.BigInteger(), nullable=False),
        sa.Column("net_payable", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("pph22_object_code", sa.String(length=20), nullable=True),
        sa.Column("journal_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "method in ('sp2d','kkpd','up_gu')", name=op.f("ck_opd_payments_method")
        ),
        sa.CheckConstraint("gross = dpp + ppn", name=op.f("ck_opd_payments_dpp_plus_ppn")),
        sa.CheckConstraint(
            "gross = net_payable + ppn_collected + pph22",
            name=op.f("ck_opd_payments_net_plus_withheld"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"],
            ["journal_entries.id"],
            name=op.f("fk_opd_payments_journal_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opds.id"], name=op.f("fk_opd_payments_opd_id_opds")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_opd_payments_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_opd_payments_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["purchase_requests.id"],
            name=op.f("fk_opd_payments_request_id_purchase_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_opd_payments_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd_payments")),
        sa.UniqueConstraint("order_id", name=op.f("uq_opd_payments_order_id")),
    )
    with op.batch_alter_table("opd_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opd_payments_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opd_payments_opd_id"), ["opd_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_opd_payments_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opd_payments_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "opd_tax_deposits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("tax", sa.String(length=10), nullable=False),
        sa.Column("ntpn", sa.String(length=16), nullable=False),
        sa.Column("deposited_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("journal_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("tax in ('ppn','pph22')", name=op.f("ck_opd_tax_deposits_tax")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_opd_tax_deposits_amount_positive")),
        sa.ForeignKeyConstraint(
            ["journal_id"],
            ["journal_entries.id"],
            name=op.f("fk_opd_tax_deposits_journal_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["opd_id"], ["opds.id"], name=op.f("fk_opd_tax_deposits_opd_id_opds")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_opd_tax_deposits_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd_tax_deposits")),
        sa.UniqueConstraint("ntpn", name=op.f("uq_opd_tax_deposits_ntpn")),
    )
    with op.batch_alter_table("opd_tax_deposits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opd_tax_deposits_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opd_tax_deposits_opd_id"), ["opd_id"], unique=False)

    op.create_table(
        "opd_payment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("line_total", sa.BigInteger(), nullable=False),
        sa.Column("dpp", sa.BigInteger(), nullable=False),
        sa.Column("ppn", sa.BigInteger(), nullable=False),
        sa.Column("ppn_collected", sa.BigInteger(), nullable=False),
        sa.Column("pph22", sa.BigInteger(), nullable=False),
        sa.Column("net_payable", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_opd_payment_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["opd_payments.id"],
            name=op.f("fk_opd_payment_lines_payment_id_opd_payments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd_payment_lines")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_opd_payment_lines_order_line_id")),
    )
    with op.batch_alter_table("opd_payment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opd_payment_lines_payment_id"), ["payment_id"], unique=False
        )

    op.create_table(
        "opd_tax_withholdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("tax", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("tax in ('ppn','pph22')", name=op.f("ck_opd_tax_withholdings_tax")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_opd_tax_withholdings_amount_positive")),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["opd_tax_deposits.id"],
            name=op.f("fk_opd_tax_withholdings_deposit_id_opd_tax_deposits"),
        ),
        sa.ForeignKeyConstraint(
            ["opd_id"], ["opds.id"], name=op.f("fk_opd_tax_withholdings_opd_id_opds")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["opd_payments.id"],
            name=op.f("fk_opd_tax_withholdings_payment_id_opd_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd_tax_withholdings")),
        sa.UniqueConstraint("payment_id", "tax", name="uq_opd_tax_withholdings_payment_tax"),
    )
    with op.batch_alter_table("opd_tax_withholdings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opd_tax_withholdings_deposit_id"), ["deposit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opd_tax_withholdings_opd_id"), ["opd_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opd_tax_withholdings_payment_id"), ["payment_id"], unique=False
        )

    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_line", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.drop_column("budget_line")

    with op.batch_alter_table("opd_tax_withholdings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opd_tax_withholdings_payment_id"))
        batch_op.drop_index(batch_op.f("ix_opd_tax_withholdings_opd_id"))
        batch_op.drop_index(batch_op.f("ix_opd_tax_withholdings_deposit_id"))

    op.drop_table("opd_tax_withholdings")
    with op.batch_alter_table("opd_payment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opd_payment_lines_payment_id"))

    op.drop_table("opd_payment_lines")
    with op.batch_alter_table("opd_tax_deposits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opd_tax_deposits_opd_id"))
        batch_op.drop_index(batch_op.f("ix_opd_tax_deposits_created_at"))

    op.drop_table("opd_tax_deposits")
    with op.batch_alter_table("opd_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opd_payments_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_opd_payments_request_id"))
        batch_op.drop_index(batch_op.f("ix_opd_payments_opd_id"))
        batch_op.drop_index(batch_op.f("ix_opd_payments_created_at"))

    op.drop_table("opd_payments")
