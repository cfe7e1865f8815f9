"""The area rules with no database: a code, a name and its kecamatan → one area, or why not."""

import pytest

from marketplace.areas import rules
from marketplace.areas.rules import Place

SURABAYA = [
    Place("35.78.03.1005", "Wonorejo", "35.78.03", "Rungkut"),
    Place("35.78.03.1006", "Medokan Ayu", "35.78.03", "Rungkut"),
    Place("35.78.03.1004", "Penjaringansari", "35.78.03", "Rungkut"),
    Place("35.78.05.1005", "Wonorejo", "35.78.05", "Tegalsari"),
    Place("35.78.05.1002", "Dr. Soetomo", "35.78.05", "Tegalsari"),
    Place("35.78.22.1004", "Ketintang", "35.78.22", "Gayungan"),
    Place("35.78.22.1001", "Gayungan", "35.78.22", "Gayungan"),
    Place("35.78.16.1001", "Ampel", "35.78.16", "Semampir"),
    Place("35.78.04.1004", "Ngagel Rejo", "35.78.04", "Wonokromo"),
]
RUNGKUT_WONOREJO, TEGALSARI_WONOREJO = SURABAYA[0], SURABAYA[3]
KETINTANG, AMPEL = SURABAYA[5], SURABAYA[7]


def test_a_name_unique_in_the_city_is_enough():
    assert rules.resolve(SURABAYA, kelurahan="Ketintang").place == KETINTANG
    assert rules.resolve(SURABAYA, kelurahan="ampel").place == AMPEL


def test_both_wonorejo_are_ambiguous_without_the_kecamatan():
    found = rules.resolve(SURABAYA, kelurahan="Wonorejo")
    assert found.status == rules.AMBIGUOUS and not found.found
    assert found.candidates == (RUNGKUT_WONOREJO, TEGALSARI_WONOREJO)
    assert rules.labels(found.candidates) == "Wonorejo, Rungkut; Wonorejo, Tegalsari"


@pytest.mark.parametrize(
    ("kecamatan", "expected"),
    [
        ("Rungkut", RUNGKUT_WONOREJO),
        ("rungkut ", RUNGKUT_WONOREJO),
        ("Kecamatan Rungkut", RUNGKUT_WONOREJO),
        ("35.78.03", RUNGKUT_WONOREJO),
        ("Tegalsari", TEGALSARI_WONOREJO),
    ],
)
def test_the_kecamatan_by_name_or_code_tells_the_two_wonorejo_apart(kecamatan, expected):
    assert rules.resolve(SURABAYA, kelurahan="Wonorejo", kecamatan=kecamatan).place == expected


def test_an_unknown_name_answers_the_closest_names():
    found = rules.resolve(SURABAYA, kelurahan="Ketintang Baru")
    assert found.status == rules.UNKNOWN
    assert found.candidates[0] == KETINTANG
    assert rules.resolve(SURABAYA, kelurahan="Zzzz").candidates == ()


def test_a_close_name_lists_every_area_of_that_name():
    found = rules.resolve(SURABAYA, kelurahan="Wonoreja")
    assert found.status == rules.UNKNOWN
    assert found.candidates[:2] == (RUNGKUT_WONOREJO, TEGALSARI_WONOREJO)


def test_an_unknown_name_in_a_kecamatan_suggests_that_kecamatans_names_first():
    found = rules.resolve(SURABAYA, kelurahan="Wonorejo Baru", kecamatan="Rungkut")
    assert found.status == rules.UNKNOWN and found.candidates[0] == RUNGKUT_WONOREJO


def test_a_name_in_another_kecamatan_is_refused_naming_where_it_is():
    found = rules.resolve(SURABAYA, kelurahan="Ketintang", kecamatan="Rungkut")
    assert found.status == rules.WRONG_KECAMATAN and found.candidates == (KETINTANG,)


def test_an_unknown_kecamatan_is_refused_with_close_kecamatan_names():
    found = rules.resolve(SURABAYA, kelurahan="Wonorejo", kecamatan="Rungkot")
    assert found.status == rules.UNKNOWN_KECAMATAN
    assert found.kecamatan_suggestions == ("Rungkut",)


@pytest.mark.parametrize(
    "spelling", ["dr soetomo", "DR. SOETOMO", "Kelurahan Dr. Soetomo", "Dr.Soetomo", "dr  soetomo"]
)
def test_names_match_ignoring_case_punctuation_spaces_and_a_kelurahan_prefix(spelling):
    assert rules.resolve(SURABAYA, kelurahan=spelling).place == SURABAYA[4]


