"""Printable documents (issue 12): a Jinja template of the app rendered to PDF by WeasyPrint and
read back as text, nothing fetched but the app's own static files, the download headers, and the
ZIP bundle the SPJ download will use. Few renders: each takes a fraction of a second."""

from __future__ import annotations

import io
import socket
import zipfile
from datetime import UTC, datetime

import pytest
from jinja2 import ChoiceLoader, DictLoader

from marketplace import city as city_module
from marketplace import documents
from marketplace.documents import (
    RefusedURL,
    render_pdf,
    send_pdf,
    send_zip,
    url_fetcher,
    zip_bundle,
)
from tests.documents import pdf_pages, pdf_text, pdf_title

ORIGIN = "http://localhost"  # outside a request, documents resolve links on this origin

KWITANSI = """{% extends "documents/base.html" %}
{% block title %}Kwitansi {{ number }}{% endblock %}
{% block content %}
<h1>Kwitansi {{ number }}</h1>
<p>Sudah terima dari: {{ payer }}</p>
<table class="table">
  <thead><tr><th>Uraian</th><th class="num">Nilai</th></tr></thead>
  <tbody>
  {% for name, amount in lines %}<tr><td>{{ name }}</td><td class="num">{{ amount|rupiah }}</td></tr>
  {% endfor %}
  </tbody>
  <tfoot><tr><th>Jumlah</th><th class="num">{{ lines|sum(attribute=1)|rupiah }}</th></tr></tfoot>
</table>
<p>Terbilang: {{ lines|sum(attribute=1)|terbilang }}</p>
{% import "documents/macros.html" as doc %}
{{ doc.signatures([{"role": "Bendahara Pengeluaran", "name": "Sri Wahyuni", "nip": "198001012006042001"},
                   {"role": "Penerima"}], place_date="Yogyakarta, 7 Desember 2026") }}
{% endblock %}
"""

EXTERNAL = """{% extends "documents/base.html" %}
{% block title %}Uji tautan{% endblock %}
{% block head %}
<link rel="stylesheet" href="https://cdn.example.com/evil.css">
<style>@font-face { font-family: Remote; src: url(https://fonts.example.com/remote.woff2); }
body { background: url(file:///etc/hostname); font-family: Remote, "DejaVu Sans"; }</style>
{% endblock %}
{% block content %}
<p>Isi tetap tercetak.</p>
<img src="http://198.51.100.7/logo.png" alt="">
<img src="ftp://example.com/logo.png" alt="">
<img src="/static/../pyproject.toml" alt="">
<img src="{{ url_for('static', filename='css/missing.png') }}" alt="">
{% endblock %}
"""


@pytest.fixture
def templates(app, monkeypatch):
    """The two test templates above, next to the app's own."""
    loader = ChoiceLoader(
        [
            DictLoader({"test/kwitansi.html": KWITANSI, "test/external.html": EXTERNAL}),
            app.jinja_loader,
        ]
    )
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    app.jinja_env.cache.clear()
    yield
    app.jinja_env.cache.clear()


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to resolve or connect is recorded (and fails)."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in document rendering")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: refuse(*a))
    return attempts


def test_a_template_renders_to_an_a4_pdf_whose_text_reads_back(app, templates, no_network):
    # A Yogyakarta instance: the header names the city from the `city` global.
    app.config["PEKEN_CITY"] = "34.71"
    city_module.forget()
    lines = [
        ("Beras Mentik Wangi 25 kg — Pak Ngatijo", 1_250_000),
        ("Gula ½ kg, Kopi Séduh", 37_500),
    ]
    lines += [(f"Nasi kotak rapat ke-{i}", 25_000) for i in range(1, 41)]  # more than a page
    data = render_pdf(
        "test/kwitansi.html", number="KW-2026-000042", payer="Dinas Kominfo", lines=lines
    )

    pages = pdf_pages(data)
    assert len(pages) >= 2
    text = pdf_text(data)
    assert "Kwitansi KW-2026-000042" in text and "Sudah terima dari: Dinas Kominfo" in text
    assert "Beras Mentik Wangi 25 kg — Pak Ngatijo" in text and "Rp1.250.000" in text
    assert "Gula ½ kg, Kopi Séduh" in text and "Rp37.500" in text
    # 1.250.000 + 37.500 + 40 × 25.000 = 2.287.500
    assert "Jumlah Rp2.287.500" in text
    assert "dua juta dua ratus delapan puluh tujuh ribu lima ratus rupiah" in text
    assert "Bendahara Pengeluaran" in text and "Sri Wahyuni NIP 198001012006042001" in text
    assert "Yogyakarta, 7 Desember 2026 Penerima" in text
    platform = city_module.current_city().platform_name
    assert platform != "Peken Surabaya"
    for number, page in enumerate(pages, start=1):
        assert "Kota Yogyakarta" in page and platform in page
        assert f"Halaman {number} / {len(pages)}" in page
    assert pdf_title(data) == "Kwitansi KW-2026-000042"
    # A4 portrait: the page size comes from static/css/document.css, which was fetched
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert no_network == []


