"""Reading posted page forms with the API's marshmallow schemas, so a page and its API twin
validate alike.

Page handlers catch nothing: these helpers raise `ValidationFailed`, which the one error handler
flashes (message, then one line per field) before redirecting back to the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema
from marshmallow import ValidationError as MarshmallowValidationError

from marketplace import text
from marketplace.errors import ValidationFailed
from marketplace.money import parse_rupiah

# Fields a browser posts that no schema describes.
FORM_CONTROL_FIELDS = ("csrf_token", "next")


def form_values(form: Mapping[str, Any], *, drop_blank: bool = False) -> dict[str, Any]:
    """The posted fields as a plain dict, without the CSRF token and `next`; with `drop_blank`
    an empty field counts as not sent (so the schema's default or `required` applies). A
    multipart part whose name Werkzeug could not read (a CR in it) comes as key None: dropped,
    since it names no field and would break the sorted JSON of a 422."""
    return {
        k: v
        for k, v in form.items()
        if isinstance(k, str) and k not in FORM_CONTROL_FIELDS and not (drop_blank and v == "")
    }


def load_form(
    schema: Schema,
    form: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    message: str | None = None,
    unknown: str = EXCLUDE,
) -> dict[str, Any]:
    """`schema.load(form)`; on invalid input raise `ValidationFailed(message, details)` where
    `details` maps each field — by its visible label when `labels` names it — to its translated
    messages. Unknown fields are ignored unless `unknown` says otherwise. A value with a control
    character other than tab, newline and CR is refused before the schema sees it."""
    found = text.controls_in(dict(form))
    if found:
        labels = labels or {}
        raise ValidationFailed(
            message or _("Periksa kembali isian formulir."),
            details={labels.get(k, k): [text.control_message(c)] for k, c in found.items()},
        )
    try:
        return schema.load(dict(form), unknown=unknown)
    except MarshmallowValidationError as err:
        raise ValidationFailed(
            message or _("Periksa kembali isian formulir."),
            details=form_error_details(err.messages, labels),
        ) from None


def form_error_details(messages: Any, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """marshmallow's messages keyed by visible label, each message translated; nested dicts
    (a per-OPD table, say) are kept as they are."""
    if not isinstance(messages, dict):
        messages = {"_schema": messages}
    labels = labels or {}
    details: dict[str, Any] = {}
    for key, value in messages.items():
        if isinstance(value, list):
            value = [_(str(m)) for m in value]
        details[labels.get(key, key)] = value
    return details


def form_rupiah(
    raw: str | None, field: str, errors: dict[str, list[str]], *, blank: int | None = None
) -> int | None:
    """A typed rupiah amount read with `money.parse_rupiah`; a refused one adds a message under
    `field` in `errors` and gives None. A blank field gives `blank` when set, else is refused."""
    if blank is not None and not (raw or "").strip():
        return blank
    try:
        return parse_rupiah(raw)
    except ValueError:
        errors.setdefault(field, []).append(
            _("Jumlah harus bilangan bulat rupiah tanpa sen, misalnya 100000 atau 100.000.")
        )
        return None