def test_a_name_written_as_one_word_or_two_is_the_same_name():
    assert rules.resolve(SURABAYA, kelurahan="Ngagelrejo").place == SURABAYA[8]
    assert rules.resolve(SURABAYA, kelurahan="Penjaringan Sari").place == SURABAYA[2]


def test_a_code_names_the_area_and_a_kecamatan_given_with_it_must_be_its_own():
    assert rules.resolve(SURABAYA, code="35.78.03.1005").place == RUNGKUT_WONOREJO
    assert rules.resolve(SURABAYA, kelurahan="3578051005").place == TEGALSARI_WONOREJO
    assert (
        rules.resolve(SURABAYA, kelurahan="35.78.03.1005", kecamatan="35.78.03").place
        == RUNGKUT_WONOREJO
    )
    wrong = rules.resolve(SURABAYA, kelurahan="35.78.03.1005", kecamatan="Tegalsari")
    assert wrong.status == rules.WRONG_KECAMATAN
    assert rules.resolve(SURABAYA, code="35.78.99.9999").status == rules.UNKNOWN


def test_nothing_given_is_unknown():
    assert rules.resolve(SURABAYA).status == rules.UNKNOWN
    assert rules.resolve(SURABAYA, kelurahan="  ").status == rules.UNKNOWN
    assert rules.resolve([], kelurahan="Ketintang").status == rules.UNKNOWN


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("35.78.22.1004", "35.78.22.1004"),
        (" 3578221004 ", "35.78.22.1004"),
        ("35.78.22", None),
        ("35-78-22-1004", None),
        ("Ketintang", None),
        (None, None),
    ],
)
def test_codes_are_normalised(value, expected):
    assert rules.normalise_code(value) == expected


def test_a_kelurahan_code_starts_with_its_kecamatan_code():
    assert rules.kecamatan_code_of("35.78.22.1004") == "35.78.22"
    assert rules.kecamatan_code_of("x") is None


def test_proximity_is_by_code_so_the_two_wonorejo_are_not_neighbours():
    rungkut, tegalsari = RUNGKUT_WONOREJO.code, TEGALSARI_WONOREJO.code
    assert rules.proximity_rank(rungkut, rungkut) == rules.SAME_KELURAHAN
    assert rules.proximity_rank(rungkut, "35.78.03.1006") == rules.SAME_KECAMATAN
    assert rules.proximity_rank(rungkut, tegalsari) == rules.ELSEWHERE
    assert rules.proximity_rank(None, rungkut) == rules.ELSEWHERE
    assert rules.proximity_rank(None, None) == rules.ELSEWHERE
    assert rules.proximity_rank(rungkut, "Wonorejo") == rules.ELSEWHERE


def test_nearer_shops_rank_first():
    # `catalog.services` sorts `nearest` by these ranks, ascending.
    assert rules.SAME_KELURAHAN < rules.SAME_KECAMATAN < rules.ELSEWHERE


# ---------------------------------------------------------------- the loader's CSV rows
ROW = {
    "code": "35.78.22.1004",
    "name": " Ketintang ",
    "kecamatan_code": "35.78.22",
    "kecamatan_name": "Gayungan",
    "postal_code": "60231",
}


def test_a_csv_row_becomes_an_area_row():
    assert rules.area_row(ROW, "35.78") == rules.AreaRow(
        "35.78.22.1004", "Ketintang", "kelurahan", "35.78.22", "Gayungan", "60231"
    )
    desa = rules.area_row({**ROW, "code": "35.07.01.2001", "kecamatan_code": ""})
    assert desa.kind == "desa" and desa.kecamatan_code == "35.07.01"
    assert rules.area_row({**ROW, "postal_code": ""}).postal_code is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "35.78.22"}, "Kode wilayah tidak valid"),
        ({"kecamatan_code": "35.78.21"}, "bukan induk"),
        ({"name": ""}, "Nama kelurahan kosong"),
        ({"kecamatan_name": " "}, "Nama kecamatan kosong"),
        ({"postal_code": "6023"}, "Kode pos harus 5 angka"),
        ({"kind": "kota"}, "Jenis harus kelurahan atau desa"),
        ({"name": "x" * 101}, "lebih dari 100"),
    ],
)
def test_a_bad_csv_row_says_what_is_wrong(change, message):
    with pytest.raises(ValueError, match=message):
        rules.area_row({**ROW, **change}, "35.78")


def test_a_csv_row_of_another_city_is_refused():
    with pytest.raises(ValueError, match="bukan wilayah kota 35.73"):
        rules.area_row(ROW, "35.73")


# ---------------------------------------------------------------- every answer in full
R = rules.Resolution


