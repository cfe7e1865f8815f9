"""Shapes of the position-class mapping API (/api/v1/admin/mandate/positions...)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from marketplace.api import text_field
from marketplace.mandate.rules import COUNTS_ON, MATCH_KINDS, MAX_MATCH_TEXT


class MatchAdd(Schema):
    class_name = text_field(
        MAX_MATCH_TEXT,
        metadata={"description": "The class (its name, any case).", "example": "Camat"},
    )
    kind = fields.String(required=True, validate=validate.OneOf(MATCH_KINDS))
    text = text_field(
        MAX_MATCH_TEXT,
        metadata={"description": "A name, an alias, a pattern with * or an echelon code."},
    )


class MappingChange(Schema):
    """A change of the mapping: new classes, match rules to add and to remove (by id)."""

    new_classes = fields.List(
        text_field(MAX_MATCH_TEXT), load_default=list, validate=validate.Length(max=50)
    )
    add = fields.List(fields.Nested(MatchAdd), load_default=list, validate=validate.Length(max=200))
    remove = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=200),
    )


class MappingSave(MappingChange):
    confirm = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The `fingerprint` of the preview being confirmed."},
    )


class MatchSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String()


class ClassSchema(Schema):
    key = fields.String()
    name = fields.String()
    amount = fields.Integer(metadata={"description": "Monthly minimum in the rule in force."})
    own_amount = fields.Boolean(metadata={"description": "False: the rule's default applies."})
    civil_servants = fields.Integer()
    matches = fields.List(fields.Nested(MatchSchema))


class UnmatchedSchema(Schema):
    position = fields.String(allow_none=True)
    echelon = fields.String(allow_none=True)
    civil_servants = fields.Integer()


class MappingSchema(Schema):
    period = fields.String()
    rule_effective_from = fields.String(allow_none=True)
    default_amount = fields.Integer()
    counts_on = fields.String(validate=validate.OneOf(COUNTS_ON))
    classes = fields.List(fields.Nested(ClassSchema))
    unmatched = fields.List(fields.Nested(UnmatchedSchema))
    unmatched_positions = fields.Integer()
    unmatched_civil_servants = fields.Integer()
    fingerprint = fields.String()
    changed_total = fields.Integer()


class ClassCountSchema(Schema):
    key = fields.String(allow_none=True, metadata={"description": "null: no class (default)."})
    name = fields.String(allow_none=True)
    amount = fields.Integer()
    before = fields.Integer()
    after = fields.Integer()


class ChangedSchema(Schema):
    user_id = fields.Integer()
    nip = fields.String(allow_none=True)
    name = fields.String()
    opd = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    echelon = fields.String(allow_none=True)
    class_before = fields.String(allow_none=True)
    class_after = fields.String(allow_none=True)
    required_before = fields.Integer()
    required_after = fields.Integer()


class PreviewSchema(Schema):
    period = fields.String()
    default_amount = fields.Integer()
    classes = fields.List(fields.Nested(ClassCountSchema))
    changed_total = fields.Integer()
    amount_changed_total = fields.Integer()
    changed = fields.List(fields.Nested(ChangedSchema))
    unmatched_before = fields.Integer()
    unmatched_after = fields.Integer()
    fingerprint = fields.String(metadata={"description": "Send it as `confirm` to save."})
