"""Migration c11a00000001 on a database seeded by the demo of its parent revision: every name
the demo used is matched to its area by code, and a name that maps to several areas or none is
left unresolved and listed for a human, never guessed."""

import gzip
import json
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db
from tests.conftest import PG_URL

# Every row `flask seed-demo` wrote at b10t0a1e0001 (commit 035d48c): 34 Surabaya kelurahan keyed
# by name, 25 users, 10 shops, 13 spending records (SQLite INSERTs from `.dump`, in a JSON list).
DEMO = Path(__file__).parent / "data" / "demo_b10t0a1e0001.json.gz"
USER = (
    "INSERT INTO users (id, email, password_hash, name, role, active, session_version,"
    " created_at, kelurahan) VALUES (:id, :email, 'x', 'W', 'public', 1, 1, CURRENT_TIMESTAMP, :k)"
)


@pytest.fixture
def demo_app(tmp_path):
    if PG_URL:
        pytest.skip("the demo dump is SQLite's; the migration's SQL is the same on both")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="b10t0a1e0001")
        with db.engine.begin() as conn:
            for statement in json.loads(gzip.decompress(DEMO.read_bytes()))["statements"]:
                conn.exec_driver_sql(statement)
            # Beside the demo: a Rungkut resident who only ever wrote "Wonorejo", a typo, and a
            # sale of a shop whose kelurahan is one of the two Wonorejo.
            conn.execute(text(USER), {"id": 901, "email": "w@x.id", "k": "Wonorejo"})
            conn.execute(text(USER), {"id": 902, "email": "k@x.id", "k": "Ketintang Baru"})
            conn.execute(
                text(
                    "UPDATE vendors SET kelurahan = 'Wonorejo', kecamatan = 'Rungkut' WHERE id ="
                    " (SELECT MIN(vendor_id) FROM spending_records)"
                )
            )
            conn.execute(
                text(
                    "UPDATE spending_records SET vendor_kelurahan = 'Wonorejo' WHERE id ="
                    " (SELECT MIN(id) FROM spending_records)"
                )
            )
        yield app
        db.engine.dispose()


def _rows(sql):
    db.session.remove()  # SQLite: the session's open transaction would lock the file
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def test_the_demo_database_gets_area_codes_and_the_unresolved_names_are_listed(demo_app):
    upgrade()

    assert _rows("SELECT COUNT(*) FROM areas WHERE city_code = '35.78'") == [(153,)]
    assert _rows("SELECT COUNT(*) FROM kecamatan") == [(31,)]
    # every demo shop and every demo ASN has its code; the demo's spellings became official
    assert _rows("SELECT COUNT(*) FROM vendors WHERE area_code IS NULL") == [(0,)]
    assert _rows(
        "SELECT COUNT(*) FROM users WHERE kelurahan IS NOT NULL AND area_code IS NULL"
    ) == [(2,)]  # only the two names beside the demo
    assert _rows("SELECT kelurahan, area_code FROM users WHERE email = 'asn12@demo.peken.id'") == [
        ("Penjaringansari", "35.78.03.1004")  # "Penjaringan Sari" in the demo
    ]
    assert _rows("SELECT kelurahan, area_code FROM users WHERE email = 'asn1@demo.peken.id'") == [
        ("Airlangga", "35.78.08.1003")
    ]
    # the Wonorejo shop was given with its kecamatan: Rungkut's, not Tegalsari's
    assert _rows("SELECT area_code, kecamatan FROM vendors WHERE kelurahan = 'Wonorejo'") == [
        ("35.78.03.1005", "Rungkut")
    ]
    # its sales sold under its kelurahan follow the shop; every other sale keeps its name
    assert _rows("SELECT COUNT(*) FROM spending_records WHERE vendor_area_code IS NULL") == [(0,)]
    assert _rows(
        "SELECT vendor_kelurahan, vendor_area_code FROM spending_records"
        " WHERE id = (SELECT MIN(id) FROM spending_records)"
    ) == [("Wonorejo", "35.78.03.1005")]
    unresolved = _rows(
        "SELECT table_name, row_id, given_kelurahan, reason, candidates FROM unresolved_areas"
        " ORDER BY row_id"
    )
    assert unresolved[0] == ("users", 901, "Wonorejo", "ambiguous", "35.78.03.1005,35.78.05.1005")
    assert unresolved[1][:4] == ("users", 902, "Ketintang Baru", "unknown")
    assert unresolved[1][4].startswith("35.78.22.1004,")  # Ketintang, the closest, first
    assert len(unresolved) == 2


