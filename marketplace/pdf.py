"""A small PDF writer for printable documents made of text lines and table rows (the nota retur).

No PDF library is pinned (pyproject) and a credit note needs only text: the standard Helvetica
fonts (every PDF reader has them, nothing is embedded), WinAnsi text, A4 pages that break when
full. Characters outside Windows-1252 print as `?`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

A4 = (595.28, 841.89)
MARGIN = 50.0
# Helvetica advance widths (per 1000 em) of the characters a number or a short label uses, so
# right-aligned amounts line up; anything else counts as the average width.
_WIDTHS = {
    **dict.fromkeys("0123456789", 556),
    " ": 278,
    ".": 278,
    ",": 278,
    "-": 333,
    "R": 722,
    "p": 556,
}
_AVERAGE = 520


def _text_width(text: str, size: float) -> float:
    return sum(_WIDTHS.get(ch, _AVERAGE) for ch in text) * size / 1000


def _pdf_string(text: str) -> str:
    raw = text.encode("cp1252", errors="replace").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


@dataclass
class Cell:
    text: str
    x: float
    align: str = "left"  # "right": x is the right edge


@dataclass
class PdfDocument:
    """Rows of text top to bottom; `render()` gives the PDF bytes."""

    title: str
    _pages: list[list[str]] = field(default_factory=lambda: [[]])
    _y: float = A4[1] - MARGIN

    def _room(self, height: float) -> None:
        if self._y - height < MARGIN:
            self._pages.append([])
            self._y = A4[1] - MARGIN
        self._y -= height

    def row(self, cells: list[Cell], *, size: float = 10, bold: bool = False) -> None:
        """One line of cells, each at its x (left edge, or right edge when right-aligned)."""
        self._room(size * 1.5)
        font = "/F2" if bold else "/F1"
        for cell in cells:
            x = cell.x - _text_width(cell.text, size) if cell.align == "right" else cell.x
            self._pages[-1].append(
                f"BT {font} {size:g} Tf {x:.2f} {self._y:.2f} Td {_pdf_string(cell.text)} Tj ET"
            )

    def text(self, text: str, *, size: float = 10, bold: bool = False) -> None:
        self.row([Cell(text, MARGIN)], size=size, bold=bold)

    def paragraph(self, text: str, *, size: float = 10, bold: bool = False) -> None:
        """Text wrapped at word boundaries to the page's width (an amount in words can be long)."""
        width = A4[0] - 2 * MARGIN
        line = ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if line and _text_width(candidate, size) > width:
                self.text(line, size=size, bold=bold)
                candidate = word
            line = candidate
        if line:
            self.text(line, size=size, bold=bold)

    def rule(self) -> None:
        """A thin horizontal line across the page."""
        self._room(6)
        y = self._y + 3
        self._pages[-1].append(f"0.5 w {MARGIN:.2f} {y:.2f} m {A4[0] - MARGIN:.2f} {y:.2f} l S")

    def space(self, height: float = 8) -> None:
        self._room(height)

    def render(self) -> bytes:
        objects: list[bytes] = []
        page_ids = [5 + 2 * i for i in range(len(self._pages))]
        kids = " ".join(f"{pid} 0 R" for pid in page_ids)
        objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
        objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
        for name in ("Helvetica", "Helvetica-Bold"):
            objects.append(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} "
                f"/Encoding /WinAnsiEncoding >>".encode()
            )
        for ops in self._pages:
            content_id = len(objects) + 2
            objects.append(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] "
                f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                f"/Contents {content_id} 0 R >>".encode()
            )
            stream = "\n".join(ops).encode("latin-1")
            objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        info_id = len(objects) + 1
        objects.append(
            f"<< /Title {_pdf_string(self.title)} /Producer (Peken) >>".encode("latin-1")
        )
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            info_id,
            xref,
        )
        return bytes(out)