def test_nothing_but_the_apps_static_files_is_fetched(app, templates, no_network, monkeypatch):
    asked: dict[str, object] = {}
    real = documents.static_file

    def spy(url, *args):
        asked[url] = real(url, *args)
        return asked[url]

    monkeypatch.setattr(documents, "static_file", spy)
    data = render_pdf("test/external.html")
    assert "Isi tetap tercetak." in pdf_text(data)
    assert no_network == []
    answered = {url for url, path in asked.items() if path is not None}
    assert answered == {f"{ORIGIN}/static/css/document.css"}
    for url in (
        "https://cdn.example.com/evil.css",
        "https://fonts.example.com/remote.woff2",
        "file:///etc/hostname",
        "http://198.51.100.7/logo.png",
        "ftp://example.com/logo.png",
        f"{ORIGIN}/pyproject.toml",
        f"{ORIGIN}/static/css/missing.png",
    ):
        assert url in asked and asked[url] is None, url


def test_the_fetcher_answers_static_files_only(app):
    fetch = url_fetcher(app)
    css = fetch(f"{ORIGIN}/static/css/document.css")
    assert b"size: A4" in css.read() and css.content_type == "text/css"
    css.close()
    assert fetch("data:text/plain,halo").read() == b"halo"
    for url in (
        "https://example.com/static/css/document.css",  # another origin
        "https://localhost/static/css/document.css",  # another scheme
        f"{ORIGIN}/static/css/missing.css",
        f"{ORIGIN}/static/../pyproject.toml",
        f"{ORIGIN}/static/%2e%2e/pyproject.toml",
        f"{ORIGIN}/static/css/document.css?x=1",
        f"{ORIGIN}/pyproject.toml",
        "file:///etc/passwd",
        "ftp://example.com/x",
    ):
        with pytest.raises(RefusedURL):
            fetch(url)


def test_in_a_request_static_files_are_those_on_its_host_under_its_script_root(app):
    with app.test_request_context("/", base_url="https://pasar.example.go.id/peken"):
        fetch = url_fetcher()
        css = fetch("https://pasar.example.go.id/peken/static/css/document.css")
        assert b"size: A4" in css.read()
        css.close()
        for url in (
            "https://pasar.example.go.id/static/css/document.css",  # outside the script root
            "http://localhost/peken/static/css/document.css",
        ):
            with pytest.raises(RefusedURL):
                fetch(url)


# ---------------------------------------------------------------- downloads
def test_send_pdf_streams_an_attachment_no_cache_keeps():
    body = b"%PDF-1.7 " + bytes(range(256)) * 600  # more than one chunk
    resp = send_pdf(body, "BAST 2026/07 (Dinas).pdf")
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="BAST_2026_07__Dinas_.pdf"'
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Content-Length"] == str(len(body))
    assert resp.is_streamed and resp.get_data() == body
    assert send_pdf(b"%PDF", "nota").headers["Content-Disposition"].endswith('filename="nota.pdf"')
    assert 'filename="dokumen.pdf"' in send_pdf(b"%PDF", "..").headers["Content-Disposition"]


def test_the_zip_bundle_holds_the_named_files_in_order(app):
    app.config["PEKEN_CITY"] = "51.71"  # Denpasar, WITA
    city_module.forget()
    when = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 WITA on 1 January 2027
    data = zip_bundle(
        [
            ("01 Permintaan.pdf", b"%PDF permintaan"),
            ("../../etc/BAST.pdf", b"%PDF bast"),
            ("scan\\BAST ditandatangani.jpg", b"\xff\xd8 scan"),
            ("kwitansi.pdf", b"%PDF satu"),
            ("KWITANSI.pdf", b"%PDF dua"),
            ("kwitansi.pdf", b"%PDF tiga"),
            ("", b"tanpa nama"),
        ],
        when=when,
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "01 Permintaan.pdf",
        "BAST.pdf",
        "BAST ditandatangani.jpg",
        "kwitansi.pdf",
        "KWITANSI (2).pdf",
        "kwitansi (3).pdf",
        "dokumen",
    ]
    assert archive.read("BAST.pdf") == b"%PDF bast"
    assert archive.read("kwitansi (3).pdf") == b"%PDF tiga"
    assert {info.date_time for info in archive.infolist()} == {(2027, 1, 1, 0, 30, 0)}
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
    resp = send_zip(data, "SPJ-2026-000001")
    assert resp.mimetype == "application/zip" and resp.get_data() == data
    assert resp.headers["Content-Disposition"] == 'attachment; filename="SPJ-2026-000001.zip"'
    assert resp.headers["Cache-Control"] == "no-store"


def test_an_empty_bundle_is_an_empty_zip(app):
    assert zipfile.ZipFile(io.BytesIO(zip_bundle([]))).namelist() == []


def test_weasyprint_is_loaded_only_when_a_document_is_rendered():
    import subprocess
    import sys

    code = (
        "import sys, marketplace.documents, marketplace.ordering.credit_notes; "
        "print('weasyprint' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert documents.PDF_MIMETYPE == "application/pdf"
