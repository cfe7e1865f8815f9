"""Every relative link in the project's own documents points at a file or folder of the
repository, so the map in docs/DEVELOPING.md never sends a newcomer nowhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench/README.md"]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(document):
    links = [link for link in LINK.findall(document.read_text("utf-8")) if "://" not in link]
    missing = [link for link in links if not (document.parent / link).exists()]
    assert not missing, f"{document.name}: {missing}"


def test_the_developing_guide_opens_with_the_map():
    text = (ROOT / "docs/DEVELOPING.md").read_text("utf-8")
    assert text.index("## Map: where things go") < text.index("## Layout")
    for thing in ("a rule", "an API endpoint", "a page", "a job", "a model", "a signal", "a test"):
        assert f"| {thing}" in text
    assert "Which area may import which" in text
