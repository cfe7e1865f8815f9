"""Translations: message ids are Bahasa Indonesia (the default locale); `en` catalogs translate.

Each area keeps its own catalog under `marketplace/<area>/translations/` (the core one under
`marketplace/translations/`), so areas never edit a shared file. Catalogs are compiled on start.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def translation_dirs() -> list[str]:
    dirs = [PACKAGE / "translations", *sorted(PACKAGE.glob("*/translations"))]
    return [str(d) for d in dirs if d.is_dir()]


def compile_catalogs() -> int:
    """Compile every `.po` newer than its `.mo`; returns how many were written."""
    written = 0
    for directory in translation_dirs():
        for po in Path(directory).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            try:
                with po.open("rb") as f:
                    catalog = read_po(f)
                with mo.open("wb") as f:
                    write_mo(f, catalog)
                written += 1
            except OSError:
                log.warning("could not compile %s", po)
    return written
