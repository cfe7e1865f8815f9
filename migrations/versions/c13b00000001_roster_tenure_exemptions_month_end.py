"""roster tenure, mandate exemptions, readers and month-end notices

Issue 13: when an ASN joined and left the roster (users.joined_on, users.left_on), what a joiner
owes in their first month (mandate_rules.joiners), the approved exemption of a frozen month
(mandate_frozen_compliance.exemption), exemption requests, the BKPSDM/Inspektorat readers and the
month-end notices already sent.

Revision ID: c13b00000001
Revises: c12e00000001
Create Date: 2026-12-07 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c13b00000001"
down_revision = "c12e00000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
    with op.batch_alter_table("mandate_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("joiners", sa.String(length=10), nullable=False, server_default="prorate")
        )
    with op.batch_alter_table("mandate_frozen_compliance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exemption", sa.String(length=20), nullable=True))

    op.create_table(
        "mandate_exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "period", name="uq_mandate_exemptions_user_period"),
    )
    op.create_index("ix_mandate_exemptions_created_at", "mandate_exemptions", ["created_at"])
    op.create_index(
        "ix_mandate_exemptions_user_id", "mandate_exemptions", ["user_id"], unique=False
    )
    op.create_index(
        "ix_mandate_exemptions_period_status",
        "mandate_exemptions",
        ["period", "status"],
        unique=False,
    )
    op.create_table(
        "mandate_readers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=20), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assigned_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mandate_readers_user_id", "mandate_readers", ["user_id"], unique=True)
    op.create_index("ix_mandate_readers_created_at", "mandate_readers", ["created_at"])
    op.create_table(
        "mandate_month_end_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["notification_id"], ["notifications.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "user_id", name="uq_mandate_month_end_period_user"),
    )
    op.create_index("ix_mandate_month_end_notices_period", "mandate_month_end_notices", ["period"])
    op.create_index(
        "ix_mandate_month_end_notices_user_id", "mandate_month_end_notices", ["user_id"]
    )
    op.create_index(
        "ix_mandate_month_end_notices_sent_at", "mandate_month_end_notices", ["sent_at"]
    )


def downgrade():
    op.drop_index("ix_mandate_month_end_notices_sent_at", table_name="mandate_month_end_notices")
    op.drop_index("ix_mandate_readers_created_at", table_name="mandate_readers")
    op.drop_index("ix_mandate_exemptions_created_at", table_name="mandate_exemptions")
    op.drop_index("ix_mandate_month_end_notices_user_id", table_name="mandate_month_end_notices")
    op.drop_index("ix_mandate_month_end_notices_period", table_name="mandate_month_end_notices")
    op.drop_table("mandate_month_end_notices")
    op.drop_index("ix_mandate_readers_user_id", table_name="mandate_readers")
    op.drop_table("mandate_readers")
    op.drop_index("ix_mandate_exemptions_period_status", table_name="mandate_exemptions")
    op.drop_index("ix_mandate_exemptions_user_id", table_name="mandate_exemptions")
    op.drop_table("mandate_exemptions")
    with op.batch_alter_table("mandate_frozen_compliance", schema=None) as batch_op:
        batch_op.drop_column("exemption")
    with op.batch_alter_table("mandate_rules", schema=None) as batch_op:
        batch_op.drop_column("joiners")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("left_on")
        batch_op.drop_column("joined_on")
