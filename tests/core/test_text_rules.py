"""Pure tests of the boundary's text rules (marketplace/text.py): no app, no database."""

from __future__ import annotations

import json
import re

import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from marketplace import text


# ---------------------------------------------------------------- control characters
@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
)
def test_c0_del_and_c1_characters_are_control_characters_in_any_field(char):
    assert text.first_control(f"Budi{char}Santoso") == char
    assert text.first_control(f"Budi{char}Santoso", multiline=True) == char


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_tab_newline_and_cr_are_allowed_only_in_a_multiline_field(char):
    assert text.first_control(f"Jl. Kenjeran{char}No. 5") == char
    assert text.first_control(f"Jl. Kenjeran{char}No. 5", multiline=True) is None


@pytest.mark.parametrize("char", [" ", "\xa0", "\xa1", "~", "é", "\u200b", "\ud7ff"])
def test_printable_and_neighbouring_characters_are_not_control_characters(char):
    assert text.first_control(f"a{char}b") is None


def test_the_first_control_character_is_named_after_allowed_ones():
    assert text.first_control("a\nb\x0bc\x00", multiline=True) == "\x0b"
    assert text.first_control("a\nb\x0bc") == "\n"
    assert text.first_control("") is None


def test_a_control_character_is_named_by_its_code_point():
    assert text.codepoint("\x0b") == "U+000B"
    assert text.codepoint("\x00") == "U+0000"
    assert text.codepoint("\u200b") == "U+200B"
    assert text.codepoint("\U0001f600") == "U+1F600"
    assert text.control_message("\x0b") == (
        "Teks berisi karakter kendali U+000B; hapus karakter itu lalu kirim lagi."
    )


# ---------------------------------------------------------------- XLSX
def test_xlsx_text_drops_exactly_what_openpyxl_refuses_and_lone_surrogates():
    for code in range(0x20):
        char = chr(code)
        refused = ILLEGAL_CHARACTERS_RE.search(char) is not None
        assert (text.xlsx_text(f"a{char}b") == "ab") is refused, hex(code)
        assert (text.xlsx_text(f"a{char}b") == f"a{char}b") is not refused, hex(code)
    assert text.xlsx_text("Budi\x0bSantoso\x00") == "BudiSantoso"
    assert text.xlsx_text("x\ud800y\udfffz") == "xyz"
    assert text.xlsx_text("tab\tnl\ncr\r\x7f\x85é\ue000") == "tab\tnl\ncr\r\x7f\x85é\ue000"
    assert text.xlsx_text("\ud7ff\ue000") == "\ud7ff\ue000"


def test_a_lone_surrogate_is_found_and_a_real_character_is_not():
    assert text.has_surrogate("a\ud800")
    assert text.has_surrogate("\udfff")
    assert not text.has_surrogate("a\U0001f600\ud7ff\ue000")
    assert not text.has_surrogate("")


# ---------------------------------------------------------------- invisible characters
@pytest.mark.parametrize(
    "char",
    [
        "\u200b",  # zero-width space
        "\u200c",  # zero-width non-joiner
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # BOM
        "\u00ad",  # soft hyphen
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u061c",  # Arabic letter mark
        "\u034f",  # combining grapheme joiner
        "\u115f",  # Hangul choseong filler
        "\u1160",  # Hangul jungseong filler
        "\u180e",  # Mongolian vowel separator
        "\u3164",  # Hangul filler
        "\uffa0",  # half-width Hangul filler
    ],
)
def test_zero_width_bidi_soft_hyphen_and_fillers_are_invisible(char):
    assert text.is_invisible(char)
    assert text.first_invisible(f"budi{char}@x.id") == char


@pytest.mark.parametrize("char", ["a", "X", " ", "-", "\u0301", "\u034e", "\u3163", "\uffa1"])
def test_visible_characters_are_not_invisible(char):
    assert not text.is_invisible(char)


def test_no_invisible_character_is_none():
    assert text.first_invisible("budi@x.id") is None
    assert text.first_invisible("") is None
    assert text.first_invisible("a\u200bb\u00adc") == "\u200b"


# ---------------------------------------------------------------- scripts
def test_the_script_of_a_letter_is_the_first_word_of_its_name():
    assert text.script_of("a") == "LATIN"
    assert text.script_of("é") == "LATIN"
    assert text.script_of("\u0430") == "CYRILLIC"  # Cyrillic а
    assert text.script_of("\u03bf") == "GREEK"  # Greek ο
    assert text.script_of("\u0627") == "ARABIC"


@pytest.mark.parametrize("char", ["1", ".", "@", "-", "_", "+", " ", "\u0301"])
def test_digits_punctuation_and_marks_belong_to_no_script(char):
    assert text.script_of(char) is None


def test_the_scripts_of_a_text_are_those_of_its_letters():
    assert text.scripts_of("budi.santoso99") == {"LATIN"}
    assert text.scripts_of("p\u0430ypal") == {"LATIN", "CYRILLIC"}
    assert text.scripts_of("123-_.") == set()


# ---------------------------------------------------------------- emails
def test_an_email_is_nfkc_trimmed_and_lower_cased_as_a_whole():
    assert text.normalise_email("  Budi.Santoso@Surabaya.GO.ID \n") == "budi.santoso@surabaya.go.id"
    assert text.normalise_email("\uff22udi@x.id") == "budi@x.id"  # full-width Ｂ
    assert text.normalise_email("budi\u2460@x.id") == "budi1@x.id"  # circled one
    assert text.normalise_email(None) == ""
    assert text.normalise_email("") == ""


