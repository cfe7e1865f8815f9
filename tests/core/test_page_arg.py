"""`pages.page_arg`: a page view's `?page=` never raises, whatever is typed in the address."""

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.pages import page_arg


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
