"""Helpers shared by every CSV/XLSX download.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula, so a shop or OPD named `=HYPERLINK(...)` would run in the
finance officer's spreadsheet (OWASP "CSV injection"). openpyxl even stores such a string as a
formula itself. Text cells that start that way get a leading `'`; numbers are left alone.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value for a spreadsheet cell: text that could run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values) -> list[Any]:
    return [safe_cell(v) for v in values]