def test_a_plain_email_has_no_problem():
    assert text.email_problem("budi.santoso@surabaya.go.id") is None
    assert (
        text.email_problem(
            "\u0431\u0443\u0434\u0438@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"
        )
        is None
    )  # all Cyrillic


@pytest.mark.parametrize(
    "email",
    ["bud\u0456@surabaya.go.id", "\u0430dmin@x.id", "budi@p\u0430ypal.com", "budi@x.\u0441om"],
)
def test_latin_mixed_with_cyrillic_in_the_local_part_or_the_domain_is_refused(email):
    assert text.email_problem(email) == (
        "Email mencampur huruf dari beberapa aksara (misalnya huruf Sirilik yang mirip huruf "
        "Latin); ketik ulang alamatnya."
    )


def test_a_cyrillic_local_part_with_a_latin_domain_is_not_a_mixed_part():
    assert text.email_problem("\u0431\u0443\u0434\u0438@surabaya.go.id") is None


def test_the_domain_is_what_follows_the_last_at_sign():
    # a quoted local part with an @ in it: the domain is still the Latin part after the last @
    assert text.email_problem('"\u0431@\u0434"@surabaya.go.id') is None
    assert text.email_problem("a@\u0431@surabaya.go.id") is not None


@pytest.mark.parametrize(
    "email", ["budi\u200b@x.id", "budi@x\u00ad.id", "\u202ebudi@x.id", "budi@x.id\ufeff"]
)
def test_an_invisible_character_in_an_email_is_refused_and_named(email):
    char = text.first_invisible(email)
    assert text.email_problem(email) == (
        f"Email berisi karakter tak terlihat {text.codepoint(char)}; ketik ulang alamatnya."
    )


@pytest.mark.parametrize("email", ["budi\x0b@x.id", "budi\x00@x.id", "budi@x.id\n", "\x85b@x.id"])
def test_a_control_character_in_an_email_is_refused_and_named(email):
    problem = text.email_problem(email)
    assert problem is not None
    assert text.codepoint(text.first_control(email)) in problem


# ---------------------------------------------------------------- JSON depth
@pytest.mark.parametrize(
    ("body", "depth"),
    [
        ("1", 0),
        ('"x"', 0),
        ("[]", 1),
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ("[[],[],[]]", 2),
        ("[[[]]][[]]", 3),
        ("[[]][[]]", 2),
        ("[][[]]", 2),
        ("[{}, {}, {}]", 2),
        ('["\\\n[[["]', 1),
        ('["[[[[", "{{{{"]', 1),
        ('{"a\\"[[[": ["\\\\", "]]]"]}', 2),
        ('["unterminated [[[[', 1),
        ("[" * 10_000 + "]" * 10_000, 10_000),
    ],
)
def test_json_depth_counts_nesting_and_ignores_brackets_in_strings(body, depth):
    assert text.json_depth(body) == depth


def test_json_depth_agrees_with_the_parser_on_nested_values():
    value: object = "leaf"
    for level in range(1, 40):
        value = [value] if level % 2 else {"k]": value}
        assert text.json_depth(json.dumps(value)) == level


# ---------------------------------------------------------------- decoded data
def test_strings_in_walks_keys_and_values_with_their_paths():
    data = {"name": "Budi", "by_opd": {"DINKOP": {"note": "x"}}, "tags": ["a", 1, ["b"]], "n": 5}
    assert list(text.strings_in(data)) == [
        ("name", "name"),
        ("name", "Budi"),
        ("by_opd", "by_opd"),
        ("by_opd.DINKOP", "DINKOP"),
        ("by_opd.DINKOP.note", "note"),
        ("by_opd.DINKOP.note", "x"),
        ("tags", "tags"),
        ("tags.0", "a"),
        ("tags.2.0", "b"),
        ("n", "n"),
    ]
    assert list(text.strings_in("solo")) == [("", "solo")]
    assert list(text.strings_in(["a"])) == [("0", "a")]
    assert list(text.strings_in(None)) == []


def test_controls_in_names_each_path_once_with_its_first_control_character():
    data = {
        "name": "Bu\x0bdi\x00",
        "address": "Jl. A\r\nNo. 1\t",
        "k\x01": 1,
        "list": ["ok", "\x7f"],
    }
    assert text.controls_in(data) == {"name": "\x0b", "k\x01": "\x01", "list.1": "\x7f"}
    assert text.controls_in({"a": "fine\n"}) == {}
    assert text.controls_in({"a\x02": "b\x03"}) == {"a\x02": "\x02"}


def test_any_surrogate_looks_in_keys_and_nested_values():
    assert text.any_surrogate({"a": ["x", {"b": "\ud800"}]})
    assert text.any_surrogate({"\udc00": 1})
    assert not text.any_surrogate({"a": ["x", {"b": "\U0001f600"}]})


def test_the_xlsx_pattern_is_anchored_nowhere():
    # every occurrence goes, not only the first or one at the start
    assert text.xlsx_text("\x00a\x00b\x00") == "ab"
    assert re.fullmatch(r"[ab]+", text.xlsx_text("\x01a\x02b\x03"))
