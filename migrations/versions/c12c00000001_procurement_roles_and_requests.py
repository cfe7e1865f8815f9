"""procurement roles and requests

Office roles (officer, PPK, treasurer, head) per OPD; purchase requests with their lines and
history; orders get their payment terms (`prepaid` for every existing order, `invoice` for an
office's purchase placed at its PPK's approval) and, for an office's order, the OPD and the
budget line.

Revision ID: c12c00000001
Revises: c11b00000001
Create Date: 2026-12-07 08:25:46.661316

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c12c00000001"
down_revision = "c11b00000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "office_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "role in ('officer','ppk','treasurer','head')", name=op.f("ck_office_roles_role")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_office_roles_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opds.id"], name=op.f("fk_office_roles_opd_id_opds")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_office_roles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_roles")),
        sa.UniqueConstraint("opd_id", "user_id", "role", name="uq_office_roles_opd_user_role"),
    )
    with op.batch_alter_table("office_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_office_roles_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_office_roles_opd_id"), ["opd_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_office_roles_user_id"), ["user_id"], unique=False)

    op.create_table(
        "purchase_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("budget_line", sa.String(length=40), nullable=True),
        sa.Column("activity", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("checkout_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status in ('draft','submitted','approved','rejected','cancelled')",
            name=op.f("ck_purchase_requests_status"),
        ),
        sa.CheckConstraint("total >= 0", name=op.f("ck_purchase_requests_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["checkouts.id"],
            name=op.f("fk_purchase_requests_checkout_id_checkouts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_purchase_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_purchase_requests_officer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opd_id"], ["opds.id"], name=op.f("fk_purchase_requests_opd_id_opds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_requests_number")),
    )
    with op.batch_alter_table("purchase_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_requests_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_requests_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_purchase_requests_opd_id"), ["opd_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_purchase_requests_status"), ["status"], unique=False)

    op.create_table(
        "purchase_request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_purchase_request_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["purchase_requests.id"],
            name=op.f("fk_purchase_request_events_request_id_purchase_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_request_events")),
    )
    with op.batch_alter_table("purchase_request_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_request_events_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_request_events_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "purchase_request_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("unit_price", sa.BigInteger(), nullable=True),
        sa.Column("line_total", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_purchase_request_lines_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_purchase_request_lines_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["purchase_requests.id"],
            name=op.f("fk_purchase_request_lines_request_id_purchase_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_purchase_request_lines_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_request_lines")),
        sa.UniqueConstraint("request_id", "product_id", name="uq_purchase_request_lines_product"),
    )
    with op.batch_alter_table("purchase_request_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_request_lines_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_request_lines_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_terms", sa.String(length=20), server_default="prepaid", nullable=False
            )
        )
        batch_op.add_column(sa.Column("opd_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("budget_line", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_orders_opd_id"), ["opd_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_orders_opd_id_opds"), "opds", ["opd_id"], ["id"])


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_opd_id_opds"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_orders_opd_id"))
        batch_op.drop_column("budget_line")
        batch_op.drop_column("opd_id")
        batch_op.drop_column("payment_terms")

    with op.batch_alter_table("purchase_request_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_request_lines_request_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_request_lines_product_id"))

    op.drop_table("purchase_request_lines")
    with op.batch_alter_table("purchase_request_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_request_events_request_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_request_events_created_at"))

    op.drop_table("purchase_request_events")
    with op.batch_alter_table("purchase_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_requests_status"))
        batch_op.drop_index(batch_op.f("ix_purchase_requests_opd_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_requests_officer_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_requests_created_at"))

    op.drop_table("purchase_requests")
    with op.batch_alter_table("office_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_roles_user_id"))
        batch_op.drop_index(batch_op.f("ix_office_roles_opd_id"))
        batch_op.drop_index(batch_op.f("ix_office_roles_created_at"))

    op.drop_table("office_roles")
