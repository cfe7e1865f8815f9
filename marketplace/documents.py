"""Printable documents (the nota retur, the OPD's BAST, invoice, kwitansi, bukti potong, the SPJ
bundle): PDFs rendered by WeasyPrint from the app's own Jinja templates, and their downloads.

A document template extends `templates/documents/base.html` (A4, margins, page numbers, the city's
names from the `city` global, print CSS in `static/css/document.css`) and includes the same
content partial its page shows, so the page and the PDF cannot say different things:

    {% extends "documents/base.html" %}
    {% block title %}{{ _("Nota retur") }} {{ note.number }}{% endblock %}
    {% block content %}{% include "ordering/_credit_note.html" %}{% endblock %}

Rendering fetches nothing from the network: `StaticFilesOnly` hands WeasyPrint the app's own
static files from disk (and `data:` URLs, which hold their content) and refuses every other URL,
which WeasyPrint then logs and leaves out. Fonts come from the system (fontconfig): DejaVu Sans, which
`make system-deps` installs with the Pango libraries WeasyPrint needs.

WeasyPrint is imported on first use: it takes half a second to load and the app starts without it.
"""

from __future__ import annotations

import io
import logging
import mimetypes
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, has_request_context, render_template, request
from werkzeug.security import safe_join

from marketplace import timeutil

if TYPE_CHECKING:
    from flask import Flask

PDF_MIMETYPE = "application/pdf"
ZIP_MIMETYPE = "application/zip"
_CHUNK = 1 << 16
# WeasyPrint logs seven INFO lines per document ("Step 1 - Fetching and parsing HTML", ...);
# its warnings (a refused URL, an unsupported CSS property) stay on its `weasyprint` logger.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class RefusedURL(ValueError):
    """A document asked for something other than one of the app's static files."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """WeasyPrint's URL fetcher for documents: the app's static files, read from its static
        folder (never over the network) when their URL is on the document's own origin, and
        `data:` URLs; anything else (another host, file:, ftp:, a path outside the static
        folder) raises RefusedURL, which WeasyPrint logs, leaving the resource out."""

        def __init__(self, app: Flask, origin: str, script_root: str = ""):
            super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)
            self._folder = app.static_folder
            self._origin = origin
            self._prefix = script_root.rstrip("/") + (app.static_url_path or "/static") + "/"

        def fetch(self, url: str, headers=None):
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            path = static_file(url, self._folder, self._origin, self._prefix)
            if path is None:
                raise RefusedURL(f"documents fetch only the app's static files, not {url[:200]}")
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mimetype})

    return StaticFilesOnly


def static_file(url: str, folder: str | None, origin: str, prefix: str) -> Path | None:
    """The file in the static folder that `url` names on `origin` (`https://host`) under `prefix`
    (`/static/`), or None: another origin or scheme, a query, a path that leaves the folder."""
    parts, base = urlsplit(url), urlsplit(origin)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query:
        return None
    if not folder or not parts.path.startswith(prefix):
        return None
    joined = safe_join(folder, unquote(parts.path[len(prefix) :]))
    if joined is None or not Path(joined).is_file():
        return None
    return Path(joined)


def url_fetcher(app: Flask | None = None):
    """The fetcher `render_pdf` gives WeasyPrint, for the current request's origin (the one
    `url_for` links on; outside a request `http://localhost`)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if has_request_context():
        return _fetcher_class()(app, request.host_url.rstrip("/"), request.script_root)
    return _fetcher_class()(app, "http://localhost")


def render_pdf(template_name: str, **context: Any) -> bytes:
    """The PDF of one of the app's Jinja templates (rendered like a page, with the same globals,
    filters and locale) as bytes. Relative links resolve on the request's origin, so a link in
    the PDF opens the app. Needs an app context; outside a request (a CLI command) a request
    context is made so `url_for` works."""
    from weasyprint import HTML

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with nullcontext() if has_request_context() else app.test_request_context():
        html = render_template(template_name, **context)
        fetcher = url_fetcher(app)
        return HTML(string=html, base_url=request.host_url, url_fetcher=fetcher).write_pdf()


# ---------------------------------------------------------------- downloads
def download_name(filename: str, suffix: str) -> str:
    """A file name safe in a Content-Disposition header and on any disk: letters, digits, `_`,
    `.` and `-` (anything else becomes `_`), ending in `suffix`."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", filename).lstrip(".") or "dokumen"
    return name if name.lower().endswith(suffix) else name + suffix


def _chunks(content: bytes) -> Iterator[bytes]:
    view = memoryview(content)
    for start in range(0, len(content), _CHUNK):
        yield bytes(view[start : start + _CHUNK])


def send_bytes(content: bytes, filename: str, mimetype: str) -> Response:
    """A download of bytes in memory, streamed in chunks with its length, as an attachment that
    no cache keeps (`Cache-Control: no-store`, like every download of the project)."""
    return Response(
        _chunks(content),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(len(content)),
            "Cache-Control": "no-store",
        },
    )


def send_pdf(content: bytes, filename: str) -> Response:
    """A PDF download: `send_pdf(render_pdf("x.html", ...), "BAST-2026-000001.pdf")`."""
    return send_bytes(content, download_name(filename, ".pdf"), PDF_MIMETYPE)


def send_zip(content: bytes, filename: str) -> Response:
    """A ZIP download (the SPJ bundle): `send_zip(zip_bundle([...]), "SPJ-....zip")`."""
    return send_bytes(content, download_name(filename, ".zip"), ZIP_MIMETYPE)


# ---------------------------------------------------------------- bundles
def zip_bundle(files: Iterable[tuple[str, bytes]], *, when: datetime | None = None) -> bytes:
    """A ZIP archive, built in memory, of named files in the order given. Names are flattened
    to safe file names (no folders, no `..`); a repeated name gets ` (2)`, ` (3)` before its
    extension. Every entry is dated `when` (default: now), in the city's time zone."""
    stamp = timeutil.to_local(when or timeutil.now_utc()).timetuple()[:6]
    seen: set[str] = set()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            entry = _unique(_entry_name(name), seen)
            info = zipfile.ZipInfo(entry, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buf.getvalue()


def _entry_name(name: str) -> str:
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f:*?\"<>|]", "_", base).strip(" .")
    return base or "dokumen"


def _unique(name: str, seen: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.lower() in seen:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot else f"{stem} ({n})"
    seen.add(candidate.lower())
    return candidate
