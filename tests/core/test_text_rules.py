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


def test_a_letter_without_a_unicode_name_is_of_the_unnamed_script_not_an_error():
    # Tangut ideographs are letters Python's unicodedata has no name for: found by the fuzzer,
    # a 500 on sign-up and on a shop application
    assert text.script_of("\U00017000") == "UNNAMED"
    assert text.script_of("\U00018d08") == "UNNAMED"
    assert text.name_problem("\U00017000\U00017001") is None
    assert text.name_problem("Toko \U00017000") == NAME_MIXED
    assert text.email_problem("b\U00017000@x.id") is not None


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


# ---------------------------------------------------------------- names of people and shops
NAME_MIXED = (
    "Nama mencampur huruf dari beberapa aksara (misalnya huruf Sirilik yang mirip huruf Latin); "
    "ketik ulang namanya."
)


@pytest.mark.parametrize(
    "name",
    [
        "Budi Santoso",
        "Siti Nur'aini, S.E.",
        "Toko Jaya 99",
        "Ma\u02bcruf",  # modifier letter apostrophe: not a script of its own
        "Andr\u00e9",
        "Andre\u0301",  # e + combining acute
        "",
        "\u0411\u043e\u0440\u0438\u0441 \u0415\u043b\u044c\u0446\u0438\u043d",  # wholly Cyrillic
        "\u039f\u03bb\u03c5\u03bc\u03c0\u03bf\u03c2",  # wholly Greek
        "\u0628\u0631\u0643\u0629",  # wholly Arabic
        "\ua98f\ua9ba\ua9b4",  # wholly Javanese
        "\uff22\uff55\uff44\uff49",  # wholly full-width
    ],
)
def test_a_name_in_one_script_has_no_problem(name):
    assert text.name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "Warung Berkah \u0628\u0631\u0643\u0629",  # Latin + Arabic (Jawi)
        "Toko Sinar \u65b0\u5149",  # Latin + Chinese
        "Toko \ua98f\ua9ba\ua9b4",  # Latin + Javanese
        "Toko \u1b13\u1b38",  # Latin + Balinese
        "Toko \u1b8a\u1ba5",  # Latin + Sundanese
    ],
)
def test_latin_beside_a_script_with_no_latin_look_alikes_is_fine(name):
    assert text.name_problem(name) is None


def test_the_scripts_latin_may_stand_beside_are_these_five():
    assert text.LATIN_COMPANIONS == {"ARABIC", "CJK", "JAVANESE", "BALINESE", "SUNDANESE"}


@pytest.mark.parametrize(
    "name",
    [
        "Budi S\u0430ntoso",  # Cyrillic а in a Latin name
        "Toko \u041c\u0430\u0440\u0442",  # a Cyrillic word beside Latin ones
        "Budi \u03bfke",  # Greek ο
        "\uff22udi",  # a full-width Ｂ
        "Toko \u0e01\u0e02",  # Thai is not among Latin's companions
        "\u0628\u0631\u0643\u0629 \u65b0\u5149",  # Arabic + Chinese, no Latin
        "\u0411\u043e\u0440\u0438\u0441 \u039f\u03bb\u03c5",  # Cyrillic + Greek
        "Toko \u0628\u0631\u0643\u0629 \u65b0\u5149",  # Latin + two companions
    ],
)
def test_letters_of_two_scripts_in_a_name_are_refused(name):
    assert text.name_problem(name) == NAME_MIXED


def test_the_scripts_of_a_name_leave_out_modifier_letters_digits_and_marks():
    assert text.name_scripts("Ma\u02bcruf 99 \u02bb") == {"LATIN"}
    assert text.name_scripts("e\u0301-1.") == {"LATIN"}
    assert text.name_scripts("\u02bc\u02bb") == set()
    assert text.name_scripts("B\u0430") == {"LATIN", "CYRILLIC"}


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Budi\u200bSantoso", "U+200B"),  # invisible: zero-width space
        ("\u202eBudi", "U+202E"),  # right-to-left override
        ("Budi\u00ad", "U+00AD"),  # soft hyphen
        ("Toko\u3164Jaya", "U+3164"),  # Hangul filler
        ("\ufeffBudi", "U+FEFF"),
        ("Budi\x0bSantoso", "U+000B"),  # control characters
        ("Budi\nSantoso", "U+000A"),
        ("\x85Budi", "U+0085"),
        ("Budi\x00", "U+0000"),
    ],
)
def test_an_invisible_or_control_character_in_a_name_is_refused_and_named(name, named):
    assert text.name_problem(name) == (
        f"Nama berisi karakter tak terlihat {named}; ketik ulang namanya."
    )


def test_an_invisible_character_is_named_before_mixed_scripts():
    assert text.name_problem("B\u0430di\u200b") == (
        "Nama berisi karakter tak terlihat U+200B; ketik ulang namanya."
    )


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


def test_the_openapi_pattern_of_a_text_field_refuses_exactly_its_control_characters():
    # the document tells clients (and the fuzzer) what `api.Text` accepts
    from marketplace.api import LINE_TEXT, MULTILINE_TEXT

    for code in [*range(0xA1), 0x200B, 0xFEFF, 0x1F600]:
        char = chr(code)
        assert (re.search(LINE_TEXT, f"a{char}b") is None) == (
            text.first_control(char) is not None
        ), hex(code)
        assert (re.search(MULTILINE_TEXT, f"a{char}b") is None) == (
            text.first_control(char, multiline=True) is not None
        ), hex(code)
