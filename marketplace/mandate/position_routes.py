"""Routes of the position-class mapping: the admin API (/api/v1/admin/mandate/positions...) and
the mapping page with its preview-then-confirm step. Part of the mandate blueprint."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.api import api_user, endpoint, require_role
from marketplace.errors import ValidationFailed
from marketplace.forms import load_form
from marketplace.mandate import bp, positions, rules
from marketplace.mandate.position_schemas import (
    MappingChange,
    MappingSave,
    MappingSchema,
    PreviewSchema,
)

API = "/admin/mandate/positions"


# ---------------------------------------------------------------- API
@endpoint(
    bp,
    API,
    summary="Position classes, their match rules and unmatched positions",
    roles=("admin",),
    response=MappingSchema,
    tag="mandate",
)
def get_position_mapping():
    """Admin: each class with its amount in the rule in force and head count, its match rules
    (exact, alias, pattern, echelon; precedence in that order), and the roster positions that
    match no class with how many hold each (they owe the default)."""
    return positions.mapping_overview(api_user())


@endpoint(
    bp,
    API + "/preview",
    "POST",
    summary="Preview a change of the position mapping",
    roles=("admin",),
    body=MappingChange,
    response=PreviewSchema,
    tag="mandate",
)
def preview_position_mapping(data):
    """Admin: what the change would do, nothing saved: head count per class before and after and
    the civil servants whose class or amount changes; 422 for a change that cannot be kept. Save
    it with its `fingerprint` as `confirm`."""
    return positions.preview_mapping(api_user(), data)


@endpoint(
    bp,
    API + "/changes",
    "POST",
    summary="Save a previewed change of the position mapping",
    roles=("admin",),
    body=MappingSave,
    response=MappingSchema,
    tag="mandate",
    errors=[409, 422],
)
def save_position_mapping(data):
    """Admin: store the change previewed (audited); 409 `mapping_changed` when the mapping
    changed since that preview."""
    confirm = data.pop("confirm")
    return positions.save_mapping(api_user(), data, confirm)


# ---------------------------------------------------------------- pages
def _form_change() -> dict[str, Any]:
    form = request.form
    new_class = (form.get("new_class") or "").strip()
    class_name = (form.get("class_name") or "").strip() or new_class
    text = (form.get("text") or "").strip()
    data: dict[str, Any] = {
        "new_classes": [new_class] if new_class else [],
        "add": [{"class_name": class_name, "kind": form.get("kind") or "", "text": text}]
        if text
        else [],
        "remove": [],
    }
    for raw in form.getlist("remove"):
        if not raw.strip().isdigit():
            raise ValidationFailed(_("Aturan yang dihapus tidak dikenal."))
        data["remove"].append(int(raw))
    if not (data["new_classes"] or data["add"] or data["remove"]):
        raise ValidationFailed(_("Tidak ada perubahan."))
    return load_form(MappingChange(), data, message=_("Periksa perubahan pemetaan jabatan."))


@bp.get("/admin/mandate/positions")
def positions_page():
    """Admin: classes with amounts and head counts, their match rules, the unmatched positions on
    the roster, and forms that lead to a preview."""
    user = require_role("admin")
    return render_template(
        "mandate/positions.html",
        mapping=positions.mapping_overview(user),
        kinds=rules.MATCH_KINDS,
    )


@bp.post("/admin/mandate/positions/preview")
def positions_preview_page():
    """Admin: the preview of one change (nothing saved) with the button that saves it."""
    user = require_role("admin")
    change = _form_change()
    return render_template(
        "mandate/positions_preview.html",
        change=change,
        preview=positions.preview_mapping(user, change),
    )


@bp.post("/admin/mandate/positions")
def positions_save_page():
    """Admin: save the previewed change (its fingerprint confirms it)."""
    user = require_role("admin")
    change = _form_change()
    result = positions.save_mapping(user, change, (request.form.get("confirm") or "").strip())
    flash(
        _(
            "Pemetaan jabatan disimpan; %(n)s ASN berubah kelas atau minimal.",
            n=result["changed_total"],
        ),
        "success",
    )
    return redirect(url_for("mandate.positions_page"))
