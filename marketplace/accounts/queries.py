"""Read-only account queries shared by several areas' pages."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from marketplace.accounts.models import Opd
from marketplace.extensions import db


class OpdChoice(NamedTuple):
    """One OPD as forms offer it: `opd.code`/`opd.name`, or unpacked as `code, name`."""

    code: str
    name: str


def opd_choices() -> list[OpdChoice]:
    """Every OPD as (code, name), by name then code, for filter menus and per-OPD forms."""
    rows = db.session.execute(select(Opd.code, Opd.name).order_by(Opd.name, Opd.code))
    return [OpdChoice(code, name) for code, name in rows]
