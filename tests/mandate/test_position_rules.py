"""Positions by class without a database: how HR's position texts and echelon codes find their
class (exact > alias > pattern > echelon, the longest pattern or code first), what an admin may
type as a match rule, and what a change of mapping does to people."""

from __future__ import annotations

import pytest

from marketplace.mandate import rules
from marketplace.mandate.rules import (
    ALIAS,
    DEFAULT_CLASSES,
    ECHELON,
    EXACT,
    PATTERN,
    Assignment,
    PositionMatch,
    echelon_covers,
    echelon_key,
    mapping_changes,
    match_key,
    match_position,
    match_problem,
    pattern_matches,
    required_for_class,
    text_key,
)


def m(kind: str, text: str, class_key: str, id_: int | None = None) -> PositionMatch:
    return PositionMatch(kind, match_key(kind, text), class_key, id_)


def default_mapping() -> list[PositionMatch]:
    """The installation's defaults: every class name is an exact match, plus DEFAULT_CLASSES."""
    found = [PositionMatch(EXACT, text_key(name), text_key(name)) for name in DEFAULT_CLASSES]
    for name, rows in DEFAULT_CLASSES.items():
        found += [m(kind, text, text_key(name)) for kind, text in rows]
    return found


AMOUNTS = {"camat": 2_000_000, "lurah": 1_000_000, "kepala seksi": 300_000, "staf": 100_000}
DEFAULT = 100_000


def owed(position: str | None, echelon: str | None = None) -> tuple[str | None, int]:
    found = match_position(position, echelon, default_mapping())
    key = found.class_key if found else None
    return key, required_for_class(key, AMOUNTS, DEFAULT)


# ---------------------------------------------------------------- the HR texts
@pytest.mark.parametrize(
    ("position", "echelon", "class_key", "amount"),
    [
        ("Camat Gubeng", None, "camat", 2_000_000),
        ("Camat", None, "camat", 2_000_000),
        ("  camat   WONOKROMO ", None, "camat", 2_000_000),
        ("Camat Gubeng", "III.a", "camat", 2_000_000),  # the named position beats its rank
        ("Kasi Pemerintahan", None, "kepala seksi", 300_000),
        ("KEPALA SEKSI  Kesejahteraan Sosial", None, "kepala seksi", 300_000),
        ("Kasi", None, "kepala seksi", 300_000),
        ("Staf Pelaksana", None, "staf", 100_000),
        ("Staf Umum", None, "staf", 100_000),
        ("Lurah Ketintang", None, "lurah", 1_000_000),
        ("Lurah Ketintang", "IV.a", "lurah", 1_000_000),
        ("Sekretaris Kecamatan Gubeng", None, "eselon iii", DEFAULT),
        ("Sekretaris Kelurahan Ketintang", None, "kepala seksi", 300_000),  # longer pattern
        ("Kepala Sub Bagian Umum", "IV.a", "kepala seksi", 300_000),
        ("Kepala Subbagian Keuangan", "IV/a", "kepala seksi", 300_000),  # by its echelon
        ("Perencana Ahli Muda", "III.b", "eselon iii", DEFAULT),
        ("Analis Kebijakan Ahli Pertama", None, None, DEFAULT),
        ("Pengadministrasi Umum", "", None, DEFAULT),
        ("", None, None, DEFAULT),
        (None, None, None, DEFAULT),
    ],
)
def test_realistic_hr_positions_find_their_class_and_amount(position, echelon, class_key, amount):
    assert owed(position, echelon) == (class_key, amount)


# ---------------------------------------------------------------- normalising
@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("KEPALA SEKSI  Kesejahteraan Sosial", "kepala seksi kesejahteraan sosial"),
        ("\tCamat\nGubeng ", "camat gubeng"),
        ("Camat *", "camat *"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_keys_ignore_case_and_runs_of_spaces(raw, key):
    assert text_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("III.a", "iii.a"),
        ("III/a", "iii.a"),
        ("iii-A", "iii.a"),
        ("IIIa", "iii.a"),
        (" IV . b ", "iv.b"),
        ("IVe", "iv.e"),
        ("IVf", "ivf"),  # only sub-levels a–e are split off
        ("3a", "3a"),
        ("III", "iii"),
        ("", ""),
        (None, ""),
    ],
)
def test_echelon_codes_read_slash_dash_and_a_bare_letter_as_a_sub_level(raw, key):
    assert echelon_key(raw) == key


def test_match_keys_follow_the_kind():
    assert match_key(ECHELON, "III/a") == "iii.a"
    assert match_key(PATTERN, "Camat  *") == "camat *"
    assert match_key(EXACT, "III/a") == "iii/a"


