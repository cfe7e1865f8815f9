"""Helpers shared by every CSV/XLSX download.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula, so a shop or OPD named `=HYPERLINK(...)` would run in the
finance officer's spreadsheet (OWASP "CSV injection"). openpyxl even stores such a string as a
formula itself. Text cells that start that way get a leading `'`; numbers are left alone.

Every CSV and XLSX writer passes its cells through `safe_cell`, which also drops what XML 1.0
cannot hold: one vertical tab in a stored name once made every compliance XLSX of its month fail.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from marketplace.text import xlsx_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value for a spreadsheet cell: characters an XLSX cell cannot hold are dropped (C0
    controls but tab, newline and CR — openpyxl's ILLEGAL_CHARACTERS_RE — and lone surrogates),
    so no stored value can break a download; then text that could run as a formula is quoted."""
    if isinstance(value, str):
        value = xlsx_text(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def safe_row(values) -> list[Any]:
    return [safe_cell(v) for v in values]


# ---------------------------------------------------------------- streamed downloads
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK_ROWS = 1000


def csv_chunks(columns: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """A CSV file as byte chunks of about a thousand rows, written while `rows` is read: memory
    holds one chunk, never the file. Starts with a BOM so spreadsheet programs read UTF-8."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
        if count % _CHUNK_ROWS == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def xlsx_chunks(
    columns: list[str], rows: Iterable[Iterable[Any]], title: str, *, chunk: int = 1 << 16
) -> Iterator[bytes]:
    """An XLSX file as byte chunks. openpyxl's write-only workbook streams rows to a temporary
    file as they come (memory stays flat however many rows), then the file is read back in
    chunks and removed."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(columns)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    with tempfile.TemporaryFile() as tmp:
        wb.save(tmp)
        tmp.seek(0)
        while data := tmp.read(chunk):
            yield data
