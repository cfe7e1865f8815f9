"""The Alembic migrations build exactly the schema the models describe, on this database."""

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from marketplace import create_app
from marketplace.extensions import db
from tests.conftest import PG_URL, _pg_url


def _fresh_database_url(tmp_path):
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'migrated.db'}", None
    name = f"peken_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_url(PG_URL, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return _pg_url(PG_URL, name), (admin, name)


def test_migrations_upgrade_to_the_models_and_downgrade_cleanly(tmp_path):
    url, cleanup = _fresh_database_url(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(
                    MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
                )
            assert diff == [], f"models and migrations differ: {diff}"
            downgrade(revision="base")
            with db.engine.connect() as conn:
                remaining = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def test_product_flags_migration_turns_todays_true_flags_into_pending_claims(tmp_path):
    """a9f1c0de7a11: flags the shopkeeper ticked become claims waiting for review, not approvals."""
    if PG_URL:
        return  # the SQL is the same on both; one database is enough for the data step
    url = f"sqlite:///{tmp_path / 'flags.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="b898a7d776da")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, name, role, active,"
                    " session_version, created_at) VALUES (1, 'v@x.id', 'x', 'V', 'vendor', 1, 1,"
                    " CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO vendors (id, owner_id, name, type, status, nib, pkp, kelurahan,"
                    " kecamatan, address, made_in_city, umk_class, created_at) VALUES (1, 1, 'T',"
                    " 'umkm', 'verified', '1234567890123', 1, 'Mojo', 'Gubeng', 'Jl', 1, 'micro',"
                    " CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(text("INSERT INTO categories (id, slug, name) VALUES (1, 'c', 'C')"))
            for pid, pdn, local, exempt in ((1, 1, 1, 1), (2, 0, 0, 0)):
                conn.execute(
                    text(
                        "INSERT INTO products (id, vendor_id, category_id, name, description,"
                        " unit, price, stock, low_stock_threshold, is_active, is_local_product,"
                        " is_pdn, vat_exempt, created_at, updated_at) VALUES (:id, 1, 1, 'Cokelat',"
                        " '', 'pcs', 1000, 1, 1, 1, :local, :pdn, :exempt, CURRENT_TIMESTAMP,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": pid, "pdn": pdn, "local": local, "exempt": exempt},
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, is_pdn, is_local_product, vat_exempt, claimed_pdn,"
                    " claimed_local_product, claimed_vat_exempt FROM products ORDER BY id"
                )
            ).all()
            reviews = conn.execute(
                text("SELECT product_id, flag, status FROM product_flag_reviews ORDER BY flag")
            ).all()
        assert [tuple(r) for r in rows] == [(1, 0, 0, 0, 1, 1, 1), (2, 0, 0, 0, 0, 0, 0)]
        assert [tuple(r) for r in reviews] == [
            (1, "is_local_product", "pending"),
            (1, "is_pdn", "pending"),
            (1, "vat_exempt", "pending"),
        ]
        downgrade(revision="b898a7d776da")
        with db.engine.connect() as conn:
            flags = conn.execute(text("SELECT is_pdn, vat_exempt FROM products ORDER BY id")).all()
        assert [tuple(r) for r in flags] == [(1, 1), (0, 0)]
        db.engine.dispose()
