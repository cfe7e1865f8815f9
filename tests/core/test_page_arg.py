"""`pages.page_arg`: a page view's `?page=` never raises, whatever is typed in the address."""

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.pages import page_arg, page_query
from tests.factories import make_user


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ({}, 1),
        ({"page": "3"}, 3),
        ({"page": " 2 "}, 2),
        ({"page": ""}, 1),
        ({"page": "abc"}, 1),
        ({"page": "1.5"}, 1),
        ({"page": "0"}, 1),
        ({"page": "-4"}, 1),
        ({"page": "99999999999999999999"}, 1_000_000),
        ({"page": "١٢"}, 12),  # int() reads other scripts' digits; still within range
    ],
)
def test_page_number_is_clamped_and_garbage_means_the_first_page(query, page):
    assert page_arg(MultiDict(query)) == page


def test_another_parameter_name_can_be_read():
    assert page_arg({"runs_page": "4"}, "runs_page") == 4


def test_a_page_views_query_keeps_its_filters_and_reads_the_page_number():
    query = MultiDict([("page", "abc"), ("kind", "payment"), ("kind", "refund")])
    assert page_query(query) == {"page": 1, "kind": "payment"}
    assert page_query(MultiDict({"kind": "payment"})) == {"kind": "payment"}


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("finance", "/finance/ledger?page=abc"),
        ("finance", "/finance/audit?page=-3"),
        ("public", "/products?page=abc"),
        ("public", "/notifications?page=1e9"),
    ],
)
def test_garbage_page_numbers_show_the_first_page_instead_of_an_error(client, login, role, url):
    login(client, make_user(role))
    assert client.get(url).status_code == 200
