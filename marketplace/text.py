"""Pure text rules for what crosses the boundary (API bodies, forms, CSV imports, downloads).

No database, no Flask. Three families:

- control characters (C0 U+0000–U+001F, DEL, C1 U+0080–U+009F): never part of a name, an email
  or a code; a multi-line field (a description, an address) may hold tab, newline and carriage
  return. One vertical tab in a roster name once made every compliance XLSX of its month fail,
  because XML 1.0 (the XLSX format) cannot hold it;
- what an XLSX cell cannot hold (openpyxl's `ILLEGAL_CHARACTERS_RE`, plus lone UTF-16
  surrogates, which no UTF-8 file can hold), dropped from every download so no stored value can
  break one;
- emails: NFKC-normalised, trimmed and lower-cased; invisible characters (zero-width, bidi
  controls, soft hyphen) and letters from two scripts in one part (a Cyrillic `а` among Latin
  letters: a look-alike of someone else's address, UTS #39 "mixed script") are refused;
- names of people and shops: invisible characters, and letters from two scripts unless Latin
  is written beside a script none of whose letters passes for a Latin one (`Warung Berkah
  بركة` is fine, `Budi Sаntoso` with a Cyrillic `а` is not; a name wholly in one script,
  Cyrillic or Javanese, is fine). Close to UTS #39's "moderately restrictive" profile.

Also the nesting depth of a JSON text, measured before parsing it (a parser recurses).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Allowed in a multi-line field only: tab, line feed, carriage return (browsers post CRLF).
MULTILINE_ALLOWED = "\t\n\r"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE (XML 1.0 refuses these C0 characters) and lone
# surrogates (not encodable as UTF-8).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Invisible characters with general category Cf cover zero-width space/joiners (U+200B–U+200D),
# word joiner (U+2060), BOM (U+FEFF), soft hyphen (U+00AD) and every bidi control (U+200E/F,
# U+202A–U+202E, U+2066–U+2069, U+061C). These render as nothing but are not Cf.
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u180e\u3164\uffa0")
# A JSON string (with its escapes) or one bracket; brackets inside strings do not nest.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def codepoint(char: str) -> str:
    """`U+000B` for a vertical tab: how a message names a character nobody can see."""
    return f"U+{ord(char):04X}"


def first_control(text: str, *, multiline: bool = False) -> str | None:
    """The first control character of `text` (tab, newline and CR allowed when `multiline`),
    or None when it has none."""
    for match in _CONTROL.finditer(text):
        char = match.group()
        if not (multiline and char in MULTILINE_ALLOWED):
            return char
    return None


def has_surrogate(text: str) -> bool:
    """A lone UTF-16 surrogate (JSON `"\\ud800"`): not a character, cannot be stored as UTF-8."""
    return _SURROGATE.search(text) is not None


def xlsx_text(text: str) -> str:
    """`text` without what an XLSX cell cannot hold; tab, newline and CR stay."""
    return _NOT_IN_XLSX.sub("", text)


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _INVISIBLE_EXTRA


def first_invisible(text: str) -> str | None:
    for char in text:
        if is_invisible(char):
            return char
    return None


def script_of(char: str) -> str | None:
    """The script of a letter, by the first word of its Unicode name (LATIN, CYRILLIC, GREEK,
    ARABIC…); None for digits, punctuation and symbols, which belong to every script. Letters
    Python's Unicode database has no name for (Tangut ideographs) are all UNNAMED: asking for
    their name once answered a 500."""
    if not unicodedata.category(char).startswith("L"):
        return None
    return unicodedata.name(char, "UNNAMED").partition(" ")[0]


def scripts_of(text: str) -> set[str]:
    return {s for s in map(script_of, text) if s is not None}


def normalise_email(email: str | None) -> str:
    """The stored and compared form of an email: NFKC (full-width `ａ` is `a`), trimmed,
    lower-cased as a whole."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def email_problem(email: str) -> str | None:
    """Why a (normalised) email is refused as a look-alike, in Indonesian, or None: a control
    or invisible character anywhere, or letters from two scripts in the local part or in the
    domain."""
    bad = first_control(email) or first_invisible(email)
    if bad is not None:
        return f"Email berisi karakter tak terlihat {codepoint(bad)}; ketik ulang alamatnya."
    for part in email.rsplit("@", 1):
        if len(scripts_of(part)) > 1:
            return (
                "Email mencampur huruf dari beberapa aksara (misalnya huruf Sirilik yang mirip "
                "huruf Latin); ketik ulang alamatnya."
            )
    return None


# Scripts a Latin name may be written beside (Jawi/Pegon, Chinese shop signs, the aksara of
# Java, Bali and Sunda): none of their letters can pass for a Latin letter, as Cyrillic `а`,
# `о`, `р` or Greek `ο`, `ν` can.
LATIN_COMPANIONS = frozenset({"ARABIC", "CJK", "JAVANESE", "BALINESE", "SUNDANESE"})


def name_scripts(name: str) -> set[str]:
    """The scripts of a name's letters, modifier letters (`ʼ` in `Maʼruf`) left out: they are
    apostrophes and tone marks, not letters of some script."""
    return {script_of(c) for c in name if unicodedata.category(c) != "Lm"} - {None}


def name_problem(name: str) -> str | None:
    """Why a person's or a shop's name is refused, in Indonesian, or None: a control or
    invisible character anywhere (`Budi\u200bSantoso` shows as someone else's name), or letters
    of two scripts other than Latin beside one of `LATIN_COMPANIONS`."""
    bad = first_control(name) or first_invisible(name)
    if bad is not None:
        return f"Nama berisi karakter tak terlihat {codepoint(bad)}; ketik ulang namanya."
    scripts = name_scripts(name)
    if len(scripts) > 1 and not (
        len(scripts) == 2 and "LATIN" in scripts and scripts - {"LATIN"} <= LATIN_COMPANIONS
    ):
        return (
            "Nama mencampur huruf dari beberapa aksara (misalnya huruf Sirilik yang mirip "
            "huruf Latin); ketik ulang namanya."
        )
    return None


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (0 for a scalar), counted without
    parsing it: a parser recurses once per level and would exhaust the stack first."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def control_message(char: str) -> str:
    """The 422 message for a control character, naming it (nobody can see it in the text)."""
    return f"Teks berisi karakter kendali {codepoint(char)}; hapus karakter itu lalu kirim lagi."


def strings_in(data: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in decoded JSON or form data, keys included, with its dotted path
    (`by_opd.DINKOP`, `items.0`)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield inner, key
            yield from strings_in(value, inner)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings_in(value, f"{path}.{index}" if path else str(index))


def controls_in(data: object) -> dict[str, str]:
    """{path: first control character} for each string of `data` holding one other than tab,
    newline and CR (whether a field may hold those is the field's own rule)."""
    found: dict[str, str] = {}
    for path, value in strings_in(data):
        bad = first_control(value, multiline=True)
        if bad is not None:
            found.setdefault(path, bad)
    return found


def any_surrogate(data: object) -> bool:
    return any(has_surrogate(value) for _path, value in strings_in(data))
