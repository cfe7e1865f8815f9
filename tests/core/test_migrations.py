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
