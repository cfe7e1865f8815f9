"""The city settings an admin changes on /admin/city (and `PUT /api/v1/admin/city`): stored as
`CitySetting` rows over the defaults of PEKEN_CITY and the environment, audited as
`city.update`. Importing this module installs `stored_settings` as `marketplace.city`'s store
(it is listed in WIRING)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import city, city_rules
from marketplace.accounts.models import CitySetting, User
from marketplace.audit.models import record_audit
from marketplace.errors import Conflict, ValidationFailed
from marketplace.extensions import db


def stored_settings() -> dict[str, str]:
    """{field: value} an admin stored. Inside the caller's transaction it reads there (without
    flushing its pending rows; it sees what update_city flushed); otherwise on a connection of
    its own, closed at once, so asking the time (`timeutil` asks the city for its zone) never
    leaves a transaction open — on SQLite one would hold the only write lock."""
    stmt = select(CitySetting.key, CitySetting.value)
    if db.session().in_transaction():
        with db.session.no_autoflush:
            rows = db.session.execute(stmt).all()
    else:
        with db.engine.connect().execution_options(peken_read_only=True) as conn:
            rows = conn.execute(stmt).all()
    return {key: value for key, value in rows if key in city_rules.EDITABLE}


city.use_store(stored_settings)


def city_settings() -> dict[str, Any]:
    """The settings in force, their defaults (PEKEN_CITY and the environment) and which ones an
    admin changed: what the admin page and `GET /admin/city` show."""
    from flask import current_app

    current = city.current_city()
    return {
        **current.as_dict(),
        "defaults": city.base_city(current_app.config).as_dict(),
        "changed": sorted(stored_settings()),
    }


def update_city(
    actor: User, data: dict[str, str | None], *, labels: Mapping[str, str] | None = None
) -> city_rules.City:
    """Change some settings (a field absent is left alone; None or a value equal to its default
    drops the admin's change). 422 naming each bad field (a zone other than WIB/WITA/WIT, a
    blank name; keyed by `labels` when a page gives them); one audit row `city.update` with the
    values before and after."""
    found = city_rules.problems(data)
    if found:
        raise ValidationFailed(
            _("Periksa kembali pengaturan kota."),
            details={
                (labels or {}).get(key, key): [_(m) for m in messages]
                for key, messages in found.items()
            },
        )
    from flask import current_app

    base = city.base_city(current_app.config)
    before = city.current_city()
    for key, raw in data.items():
        value = None if raw is None else (raw if key == "thousands_separator" else raw.strip())
        row = db.session.get(CitySetting, key)
        if value is None or value == getattr(base, key):
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(CitySetting(key=key, value=value, updated_by_id=actor.id))
        elif row.value != value:
            row.value, row.updated_by_id = value, actor.id
    db.session.flush()
    city.forget()
    after = city.current_city()
    changed = [k for k in city_rules.EDITABLE if getattr(before, k) != getattr(after, k)]
    if changed:
        record_audit(
            actor,
            "city.update",
            "city",
            after.code,
            before={k: getattr(before, k) for k in changed},
            after={k: getattr(after, k) for k in changed},
        )
    try:
        db.session.commit()
    except IntegrityError:  # another admin stored the same setting at the same moment
        db.session.rollback()
        city.forget()
        raise Conflict(
            _("Pengaturan kota baru saja diubah orang lain. Muat ulang dan coba lagi."),
            code="city_settings_changed",
        ) from None
    city.forget()
    return city.current_city()
