"""city settings

The settings an admin changes on /admin/city (names, offices, area labels, time zone, currency
display); without a row a setting keeps its default from PEKEN_CITY and the environment.

Revision ID: c11b00000001
Revises: b10t0a1e0001
Create Date: 2026-12-07 07:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c11b00000001"
down_revision = "c11a00000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "city_settings",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_city_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_city_settings")),
    )


def downgrade():
    op.drop_table("city_settings")
