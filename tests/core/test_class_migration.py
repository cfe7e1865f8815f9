"""Migration a9c1b2d3e4f5 keeps the admin's class overrides and lifts PKP shops to small."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db

USERS = (
    "INSERT INTO users (id, email, name, role, password_hash, active, session_version, created_at)"
    " VALUES (:id, :email, 'x', 'vendor', 'x', :t, 0, '2026-01-01')"
)
VENDORS = (
    "INSERT INTO vendors (id, owner_id, name, type, status, nib, pkp, kelurahan, kecamatan,"
    " address, made_in_city, umk_class, umk_class_override, created_at) VALUES (:id, :id, 'Toko',"
    " 'kelontong', 'verified', '1234567890123', :pkp, 'Gubeng', 'Gubeng', 'Jl. A 1', :t,"
    " :cls, :override, '2026-01-01')"
)


def test_overrides_survive_and_a_pkp_shop_moved_to_micro_is_small_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'class.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="b898a7d776da")
        shops = [
            # id, pkp, class, override
            (1, True, "micro", None),  # the PKP shop that refresh moved to micro
            (2, False, "micro", "medium"),
            (3, True, "micro", "micro"),  # the admin's override stays the admin's
            (4, False, "small", None),
        ]
        with db.engine.begin() as conn:
            for id_, pkp, cls, override in shops:
                conn.execute(text(USERS), {"id": id_, "email": f"v{id_}@x.id", "t": True})
                conn.execute(
                    text(VENDORS),
                    {"id": id_, "pkp": pkp, "cls": cls, "override": override, "t": True},
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, umk_class, umk_class_override, umk_class_declaration_id"
                    " FROM vendors ORDER BY id"
                )
            ).all()
            audited = conn.execute(
                text("SELECT target_id FROM audit_log WHERE action = 'vendor.class_pkp_floor'")
            ).scalars()
            assert sorted(audited) == ["1", "3"]
        assert [tuple(r) for r in rows] == [
            (1, "small", None, None),
            (2, "micro", "medium", None),
            (3, "small", "micro", None),
            (4, "small", None, None),
        ]
        downgrade(revision="b898a7d776da")
        with db.engine.connect() as conn:
            overrides = conn.execute(
                text("SELECT umk_class_override FROM vendors ORDER BY id")
            ).scalars()
            assert list(overrides) == [None, "medium", "micro", None]
        db.engine.dispose()
