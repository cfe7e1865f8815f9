"""Shapes of the notifications API."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from marketplace.api import PageQuery, UtcDateTime


class NotificationQuery(PageQuery):
    class Meta:
        unknown = EXCLUDE

    unread = fields.Boolean(load_default=False)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    url = fields.String(allow_none=True)
    read = fields.Function(lambda n: n.read_at is not None)
    read_at = UtcDateTime(allow_none=True)
    emailed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
