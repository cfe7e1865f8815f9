"""TKDN frozen on the order line at checkout (as the city reviewed it, PDN lines only)

Revision ID: a9a4c0de0004
Revises: a9f1c0de7a11
Create Date: 2026-12-07 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a9a4c0de0004"
down_revision = "a9f1c0de7a11"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tkdn_bps", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("tkdn_bps")
