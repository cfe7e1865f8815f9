"""token expiry, revocation reason and login throttles

Bearer tokens get `expires_at` (existing tokens: 30 days after they were made, the default
API_TOKEN_MAX_AGE_DAYS) and `revoked_reason`; failed sign-ins are counted in `login_throttles`
so every worker process shares one count.

Revision ID: b10t0a1e0001
Revises: b10c0de00001
Create Date: 2026-12-07 05:35:00

"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "b10t0a1e0001"
down_revision = "b10c0de00001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint("key", "window_start", name="uq_login_throttles_key_window"),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttles_window_start"), ["window_start"], unique=False
        )

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.String(length=20), nullable=True))

    # Tokens made before expiry existed get the default lifetime, counted from their creation
    # (computed here, not in SQL: date arithmetic differs between SQLite and PostgreSQL).
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("expires_at", sa.DateTime),
    )
    conn = op.get_bind()
    for token_id, created_at in conn.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        conn.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(expires_at=created_at + timedelta(days=30))
        )

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_reason")
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_window_start"))

    op.drop_table("login_throttles")
