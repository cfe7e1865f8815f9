"""Migration c11c00000001: NPWP to 16 digits and phones to E.164 (values that do not parse kept
and reported), the vendor's type frozen on existing spending records, koperasi allowed."""

import sqlite3

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from marketplace import create_app
from marketplace.extensions import db

USER = (
    "INSERT INTO users (id, email, name, role, password_hash, active, session_version,"
    " created_at) VALUES (:id, :email, 'x', 'vendor', 'x', 1, 1, '2026-01-01 00:00:00')"
)
VENDOR = (
    "INSERT INTO vendors (id, owner_id, name, type, status, nib, npwp, phone, pkp, kelurahan,"
    " kecamatan, address, made_in_city, umk_class, created_at) VALUES (:id, :id, 'Toko', :type,"
    " 'verified', '1234567890123', :npwp, :phone, 0, 'Gubeng', 'Gubeng', 'Jl. A', 1, 'micro',"
    " '2026-01-01 00:00:00')"
)


def test_identifiers_become_canonical_and_bad_ones_are_kept_and_reported(tmp_path, capfd):
    url = f"sqlite:///{tmp_path / 'primitives.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="b10t0a1e0001")
        shops = [
            (1, "kelontong", "01.234.567.8-901.000", "0812-3456-7890"),
            (2, "umkm", "3578 0155 0590 0001", "(031) 555-1234"),
            (3, "food_centre", "ABC-123", "kantor pusat"),
            (4, "umkm", "  ", None),
        ]
        with db.engine.begin() as conn:
            for vid, kind, npwp, phone in shops:
                conn.execute(text(USER), {"id": vid, "email": f"v{vid}@x.id"})
                conn.execute(text(VENDOR), {"id": vid, "type": kind, "npwp": npwp, "phone": phone})
        capfd.readouterr()
        upgrade(revision="c11c00000001")
        report = "".join(capfd.readouterr())  # alembic's log handler writes to stderr
        with db.engine.begin() as conn:
            rows = conn.execute(text("SELECT id, npwp, phone FROM vendors ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [
                (1, "0012345678901000", "+6281234567890"),
                (2, "3578015505900001", "+62315551234"),
                (3, "ABC-123", "kantor pusat"),  # kept, not destroyed
                (4, None, None),
            ]
            # the new kind of seller is allowed now
            conn.execute(text(USER), {"id": 5, "email": "v5@x.id"})
            conn.execute(text(VENDOR), {"id": 5, "type": "koperasi", "npwp": None, "phone": None})
        assert "vendor 3: NPWP 'ABC-123' kept" in report
        assert "vendor 3: phone 'kantor pusat' kept" in report
        assert "vendor 1" not in report
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE vendors SET type = 'pasar' WHERE id = 1"))
        downgrade(revision="b10t0a1e0001")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT type FROM vendors WHERE id = 5")).scalar() == "umkm"
        db.engine.dispose()


def test_existing_spending_records_take_their_vendors_type(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="b10t0a1e0001")
        with db.engine.begin() as conn:
            conn.execute(text(USER), {"id": 1, "email": "v1@x.id"})
            conn.execute(text(VENDOR), {"id": 1, "type": "umkm", "npwp": None, "phone": None})
        # A bare sqlite3 connection does not enforce foreign keys: the record's order is beside
        # the point here.
        raw = sqlite3.connect(tmp_path / "records.db")
        raw.execute(
            "INSERT INTO spending_records (id, occurred_at, period, year, order_id,"
            " order_line_id, buyer_id, channel, vendor_id, vendor_umk_class,"
            " vendor_kelurahan, is_local_vendor, is_local_product, is_pdn, amount,"
            " created_at) VALUES (1, '2026-05-02 01:00:00', '2026-05', 2026, 1, 1, 1,"
            " 'public', 1, 'medium', 'Gubeng', 1, 1, 1, 50000, '2026-05-02 01:00:00')"
        )
        raw.commit()
        raw.close()
        upgrade(revision="c11c00000001")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT vendor_type FROM spending_records")).scalar() == "umkm"
        db.engine.dispose()
