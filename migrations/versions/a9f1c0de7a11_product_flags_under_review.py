"""Product flags under the city's review (issue 9, parts 5 and 6).

PDN (with TKDN in basis points), local product and VAT-exempt become the shop's *claims*
(`products.claimed_*`, one `product_flag_reviews` row per claim); the product's own `is_pdn`,
`is_local_product`, `vat_exempt` and `tkdn_bps` now hold only what the city approved. The mandate's
covering index gains `is_local_product`, the second flag the mandate counts on.

Existing data: every flag that is true today becomes a **pending claim**, not a grandfathered
approval. The old flags were the shopkeeper's own checkboxes (an imported chocolate went live as
PDN and VAT-exempt), so nothing proves them; until an admin approves them in the review queue the
products count as not PDN, not local and taxable. Flags that are false stay false. The demo data
is seeded through the review service instead (`marketplace/demo.py`), so a fresh demo still shows
approved local and PDN products. Downgrade puts the claims back as the flags (the pre-review
behaviour) and drops the review history.

Revision ID: a9f1c0de7a11
Revises: a9r1c0de0001
Create Date: 2026-12-07 04:24:17.376625

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9f1c0de7a11"
down_revision = "a9r1c0de0001"
branch_labels = None
depends_on = None

FLAGS = (
    ("is_pdn", "claimed_pdn"),
    ("is_local_product", "claimed_local_product"),
    ("vat_exempt", "claimed_vat_exempt"),
)


def upgrade():
    op.create_table(
        "product_flag_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=20), nullable=False),
        sa.Column("tkdn_bps", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "flag in ('is_pdn','is_local_product','vat_exempt')",
            name=op.f("ck_product_flag_reviews_flag_known"),
        ),
        sa.CheckConstraint(
            "status in ('pending','approved','rejected','withdrawn')",
            name=op.f("ck_product_flag_reviews_status_known"),
        ),
        sa.CheckConstraint(
            "tkdn_bps BETWEEN 0 AND 10000", name=op.f("ck_product_flag_reviews_tkdn_bps_range")
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"],
            ["users.id"],
            name=op.f("fk_product_flag_reviews_claimed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_flag_reviews_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_product_flag_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_flag_reviews")),
    )
    with op.batch_alter_table("product_flag_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_flag_reviews_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_flag_reviews_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_flag_reviews_status"), ["status"], unique=False
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tkdn_bps", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "claimed_local_product", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("claimed_pdn", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("claimed_vat_exempt", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("claimed_tkdn_bps", sa.Integer(), nullable=True))

    # Today's true flags become claims waiting for review; the approved flags start false.
    for flag, claim in FLAGS:
        op.execute(
            f"INSERT INTO product_flag_reviews (product_id, flag, status, created_at) "
            f"SELECT id, '{flag}', 'pending', CURRENT_TIMESTAMP FROM products WHERE {flag}"
        )
        op.execute(f"UPDATE products SET {claim} = {flag}")
        op.execute(f"UPDATE products SET {flag} = false")

    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spending_records_period_buyer_local_amount"))
        batch_op.create_index(
            "ix_spending_records_period_buyer_local_amount",
            ["period", "buyer_id", "channel", "is_local_vendor", "is_local_product", "amount"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("spending_records", schema=None) as batch_op:
        batch_op.drop_index("ix_spending_records_period_buyer_local_amount")
        batch_op.create_index(
            batch_op.f("ix_spending_records_period_buyer_local_amount"),
            ["period", "buyer_id", "is_local_vendor", "amount"],
            unique=False,
        )

    # Back to the shop's own checkboxes: the claims become the flags again.
    for flag, claim in FLAGS:
        op.execute(f"UPDATE products SET {flag} = {claim}")

    with op.batch_alter_table("product_flag_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_flag_reviews_status"))
        batch_op.drop_index(batch_op.f("ix_product_flag_reviews_product_id"))
        batch_op.drop_index(batch_op.f("ix_product_flag_reviews_created_at"))

    op.drop_table("product_flag_reviews")

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("claimed_tkdn_bps")
        batch_op.drop_column("claimed_vat_exempt")
        batch_op.drop_column("claimed_pdn")
        batch_op.drop_column("claimed_local_product")
        batch_op.drop_column("tkdn_bps")
