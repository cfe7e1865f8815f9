"""Migration c13a00000001: every position a rule already names becomes a class (its amount kept),
the default classes and their match rules are added, rules count on receipt, and it goes back."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db
from tests.core.test_migrations import _fresh_database_url


def test_rule_positions_become_classes_beside_the_defaults(tmp_path):
    url, cleanup = _fresh_database_url(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
        with app.app_context():
            upgrade(revision="c12b00000001")
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO mandate_rules (id, effective_from, default_amount,"
                        " created_at, updated_at) VALUES (1, '2026-05', 100000,"
                        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    )
                )
                for pos, key, amount in (
                    ("Camat", "camat", 2_000_000),
                    ("Kepala Bidang", "kepala bidang", 500_000),
                    ("Kasi", "kasi", 300_000),
                ):
                    conn.execute(
                        text(
                            "INSERT INTO mandate_rule_lines (rule_id, position, position_key,"
                            " amount) VALUES (1, :p, :k, :a)"
                        ),
                        {"p": pos, "k": key, "a": amount},
                    )
            upgrade()
            with db.engine.connect() as conn:
                classes = dict(
                    conn.execute(text("SELECT key, name FROM mandate_position_classes")).all()
                )
                matches = {
                    (kind, key): cls
                    for kind, key, cls in conn.execute(
                        text(
                            "SELECT m.kind, m.key, c.key FROM mandate_position_matches m"
                            " JOIN mandate_position_classes c ON c.id = m.class_id"
                        )
                    )
                }
                counts_on = conn.execute(text("SELECT counts_on FROM mandate_rules")).scalar()
            assert classes == {
                "camat": "Camat",
                "kepala bidang": "Kepala Bidang",
                "kasi": "Kasi",
                "lurah": "Lurah",
                "eselon iii": "Eselon III",
                "kepala seksi": "Kepala Seksi",
                "staf": "Staf",
            }
            assert matches[("pattern", "camat *")] == "camat"
            assert matches[("pattern", "kasi *")] == "kepala seksi"
            assert matches[("echelon", "iv")] == "kepala seksi"
            # "Kasi" is a class of its own (the rule named it): no alias may take its name
            assert ("alias", "kasi") not in matches
            assert len(matches) == 15  # the 16 defaults but that alias
            assert counts_on == "receipt"
            downgrade(revision="c12b00000001")
            with db.engine.connect() as conn:
                tables = set(db.inspect(conn).get_table_names())
            assert "mandate_position_classes" not in tables
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