def test_the_unresolved_names_are_listed_and_settled_by_the_command(demo_app):
    upgrade()
    runner = demo_app.test_cli_runner()

    listed = runner.invoke(args=["areas-unresolved"])
    assert listed.exit_code == 0, listed.output
    assert "users #901\tWonorejo\tambiguous\t35.78.03.1005, 35.78.05.1005" in listed.output
    ref_id = _rows("SELECT id FROM unresolved_areas WHERE row_id = 901")[0][0]

    settled = runner.invoke(args=["areas-unresolved", "--settle", str(ref_id), "35.78.03.1005"])
    assert settled.exit_code == 0, settled.output
    assert _rows("SELECT kelurahan, area_code FROM users WHERE id = 901") == [
        ("Wonorejo", "35.78.03.1005")
    ]
    assert "#901" not in runner.invoke(args=["areas-unresolved"]).output
    assert _rows("SELECT action, target_id FROM audit_log WHERE action = 'areas.settle'") == [
        ("areas.settle", "901")
    ]


def test_the_demo_seeds_again_on_the_migrated_database_and_it_downgrades(demo_app):
    upgrade()
    from marketplace.demo import seed_demo

    before = _rows("SELECT count(*) FROM vendors")[0][0]
    result = seed_demo()
    # Nothing the snapshot holds is made twice; the demo gained only its koperasi since then.
    assert result.created.get("areas") == 0
    assert _rows("SELECT count(*) FROM vendors WHERE type != 'koperasi'")[0][0] == before
    db.session.remove()
    downgrade(revision="b10t0a1e0001")
    names = {r[0] for r in _rows("SELECT kelurahan FROM areas")}
    assert {"Airlangga", "Wonorejo", "Ketintang"} <= names
    assert _rows("SELECT kelurahan FROM vendors WHERE kelurahan = 'Wonorejo'") == [("Wonorejo",)]


def test_the_conversion_runs_on_this_database_too(tmp_path):
    """The same data step on SQLite and PostgreSQL: a shop by (kecamatan, kelurahan), a user
    by a name unique in the city, an ambiguous user name reported, then a clean downgrade."""
    from tests.core.test_migrations import _fresh_database_url

    url, cleanup = _fresh_database_url(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
        with app.app_context():
            upgrade(revision="b10t0a1e0001")
            with db.engine.begin() as conn:
                for uid, kelurahan in ((1, "Keputran"), (2, "Wonorejo"), (3, None)):
                    conn.execute(
                        text(
                            "INSERT INTO users (id, email, password_hash, name, role, active,"
                            " session_version, created_at, kelurahan) VALUES (:id, :email, 'x',"
                            " 'U', 'public', :t, 1, CURRENT_TIMESTAMP, :k)"
                        ),
                        {"id": uid, "email": f"u{uid}@x.id", "t": True, "k": kelurahan},
                    )
                conn.execute(
                    text(
                        "INSERT INTO vendors (id, owner_id, name, type, status, nib, pkp,"
                        " kelurahan, kecamatan, address, made_in_city, umk_class, created_at)"
                        " VALUES (1, 3, 'T', 'umkm', 'verified', '1234567890123', :f,"
                        " 'wonorejo', 'Tegalsari', 'Jl', :t, 'micro', CURRENT_TIMESTAMP)"
                    ),
                    {"t": True, "f": False},
                )
            upgrade()
            assert _rows("SELECT id, area_code FROM users ORDER BY id") == [
                (1, "35.78.05.1004"),
                (2, None),
                (3, None),
            ]
            assert _rows("SELECT area_code, kelurahan, kecamatan FROM vendors") == [
                ("35.78.05.1005", "Wonorejo", "Tegalsari")
            ]
            assert _rows("SELECT table_name, row_id, reason FROM unresolved_areas") == [
                ("users", 2, "ambiguous")
            ]
            downgrade(revision="b10t0a1e0001")
            assert _rows("SELECT kelurahan FROM vendors") == [("Wonorejo",)]
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