# ---------------------------------------------------------------- patterns and codes
@pytest.mark.parametrize(
    ("pattern", "key", "hit"),
    [
        ("camat *", "camat gubeng", True),
        ("camat *", "camat ", True),  # * may be empty
        ("camat *", "camat", False),
        ("camat *", "wakil camat gubeng", False),
        ("camat*", "camatan", True),
        ("* kelurahan *", "sekretaris kelurahan ketintang", True),
        ("* kelurahan *", "kelurahan ketintang", False),
        ("*camat", "pj camat", True),
        ("*camat", "camat pj", False),
        ("ab*ba", "aba", False),  # prefix and suffix may not overlap
        ("ab*ba", "abba", True),
        ("a*b*b", "ab", False),  # a middle part must sit between prefix and suffix
        ("a*b*b", "abb", True),
        ("a*b*c*d", "acbd", False),  # middle parts in order
        ("a*b*c*d", "abcbd", True),  # each middle part at its first place
        ("*b*c", "bc", True),  # a middle part right at the start
        ("a*b*c*d", "abcd", True),
        ("a*c*b*d", "abcd", False),
        ("camat", "camat", True),  # no * : the whole text
        ("camat", "camat gubeng", False),
    ],
)
def test_a_star_stands_for_any_text(pattern, key, hit):
    assert pattern_matches(pattern, key) is hit


@pytest.mark.parametrize(
    ("rule", "code", "hit"),
    [
        ("iii", "iii", True),
        ("iii", "iii.a", True),
        ("iii", "iii.b", True),
        ("iii", "iiia", False),
        ("iii", "ii", False),
        ("iii.a", "iii", False),
        ("iv", "iii.a", False),
        ("ii", "iii.a", False),
    ],
)
def test_an_echelon_code_covers_itself_and_its_sub_levels(rule, code, hit):
    assert echelon_covers(rule, code) is hit


# ---------------------------------------------------------------- precedence
def test_exact_beats_alias_beats_pattern_beats_echelon():
    both = [
        m(ECHELON, "III", "by-echelon"),
        m(PATTERN, "Camat *", "by-pattern"),
        m(ALIAS, "Camat Gubeng", "by-alias"),
        m(EXACT, "Camat Gubeng", "by-exact"),
    ]
    assert match_position("camat gubeng", "III.a", both).class_key == "by-exact"
    assert match_position("camat gubeng", "III.a", both[:3]).class_key == "by-alias"
    assert match_position("camat gubeng", "III.a", both[:2]).class_key == "by-pattern"
    assert match_position("camat gubeng", "III.a", both[:1]).class_key == "by-echelon"
    assert match_position("camat gubeng", None, both[:1]) is None
    assert match_position("Camat Gubeng", "III.a", list(reversed(both))).class_key == "by-exact"


def test_the_longest_pattern_wins_whatever_the_order_given():
    patterns = [m(PATTERN, "Sekretaris *", "iii"), m(PATTERN, "Sekretaris Kelurahan *", "iv")]
    for given in (patterns, list(reversed(patterns))):
        assert match_position("Sekretaris Kelurahan Ketintang", None, given).class_key == "iv"
        assert match_position("Sekretaris Kecamatan Gubeng", None, given).class_key == "iii"


def test_the_pattern_length_counts_letters_not_stars():
    given = [m(PATTERN, "kasi****", "stars"), m(PATTERN, "kasi p*", "letters")]
    assert match_position("kasi pemerintahan", None, given).class_key == "letters"


def test_patterns_of_one_length_go_alphabetically():
    given = [m(PATTERN, "ab *", "second"), m(PATTERN, "* ab", "first")]
    assert match_position("ab ab", None, given).class_key == "first"
    assert match_position("ab ab", None, list(reversed(given))).class_key == "first"


def test_the_longest_echelon_code_wins():
    codes = [m(ECHELON, "III", "eselon iii"), m(ECHELON, "III.a", "camat-ish")]
    for given in (codes, list(reversed(codes))):
        assert match_position("Perencana", "III/a", given).class_key == "camat-ish"
        assert match_position("Perencana", "III.b", given).class_key == "eselon iii"


def test_an_empty_position_or_code_matches_nothing():
    assert match_position("", None, [m(PATTERN, "*", "any")]) is None
    assert match_position(None, "", [PositionMatch(ECHELON, "", "any")]) is None
    assert match_position("  ", None, [PositionMatch(EXACT, "", "any")]) is None
    assert match_position(None, None, [PositionMatch(ALIAS, "", "any")]) is None


def test_an_unknown_kind_is_ignored():
    assert match_position("camat", None, [PositionMatch("regex", "camat", "x")]) is None


def test_the_match_found_is_the_rule_itself():
    rule = m(PATTERN, "Lurah *", "lurah", 7)
    assert match_position("Lurah Ketintang", None, [rule]) is rule


