"""Migration b10t0a1e0001: tokens made before expiry existed expire 30 days after they were
made (the default API_TOKEN_MAX_AGE_DAYS), so no old token keeps working for ever."""

from datetime import datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db


def test_existing_tokens_get_thirty_days_from_their_creation(tmp_path):
    url = f"sqlite:///{tmp_path / 'tokens.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="a9c1b2d3e4f5")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, role, password_hash, active,"
                    " session_version, created_at) VALUES (1, 'a@x.id', 'x', 'public', 'x', 1, 1,"
                    " '2026-01-01 00:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO api_tokens (id, user_id, token_hash, name, created_at)"
                    " VALUES (1, 1, :h, 'lama', '2026-01-01 08:30:00')"
                ),
                {"h": "a" * 64},
            )
        upgrade()
        with db.engine.connect() as conn:
            expires = conn.execute(text("SELECT expires_at FROM api_tokens")).scalar_one()
        assert datetime.fromisoformat(str(expires)) == datetime(2026, 1, 31, 8, 30)
        downgrade(revision="a9c1b2d3e4f5")
        db.engine.dispose()
