"""The city's settings: `GET /api/v1/city` for anyone, `GET/PUT /api/v1/admin/city` and the
page /admin/city for admins (names, offices, area labels, time zone, currency display)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace import city, city_rules
from marketplace.accounts import bp, city_settings
from marketplace.accounts.schemas import CityAdminSchema, CitySchema, CityUpdateSchema
from marketplace.api import endpoint, require_role
from marketplace.forms import form_values, load_form
from marketplace.timeutil import now_utc


@endpoint(bp, "/city", summary="The city this instance serves", public=True, response=CitySchema)
def get_city():
    """Anyone: the city's name, its offices, area labels, time zone and currency display."""
    return city.current_city().as_dict()


@endpoint(
    bp,
    "/admin/city",
    summary="City settings with their defaults",
    roles=("admin",),
    response=CityAdminSchema,
    tag="admin",
)
def admin_get_city():
    """Admin: the settings in force, the defaults from PEKEN_CITY and the environment, and
    which fields an admin changed."""
    return city_settings.city_settings()


@endpoint(
    bp,
    "/admin/city",
    "PUT",
    summary="Change city settings",
    roles=("admin",),
    body=CityUpdateSchema,
    response=CityAdminSchema,
    errors=[409],
    tag="admin",
)
def admin_update_city(data):
    """Admin: change some settings (null: back to the default); 422 for a zone other than
    Asia/Jakarta, Asia/Makassar or Asia/Jayapura or a blank name; audited `city.update`."""
    city_settings.update_city(require_role("admin"), data)
    return city_settings.city_settings()


# The form's labels, by field (also the keys of a 422's details on the page).
LABELS = {
    "name": _l("Nama kota"),
    "short_name": _l("Nama singkat"),
    "platform_name": _l("Nama platform"),
    "office_shops": _l("Dinas pembina toko (singkatan)"),
    "office_shops_name": _l("Dinas pembina toko (nama lengkap)"),
    "office_finance": _l("Dinas keuangan (singkatan)"),
    "office_finance_name": _l("Dinas keuangan (nama lengkap)"),
    "office_hr": _l("Dinas kepegawaian (singkatan)"),
    "office_hr_name": _l("Dinas kepegawaian (nama lengkap)"),
    "district_label": _l("Sebutan wilayah di bawah kota"),
    "village_label": _l("Sebutan wilayah terkecil"),
    "timezone": _l("Zona waktu"),
    "currency_symbol": _l("Simbol mata uang"),
    "thousands_separator": _l("Pemisah ribuan"),
}


@bp.route("/admin/city", methods=["GET", "POST"])
def admin_city_page():
    """Admin page: the city's settings, their defaults, and a form to change or reset them."""
    actor = require_role("admin")
    if request.method == "GET":
        return render_template(
            "accounts/admin_city.html",
            settings=city_settings.city_settings(),
            labels={k: str(v) for k, v in LABELS.items()},
            timezones=city_rules.TIMEZONES,
            now=now_utc(),
        )
    labels = {k: str(v) for k, v in LABELS.items()}
    if request.form.get("reset"):
        data = dict.fromkeys(city_rules.EDITABLE)
    else:
        values = form_values(request.form)
        data = load_form(
            CityUpdateSchema(),
            {k: v for k, v in values.items() if k in city_rules.EDITABLE},
            labels=labels,
        )
    city_settings.update_city(actor, data, labels=labels)
    flash(_("Pengaturan kota disimpan."), "success")
    return redirect(url_for("accounts.admin_city_page"))
