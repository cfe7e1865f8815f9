"""Pure rules of product flags under review: what a shop's edit of a claim does, the state the shop
sees, TKDN percentages, and the PP 49/2022 basic-necessity table."""

import pytest

from marketplace.shops import rules
from marketplace.shops.rules import APPLY, KEEP, REVIEW, claim_action, flag_value


# ---------------------------------------------------------------- claim_action
def test_claiming_a_flag_true_for_the_first_time_needs_review():
    off = (False, None)
    assert claim_action((True, None), claimed=off, effective=off) == REVIEW


def test_taking_a_flag_back_applies_at_once():
    on = (True, None)
    assert claim_action((False, None), claimed=on, effective=on) == APPLY


def test_taking_back_a_claim_still_waiting_applies_at_once():
    assert claim_action((False, None), claimed=(True, None), effective=(False, None)) == APPLY


def test_an_unchanged_claim_is_kept():
    assert claim_action((True, 4000), claimed=(True, 4000), effective=(False, None)) == KEEP
    assert claim_action((False, None), claimed=(False, None), effective=(False, None)) == KEEP


def test_changing_the_tkdn_of_an_approved_pdn_claim_needs_review():
    assert claim_action((True, 6000), claimed=(True, 4000), effective=(True, 4000)) == REVIEW
    assert claim_action((True, None), claimed=(True, 4000), effective=(True, 4000)) == REVIEW


def test_going_back_to_the_approved_value_applies_at_once():
    assert claim_action((True, 4000), claimed=(True, 6000), effective=(True, 4000)) == APPLY


def test_flag_value_keeps_tkdn_only_for_a_pdn_claim():
    assert flag_value("is_pdn", True, 4356) == (True, 4356)
    assert flag_value("is_pdn", False, 4356) == (False, None)
    assert flag_value("vat_exempt", True, 4356) == (True, None)
    assert flag_value("is_local_product", 1) == (True, None)
    assert flag_value("is_local_product", 1)[0] is True


# ---------------------------------------------------------------- flag_state
@pytest.mark.parametrize(
    ("claimed", "latest", "state"),
    [
        (True, "pending", "pending"),
        (False, "pending", "pending"),
        (True, "approved", "approved"),
        (True, None, "approved"),
        (False, "rejected", "rejected"),
        (True, "rejected", "approved"),
        (False, "approved", None),
        (False, "withdrawn", None),
        (False, None, None),
    ],
)
def test_the_state_a_shop_sees_for_a_flag(claimed, latest, state):
    assert rules.flag_state(claimed, latest) == state


# ---------------------------------------------------------------- TKDN percent
@pytest.mark.parametrize(
    ("text", "bps"),
    [
        ("43,56", 4356),
        ("43.56", 4356),
        ("40", 4000),
        ("40 %", 4000),
        ("0", 0),
        ("100", 10_000),
        ("7,5", 750),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_percentages_are_read_into_basis_points(text, bps):
    assert rules.parse_percent_bps(text) == bps


@pytest.mark.parametrize("text", ["100,01", "101", "-5", "4,567", "abc", "4,", ",5", "1e2"])
def test_bad_percentages_are_refused_naming_what_was_typed(text):
    with pytest.raises(ValueError) as err:
        rules.parse_percent_bps(text)
    assert str(err.value) == text


def test_basis_points_are_written_as_a_percentage():
    assert rules.format_percent_bps(4356) == "43,56"
    assert rules.format_percent_bps(4000) == "40"
    assert rules.format_percent_bps(5) == "0,05"
    assert rules.format_percent_bps(0) == "0"
    assert rules.format_percent_bps(None) == ""


# ---------------------------------------------------------------- PP 49/2022
@pytest.mark.parametrize(
    ("name", "category", "good"),
    [
        ("Beras Premium 5 kg", "sembako", "beras"),
        ("Telur Ayam Ras 1 kg", "sembako", "telur"),
        ("Gula Pasir Putih 1 kg", "sembako", "gula"),
        ("Garam Beryodium 250 g", "bumbu-dapur", "garam"),
        ("Daging Sapi Segar 500 g", "sembako", "daging"),
        ("Ayam Potong Utuh 1 kg", "sembako", "daging"),
        ("Bawang Putih Kating 1 kg (impor)", "bumbu-dapur", "bumbu"),
        ("Cabai Rawit Merah 250 g", "bumbu-dapur", "sayur"),
        ("Susu Segar Murni 1 liter", "sembako", "susu"),
        ("Jagung Manis", None, "jagung"),
        ("Singkong", "sembako", "ubi"),
        ("Gabah Kering Giling", "sembako", "beras"),
        ("Kedelai Lokal 1 kg", "sembako", "kedelai"),
        ("Sagu Papua", "sembako", "sagu"),
        ("Ayam Karkas Segar", "sembako", "daging"),
        ("Susu Perah Segar", "sembako", "susu"),
        ("Pisang Raja", "sembako", "buah"),
        ("Bayam Hijau", "sembako", "sayur"),
        ("Jahe Merah", "bumbu-dapur", "bumbu"),
        ("Gula Kristal Putih", "sembako", "gula"),
    ],
)
def test_basic_necessities_of_pp_49_2022_are_recognised(name, category, good):
    assert rules.basic_necessity_of(name, category) == good


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Cokelat Swiss Impor 100 g", "sembako"),
        ("Minyak Goreng Sawit 2 liter", "sembako"),
        ("Tepung Terigu Protein Sedang 1 kg", "sembako"),
        ("Kecap Manis Kedelai Hitam", "bumbu-dapur"),
        ("Susu UHT Full Cream 1 liter", "minuman"),
        ("Susu UHT Full Cream 1 liter", "sembako"),
        ("Jamu Beras Kencur 350 ml", "minuman"),
        ("Rawon Daging", "kuliner-siap-saji"),
        ("Kerupuk Bawang 500 g", "makanan-ringan"),
        ("Kerupuk Bawang 500 g", "sembako"),
        ("Sambal Bawang 200 g", "bumbu-dapur"),
        ("Gula Aren Cair", "sembako"),
        ("Mi Instan Goreng", "sembako"),
        ("Minyak Jagung 1 liter", "sembako"),
        ("Tepung Beras 500 g", "sembako"),
        ("Saus Tomat", "bumbu-dapur"),
        ("Keripik Singkong", "sembako"),
        ("Sirup Jeruk", "sembako"),
        ("Bubur Beras Instan", "sembako"),
        ("Es Teh Gula Pasir", "minuman"),
        ("Bika Ambon Pandan Telur", "kue-dan-roti"),
        ("Telur Asin Makanan", "makanan-ringan"),
        ("Tas Anyaman Pisang", "kerajinan"),
        ("Batik Motif Buah", "fashion"),
        ("Sabun Jeruk Nipis", "kebersihan-rumah"),
        ("", "sembako"),
    ],
)
def test_other_goods_are_not_basic_necessities(name, category):
    assert rules.basic_necessity_of(name, category) is None


def test_every_basic_necessity_has_a_label_and_words():
    assert len(rules.BASIC_NECESSITIES) == 13
    for label, words in rules.BASIC_NECESSITIES.values():
        assert label and words and all(w == w.lower().strip() for w in words)


def test_words_match_whole_words_only():
    assert rules.basic_necessity_of("Berasa Nikmat", "sembako") is None
    assert rules.basic_necessity_of("BERAS pulen", "sembako") == "beras"
