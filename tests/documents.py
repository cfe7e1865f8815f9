"""Reading the PDFs the app makes back as text (pypdf), for tests of documents."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, its whitespace runs made single spaces (a PDF places words,
    it keeps no spaces or line breaks of its own)."""
    assert data.startswith(b"%PDF-"), data[:20]
    reader = PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def pdf_text(data: bytes) -> str:
    """The text of the whole document, pages joined by a space."""
    return " ".join(pdf_pages(data))


def pdf_title(data: bytes) -> str | None:
    return PdfReader(io.BytesIO(data)).metadata.title
