"""order delivery

The delivery of an office's order as its shop records it: when it was recorded, the day of the
hand-over, who received it and an optional note (status `delivered`, invoice orders only).

Revision ID: c12b00000001
Revises: c12c00000001
Create Date: 2026-12-07 09:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c12b00000001"
down_revision = "c12c00000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("delivered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("delivery_received_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("delivery_note", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("delivery_note")
        batch_op.drop_column("delivery_received_by")
        batch_op.drop_column("delivered_on")
        batch_op.drop_column("delivered_at")
