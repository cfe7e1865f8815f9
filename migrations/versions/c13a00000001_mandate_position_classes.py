"""mandate position classes

The mandate's amounts are per position class: classes, the admin's match rules (exact names,
aliases, patterns, echelon codes), the roster's echelon code on users, when purchases count
(`mandate_rules.counts_on`, receipt by default) and the class frozen with a closed month.
Every position a rule already names becomes a class (its name its exact match, so every amount
stays), and the default classes and match rules are added (mandate.rules.DEFAULT_CLASSES, copied
here as they were).

Revision ID: c13a00000001
Revises: c13b00000001
Create Date: 2026-12-07 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c13a00000001"
down_revision = "c13b00000001"
branch_labels = None
depends_on = None

DEFAULT_CLASSES = {
    "Camat": (("pattern", "Camat *", "camat *"),),
    "Lurah": (("pattern", "Lurah *", "lurah *"),),
    "Eselon III": (
        ("pattern", "Sekretaris *", "sekretaris *"),
        ("pattern", "Kepala Bidang *", "kepala bidang *"),
        ("pattern", "Kepala Bagian *", "kepala bagian *"),
        ("echelon", "III", "iii"),
    ),
    "Kepala Seksi": (
        ("alias", "Kasi", "kasi"),
        ("pattern", "Kasi *", "kasi *"),
        ("pattern", "Kepala Seksi *", "kepala seksi *"),
        ("pattern", "Kepala Sub Bagian *", "kepala sub bagian *"),
        ("pattern", "Kasubag *", "kasubag *"),
        ("pattern", "Sekretaris Kelurahan *", "sekretaris kelurahan *"),
        ("echelon", "IV", "iv"),
    ),
    "Staf": (
        ("alias", "Staf Pelaksana", "staf pelaksana"),
        ("alias", "Pelaksana", "pelaksana"),
        ("pattern", "Staf *", "staf *"),
    ),
}


def upgrade():
    classes = op.create_table(
        "mandate_position_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandate_position_classes")),
        sa.UniqueConstraint("key", name=op.f("uq_mandate_position_classes_key")),
    )
    matches = op.create_table(
        "mandate_position_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["mandate_position_classes.id"],
            name=op.f("fk_mandate_position_matches_class_id_mandate_position_classes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandate_position_matches")),
        sa.UniqueConstraint("kind", "key", name="uq_mandate_position_matches_kind_key"),
    )
    with op.batch_alter_table("mandate_position_classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mandate_position_classes_created_at"), ["created_at"], unique=False
        )
    with op.batch_alter_table("mandate_position_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mandate_position_matches_class_id"), ["class_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mandate_position_matches_created_at"), ["created_at"], unique=False
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("echelon", sa.String(length=16), nullable=True))
    with op.batch_alter_table("mandate_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counts_on", sa.String(length=10), server_default="receipt", nullable=False)
        )
    with op.batch_alter_table("mandate_frozen_compliance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position_class", sa.String(length=120), nullable=True))

    conn = op.get_bind()
    now = sa.func.current_timestamp()
    named = {}
    for key, name in conn.execute(
        sa.text(
            "SELECT position_key, min(position) FROM mandate_rule_lines GROUP BY position_key"
            " ORDER BY position_key"
        )
    ):
        named[key] = name
    for name in DEFAULT_CLASSES:
        named.setdefault(name.lower(), name)
    for key, name in sorted(named.items()):
        conn.execute(classes.insert().values(key=key, name=name, created_at=now))
    ids = dict(conn.execute(sa.text("SELECT key, id FROM mandate_position_classes")).all())
    taken = set(ids)  # a class name is its exact match: no other class may claim it
    for name, rows in DEFAULT_CLASSES.items():
        for kind, text, key in rows:
            if kind in ("exact", "alias") and key in taken:
                continue
            conn.execute(
                matches.insert().values(
                    class_id=ids[name.lower()], kind=kind, text=text, key=key, created_at=now
                )
            )


def downgrade():
    with op.batch_alter_table("mandate_frozen_compliance", schema=None) as batch_op:
        batch_op.drop_column("position_class")
    with op.batch_alter_table("mandate_rules", schema=None) as batch_op:
        batch_op.drop_column("counts_on")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("echelon")
    with op.batch_alter_table("mandate_position_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandate_position_matches_created_at"))
        batch_op.drop_index(batch_op.f("ix_mandate_position_matches_class_id"))
    with op.batch_alter_table("mandate_position_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandate_position_classes_created_at"))
    op.drop_table("mandate_position_matches")
    op.drop_table("mandate_position_classes")
