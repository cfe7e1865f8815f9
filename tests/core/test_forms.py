"""`marketplace.forms`: the one way pages read a posted form through an API schema."""

import pytest
from marshmallow import Schema, fields, validate

from marketplace.errors import ValidationFailed
from marketplace.forms import form_rupiah, form_values, load_form


class ShopForm(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2))
    stock = fields.Integer(load_default=0)


def test_a_valid_form_loads_into_the_schemas_values(app):
    assert load_form(ShopForm(), {"name": "Warung Bu Sri", "stock": "7"}) == {
        "name": "Warung Bu Sri",
        "stock": 7,
    }


def test_the_csrf_token_and_next_never_reach_the_schema(app):
    posted = {"csrf_token": "x", "next": "/shop", "name": "Warung"}
    assert form_values(posted) == {"name": "Warung"}
    assert load_form(ShopForm(), posted) == {"name": "Warung", "stock": 0}


def test_a_part_without_a_readable_name_is_dropped(app):
    assert form_values({None: "1", "name": "Warung"}) == {"name": "Warung"}


def test_blank_fields_count_as_not_sent_when_asked(app):
    assert form_values({"name": "Warung", "stock": ""}, drop_blank=True) == {"name": "Warung"}


def test_an_invalid_form_raises_a_422_keyed_by_the_visible_label(app):
    with pytest.raises(ValidationFailed) as caught:
        load_form(ShopForm(), {"name": "W", "stock": "banyak"}, labels={"name": "Nama toko"})
    err = caught.value
    assert err.status == 422
    assert err.message == "Periksa kembali isian formulir."
    assert set(err.details) == {"Nama toko", "stock"}


def test_the_caller_may_name_the_forms_message(app):
    with pytest.raises(ValidationFailed) as caught:
        load_form(ShopForm(), {}, message="Periksa isian target.")
    assert caught.value.message == "Periksa isian target."
    assert "name" in caught.value.details


def test_a_typed_rupiah_amount_is_read_and_a_bad_one_is_reported_under_its_field(app):
    errors: dict[str, list[str]] = {}
    assert form_rupiah("Rp 12.500", "umk", errors) == 12500
    assert form_rupiah("12,5rb", "pdn", errors) is None
    assert list(errors) == ["pdn"]
    assert "tanpa sen" in errors["pdn"][0]


def test_a_blank_rupiah_amount_is_the_default_when_one_is_given_else_refused(app):
    errors: dict[str, list[str]] = {}
    assert form_rupiah("  ", "umk", errors, blank=0) == 0
    assert errors == {}
    assert form_rupiah("", "default_amount", errors) is None
    assert list(errors) == ["default_amount"]
