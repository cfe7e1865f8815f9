"""`seed-demo` loads every area of the configured city through `import_areas`: all of Surabaya,
or another city (Kota Malang) with the demo's shops and users placed in that city's areas."""

import pytest
from sqlalchemy import func, select

from marketplace import demo
from marketplace.accounts.models import User
from marketplace.areas.models import Area
from marketplace.extensions import db
from marketplace.shops.models import Vendor


def _count(city):
    return db.session.scalar(select(func.count()).select_from(Area).where(Area.city_code == city))


def test_the_demo_loads_all_of_surabaya_and_keeps_its_shops_in_their_kelurahan(app):
    result = demo.seed_demo()
    assert result.created["areas"] == 153 and _count("35.78") == 153
    shop = db.session.scalar(select(Vendor).where(Vendor.name == "Toko Kelontong Bu Sri"))
    assert (shop.kelurahan, shop.kecamatan, shop.area_code) == (
        "Airlangga",
        "Gubeng",
        "35.78.08.1003",
    )
    warga = db.session.scalar(select(User).where(User.email == "warga1@demo.peken.id"))
    assert (warga.kelurahan, warga.area_code) == ("Mojo", "35.78.08.1002")


@pytest.mark.parametrize("city", ["35.73"])
def test_the_demo_seeds_another_city_placing_its_rows_in_that_citys_areas(app, runner, city):
    app.config["PEKEN_CITY"] = city
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert _count(city) == 57 and _count("35.78") == 0
    codes = set(db.session.scalars(select(Area.code)))
    shops = db.session.scalars(select(Vendor)).all()
    users = db.session.scalars(select(User).where(User.kelurahan.is_not(None))).all()
    assert shops and all(v.area_code in codes for v in shops)
    assert users and all(u.area_code in codes for u in users)
    names = {a.code: (a.name, a.kecamatan_name) for a in db.session.scalars(select(Area))}
    assert all((v.kelurahan, v.kecamatan) == names[v.area_code] for v in shops)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "tidak ada yang diubah" in again.output
