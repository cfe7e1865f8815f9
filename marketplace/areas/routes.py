"""HTTP routes of areas: the city's kelurahan (API, for forms and clients), and the admin's
list of unresolved area references with a way to settle each (API and page)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.api import endpoint, require_role
from marketplace.areas import bp, rules, services
from marketplace.areas.schemas import AreaQuery, AreaSchema, SettleSchema, UnresolvedAreaSchema

TAG = "areas"


@endpoint(
    bp,
    "/areas",
    summary="The city's kelurahan/desa",
    public=True,
    query=AreaQuery,
    response=AreaSchema,
    many=True,
    tag=TAG,
)
def list_areas(args):
    """Every kelurahan/desa of the configured city (PEKEN_CITY) by kecamatan and name, with its
    Kemendagri code and postal code; `?kecamatan=` (a name or code) narrows to one kecamatan."""
    groups = services.area_choices()
    wanted = args.get("kecamatan")
    return [
        area
        for kec, areas in groups
        if not wanted
        or kec.code == wanted.strip()
        or rules.match_key(kec.name) == rules.match_key(wanted)
        for area in areas
    ]


@endpoint(
    bp,
    "/admin/areas/unresolved",
    summary="Area references to settle",
    roles=("admin",),
    response=UnresolvedAreaSchema,
    many=True,
    tag=TAG,
)
def list_unresolved():
    """Rows whose kelurahan name the area-code migration could not match to one area."""
    return services.list_unresolved()


@endpoint(
    bp,
    "/admin/areas/unresolved/<int:reference_id>/settle",
    "POST",
    summary="Settle an area reference",
    roles=("admin",),
    body=SettleSchema,
    response=UnresolvedAreaSchema,
    errors=[404],
    tag=TAG,
)
def settle_unresolved(reference_id, data):
    """Choose the area (by code) an unresolved reference means; audited."""
    return services.settle_reference(require_role("admin"), reference_id, data["code"])


# ================================================================= pages
@bp.get("/admin/areas/unresolved")
def admin_unresolved_page():
    """The unresolved references, each with the areas it could mean (or every area)."""
    require_role("admin")
    refs = services.list_unresolved()
    return render_template(
        "areas/unresolved.html",
        refs=[(ref, services.candidate_areas(ref)) for ref in refs],
        groups=services.area_choices() if refs else [],
    )


@bp.post("/admin/areas/unresolved/<int:reference_id>/settle")
def admin_settle_page(reference_id: int):
    """Settle one reference from the page."""
    ref = services.settle_reference(
        require_role("admin"), reference_id, request.form.get("code", "")
    )
    flash(_("Wilayah %(code)s dipilih.", code=ref.settled_code), "success")
    return redirect(url_for("areas.admin_unresolved_page"))