def test_each_answer_carries_its_status_place_and_candidates():
    assert rules.resolve(SURABAYA, kelurahan="Ketintang") == R(rules.FOUND, KETINTANG)
    assert rules.resolve(SURABAYA, code=KETINTANG.code) == R(rules.FOUND, KETINTANG)
    assert rules.resolve(SURABAYA, code=KETINTANG.code, kecamatan="Rungkut") == R(
        rules.WRONG_KECAMATAN, candidates=(KETINTANG,)
    )
    assert rules.resolve(SURABAYA, kelurahan="Wonorejo", kecamatan="Rungkut") == R(
        rules.FOUND, RUNGKUT_WONOREJO
    )
    assert rules.resolve(SURABAYA, kelurahan="Wonorejo", kecamatan="Rungkot") == R(
        rules.UNKNOWN_KECAMATAN,
        candidates=(RUNGKUT_WONOREJO, TEGALSARI_WONOREJO),
        kecamatan_suggestions=("Rungkut",),
    )


def test_candidates_are_listed_by_code_whatever_order_the_city_lists_them():
    shuffled = list(reversed(SURABAYA))
    assert rules.resolve(shuffled, kelurahan="Wonorejo").candidates == (
        RUNGKUT_WONOREJO,
        TEGALSARI_WONOREJO,
    )
    assert rules.closest(shuffled, "Wonoreja")[:2] == (RUNGKUT_WONOREJO, TEGALSARI_WONOREJO)


def test_two_areas_of_one_name_in_one_kecamatan_stay_ambiguous_with_the_kecamatan():
    twin = Place("35.78.03.1009", "Wonorejo", "35.78.03", "Rungkut")
    places = [*SURABAYA, twin]
    assert rules.resolve(places, kelurahan="Wonorejo", kecamatan="Rungkut") == R(
        rules.AMBIGUOUS, candidates=(RUNGKUT_WONOREJO, twin)
    )


def test_an_unknown_name_in_a_kecamatan_lists_only_that_kecamatans_close_names():
    # Both Wonorejos are close to "Wonorejoo"; inside Rungkut only Rungkut's is offered.
    assert rules.resolve(SURABAYA, kelurahan="Wonorejoo", kecamatan="Rungkut") == R(
        rules.UNKNOWN, candidates=(RUNGKUT_WONOREJO,)
    )
    # Nothing close inside Gayungan: the city's close names are offered instead.
    assert rules.resolve(SURABAYA, kelurahan="Ampell", kecamatan="Gayungan") == R(
        rules.UNKNOWN, candidates=(AMPEL,)
    )


def test_closest_offers_at_most_n_names():
    assert len(rules.closest(SURABAYA, "Wonoreja", n=1)) == 2  # one name, both its areas
    assert rules.closest(SURABAYA, "Gayunga", n=1) == (SURABAYA[6],)


def test_a_missing_name_normalises_to_nothing():
    assert rules.normalise_name(None) == ""
    assert rules.match_key(None) == ""


# ---------------------------------------------------------------- the loader's messages
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "x" * 30}, "Kode wilayah tidak valid: 'xxxxxxxxxxxxxxxxxxxx'."),
        ({"code": None}, "Kode wilayah tidak valid: ''."),
        ({"name": "  "}, "Nama kelurahan kosong."),
        ({"kecamatan_name": None}, "Nama kecamatan kosong."),
        ({"name": "a" * 101}, "Nama lebih dari 100 karakter."),
        ({"kecamatan_name": "a" * 101}, "Nama lebih dari 100 karakter."),
        ({"postal_code": "1" * 15}, "Kode pos harus 5 angka: '1111111111'."),
        ({"kind": "k" * 30}, "Jenis harus kelurahan atau desa, bukan 'kkkkkkkkkkkkkkkkkkkk'."),
    ],
)
def test_a_bad_csv_row_says_exactly_what_is_wrong(change, message):
    row = {k: v for k, v in {**ROW, **change}.items() if v is not None}
    with pytest.raises(ValueError) as refused:
        rules.area_row(row, "35.78")
    assert str(refused.value) == message


def test_names_of_exactly_100_characters_and_inner_spaces_are_kept():
    row = rules.area_row({**ROW, "name": "a" * 100, "kecamatan_name": "Gayungan   Baru"})
    assert row.name == "a" * 100 and row.kecamatan_name == "Gayungan Baru"
    assert rules.area_row({**ROW, "kecamatan_name": "b" * 100}).kecamatan_name == "b" * 100
    assert rules.area_row({**ROW, "name": "Ketintang  Baru"}).name == "Ketintang Baru"


def test_the_kind_is_read_from_kind_or_type_in_any_case():
    assert rules.area_row({**ROW, "kind": " KELURAHAN "}).kind == "kelurahan"
    assert rules.area_row({**ROW, "type": "Desa"}).kind == "desa"
