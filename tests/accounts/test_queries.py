"""`accounts.queries.opd_choices`: the one list of OPDs that filter menus and per-OPD forms use."""

from marketplace.accounts.queries import opd_choices
from marketplace.extensions import db
from tests.factories import make_opd


def test_opds_come_by_name_and_read_as_attributes_or_pairs(app):
    make_opd("4.01", "Dinas Perdagangan")
    make_opd("1.02", "Bappeda")
    db.session.commit()
    choices = opd_choices()
    assert [(o.code, o.name) for o in choices] == [
        ("1.02", "Bappeda"),
        ("4.01", "Dinas Perdagangan"),
    ]
    code, name = choices[0]
    assert (code, name) == ("1.02", "Bappeda")


def test_no_opds_means_no_choices(app):
    assert opd_choices() == []