# ---------------------------------------------------------------- what an admin may type
@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        (EXACT, "Camat Gubeng", None),
        (ALIAS, "Sekcam", None),
        (PATTERN, "Camat *", None),
        (PATTERN, "*", "Pola harus memuat kata selain *."),
        (PATTERN, " * * ", "Pola harus memuat kata selain *."),
        (PATTERN, "Camat", "Pola harus memuat * (mis. Camat *); tanpa * gunakan nama persis."),
        (EXACT, "Camat *", "Tanda * hanya untuk pola."),
        (ALIAS, "Kasi*", "Tanda * hanya untuk pola."),
        (ECHELON, "III.a", None),
        (ECHELON, "IV/b", None),
        (ECHELON, "Eselon IV-a", None),
        (
            ECHELON,
            "III*",
            "Kode eselon/golongan hanya huruf, angka, titik, garis miring; paling banyak 16.",
        ),
        (
            ECHELON,
            "x" * 17,
            "Kode eselon/golongan hanya huruf, angka, titik, garis miring; paling banyak 16.",
        ),
        (ECHELON, "x" * 16, None),
        (EXACT, "   ", "Teks aturan tidak boleh kosong."),
        (EXACT, "x" * 121, "Teks aturan paling banyak 120 karakter."),
        (EXACT, "x" * 120, None),
        ("regex", "x", "Jenis aturan harus salah satu dari: exact, alias, pattern, echelon."),
    ],
)
def test_match_problems_are_named_in_indonesian(kind, text, problem):
    assert match_problem(kind, text) == problem


def test_the_kinds_are_listed_in_their_precedence():
    assert rules.MATCH_KINDS == (EXACT, ALIAS, PATTERN, ECHELON)
    assert rules.COUNTS_ON == ("receipt", "payment")


# ---------------------------------------------------------------- amounts and a change
def test_a_class_without_an_amount_and_no_class_owe_the_default():
    assert required_for_class("camat", AMOUNTS, DEFAULT) == 2_000_000
    assert required_for_class("eselon iii", AMOUNTS, DEFAULT) == DEFAULT
    assert required_for_class(None, {"": 5}, DEFAULT) == DEFAULT
    assert required_for_class("", {"": 5}, DEFAULT) == 5


def test_a_change_counts_people_per_class_and_lists_whose_class_or_amount_changes():
    people = [
        (1, "Camat Gubeng", None),
        (2, "Kasi Pemerintahan", None),
        (3, "Analis Kebijakan", None),
        (4, "Staf", None),
        (5, "Kasi Trantib", None),
    ]
    before = [m(EXACT, "Camat", "camat"), m(EXACT, "Staf", "staf"), m(EXACT, "Kasi", "kasi")]
    after = [*before, m(PATTERN, "Camat *", "camat"), m(PATTERN, "Kasi *", "eselon")]
    amounts = {"camat": 2_000_000, "staf": 100_000}
    counts, changed = mapping_changes(people, before, after, amounts, 100_000)
    assert counts == {None: (4, 1), "staf": (1, 1), "camat": (0, 1), "eselon": (0, 2)}
    assert changed == [
        (1, Assignment(None, 100_000), Assignment("camat", 2_000_000)),
        (2, Assignment(None, 100_000), Assignment("eselon", 100_000)),  # class only
        (5, Assignment(None, 100_000), Assignment("eselon", 100_000)),
    ]


def test_a_change_of_echelon_rules_reads_each_persons_code():
    people = [(1, "Perencana Ahli Muda", "III.b"), (2, "Perencana Ahli Muda", None)]
    before = [m(ECHELON, "III", "eselon iii")]
    after = [m(ECHELON, "IV", "eselon iv")]
    counts, changed = mapping_changes(people, before, after, {"eselon iii": 500_000}, 100_000)
    assert counts == {"eselon iii": (1, 0), None: (1, 2)}
    assert changed == [(1, Assignment("eselon iii", 500_000), Assignment(None, 100_000))]
    counts, changed = mapping_changes(people, after, before, {"eselon iii": 500_000}, 100_000)
    assert changed == [(1, Assignment(None, 100_000), Assignment("eselon iii", 500_000))]


def test_no_change_lists_nobody():
    people = [(1, "Camat Gubeng", "III.a"), (2, None, None)]
    mapping = default_mapping()
    counts, changed = mapping_changes(people, mapping, mapping, AMOUNTS, DEFAULT)
    assert counts == {"camat": (1, 1), None: (1, 1)} and changed == []


def test_the_default_classes_reproduce_the_published_amounts():
    assert list(DEFAULT_CLASSES) == ["Camat", "Lurah", "Eselon III", "Kepala Seksi", "Staf"]
    assert set(rules.DEMO_BY_POSITION) <= set(DEFAULT_CLASSES)
    for rows in DEFAULT_CLASSES.values():
        assert all(match_problem(kind, text) is None for kind, text in rows)
