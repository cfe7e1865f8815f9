"""Product flags under the city's review: PDN (with TKDN), local product and VAT-exempt.

The shop *claims* a flag (product form, API, CSV import); a claim of true or a changed TKDN waits
in the admin's queue and counts for nothing until approved, while taking a flag back applies at
once (`rules.claim_action`). The approved values are the product's own `is_pdn`,
`is_local_product`, `vat_exempt` and `tkdn_bps`: what checkout freezes on the order line and the
catalogue shows. Decisions are audited with a reason and the shop is notified.

`claim_flags` only flushes (the product services and the import call it inside their own
transaction); `approve_flags` and `reject_flags` commit once.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.api import Page, paginate
from marketplace.audit.models import record_audit

# A module reference, not names: catalog.models and shops.models import each other lazily.
from marketplace.catalog import models as catalog
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.shops import rules

_ = gettext

# The API's and the form's field for each flag's claim (PDN carries `tkdn_bps` beside it).
CLAIM_COLUMNS = {
    "is_pdn": "claimed_pdn",
    "is_local_product": "claimed_local_product",
    "vat_exempt": "claimed_vat_exempt",
}


class NoPendingReview(Conflict):
    code, message = "no_pending_review", "Tidak ada klaim yang menunggu tinjauan."


class NotBasicNecessity(ValidationFailed):
    """VAT exemption approved only for the basic necessities of PP 49/2022."""

    code = "not_basic_necessity"
    message = "Bebas PPN hanya untuk barang kebutuhan pokok PP 49/2022."


def _withdraw_pending(product: catalog.Product, flag: str) -> None:
    for review in product.flag_reviews:
        if review.flag == flag and review.status == "pending":
            review.status = "withdrawn"
            review.decided_at = utcnow()


def _queue_claim(actor, product: catalog.Product, flag: str, tkdn_bps: int | None) -> None:
    product.flag_reviews.append(
        catalog.ProductFlagReview(
            flag=flag,
            tkdn_bps=tkdn_bps,
            status="pending",
            claimed_by_id=actor.id if actor else None,
        )
    )


def claim_flags(actor, product: catalog.Product, data: dict[str, Any]) -> list[str]:
    """Apply the flag claims in `data` (`is_pdn`, `tkdn_bps`, `is_local_product`, `vat_exempt`;
    absent keys keep the current claim) to a product of the actor's shop. Returns the flags sent
    to review. TKDN without PDN is refused (422). Flushes only."""
    tkdn = data.get("tkdn_bps", product.claimed_tkdn_bps)
    pdn = data.get("is_pdn", product.claimed_pdn)
    if "tkdn_bps" in data and data["tkdn_bps"] is not None and not pdn:
        raise ValidationFailed(
            details={"tkdn_bps": [_("TKDN hanya diisi untuk produk dalam negeri (PDN).")]}
        )
    if product.id is None:
        db.session.add(product)
        db.session.flush()
    to_review: list[str] = []
    for flag, column in CLAIM_COLUMNS.items():
        on = pdn if flag == "is_pdn" else data.get(flag, getattr(product, column))
        new = rules.flag_value(flag, bool(on), tkdn)
        action = rules.claim_action(new, product.claimed(flag), product.effective(flag))
        if action == rules.KEEP:
            continue
        _withdraw_pending(product, flag)
        setattr(product, column, new[0])
        if flag == "is_pdn":
            product.claimed_tkdn_bps = new[1]
        if action == rules.APPLY:
            setattr(product, flag, new[0])
            if flag == "is_pdn":
                product.tkdn_bps = new[1]
            continue
        _queue_claim(actor, product, flag, new[1])
        to_review.append(flag)
    db.session.flush()
    return to_review


def reopen_claims(actor, product: catalog.Product) -> list[str]:
    """The product became another thing (new name or category): what the city approved was about
    the old one, so each approved flag goes back to a pending claim (a renamed "Beras" must not
    stay VAT-exempt as "Cokelat Swiss"). Returns the reopened flags. Flushes only."""
    reopened = []
    for flag in rules.FLAGS:
        if not product.effective(flag)[0]:
            continue
        _withdraw_pending(product, flag)
        setattr(product, flag, False)
        if flag == "is_pdn":
            product.tkdn_bps = None
        _queue_claim(actor, product, flag, product.claimed(flag)[1])
        reopened.append(flag)
    db.session.flush()
    return reopened


def flag_states(product: catalog.Product) -> dict[str, dict[str, Any]]:
    """Each flag's review state for the shop: claimed value, approved value, state (pending,
    approved, rejected or None) and the reason of the last decision."""
    states = {}
    for flag in rules.FLAGS:
        latest = product.latest_review(flag)
        claimed, claimed_tkdn = product.claimed(flag)
        state = rules.flag_state(claimed, latest.status if latest else None)
        states[flag] = {
            "claimed": claimed,
            "approved": product.effective(flag)[0],
            "status": state,
            "reason": latest.reason if latest and state == "rejected" else None,
            "tkdn_bps": claimed_tkdn if flag == "is_pdn" else None,
        }
    return states


# ---------------------------------------------------------------- the admin's queue
def _pending_exists():
    return exists().where(
        catalog.ProductFlagReview.product_id == catalog.Product.id,
        catalog.ProductFlagReview.status == "pending",
    )


def pending_count() -> int:
    """How many products have a claim waiting (for the admin dashboard)."""
    return db.session.scalar(select(func.count(catalog.Product.id)).where(_pending_exists())) or 0


def list_pending(page: int = 1, per_page: int = 20) -> Page:
    """Products with at least one claim waiting, the longest waiting first."""
    first_claim = (
        select(func.min(catalog.ProductFlagReview.created_at))
        .where(
            catalog.ProductFlagReview.product_id == catalog.Product.id,
            catalog.ProductFlagReview.status == "pending",
        )
        .scalar_subquery()
    )
    stmt = (
        select(catalog.Product)
        .where(_pending_exists())
        .options(
            selectinload(catalog.Product.vendor),
            selectinload(catalog.Product.category),
            selectinload(catalog.Product.flag_reviews),
        )
        .order_by(first_claim, catalog.Product.id)
    )
    return paginate(stmt, page, per_page)


def pending_reviews(product: catalog.Product) -> list[catalog.ProductFlagReview]:
    return [r for r in product.flag_reviews if r.status == "pending"]


def review_item(product: catalog.Product) -> dict[str, Any]:
    """One queue entry: the product, its shop, the pending claims and the PP 49/2022 good its
    name and category match (None = VAT exemption cannot be approved)."""
    return {
        "product_id": product.id,
        "name": product.name,
        "category": product.category.slug,
        "vendor": {"id": product.vendor.id, "name": product.vendor.name},
        "made_in_city": product.vendor.made_in_city,
        "basic_necessity": rules.basic_necessity_of(product.name, product.category.slug),
        "pending": [
            {"flag": r.flag, "tkdn_bps": r.tkdn_bps, "claimed_at": r.created_at}
            for r in pending_reviews(product)
        ],
        "approved": {flag: product.effective(flag)[0] for flag in rules.FLAGS},
        "tkdn_bps": product.tkdn_bps,
    }


def _snapshot(product: catalog.Product) -> dict[str, Any]:
    return {
        "is_pdn": product.is_pdn,
        "tkdn_bps": product.tkdn_bps,
        "is_local_product": product.is_local_product,
        "vat_exempt": product.vat_exempt,
    }


def _decide(
    actor: User, product_id: int, approve: bool, flags: list[str] | None, reason: str | None
) -> catalog.Product:
    product = db.session.scalar(
        select(catalog.Product).where(catalog.Product.id == product_id).with_for_update()
    )
    if product is None:
        raise NotFound(_("Produk tidak ditemukan."))
    reason = (reason or "").strip()[:500] or None
    if not approve and not reason:
        raise ValidationFailed(details={"reason": [_("Tulis alasan penolakan.")]})
    wanted = set(flags or rules.FLAGS)
    reviews = [r for r in pending_reviews(product) if r.flag in wanted]
    if not reviews:
        raise NoPendingReview(_("Tidak ada klaim produk ini yang menunggu tinjauan."))
    exemption = approve and any(r.flag == "vat_exempt" for r in reviews)
    if exemption and rules.basic_necessity_of(product.name, product.category.slug) is None:
        raise NotBasicNecessity(
            _(
                "%(name)s bukan barang kebutuhan pokok PP 49/2022; klaim bebas PPN tidak "
                "dapat disetujui.",
                name=product.name,
            ),
            details={"vat_exempt": [_("Bukan barang kebutuhan pokok PP 49/2022.")]},
        )
    before = _snapshot(product)
    now = utcnow()
    for review in reviews:
        review.status = "approved" if approve else "rejected"
        review.reason = reason
        review.reviewer_id = actor.id
        review.decided_at = now
        if approve:
            setattr(product, review.flag, True)
            if review.flag == "is_pdn":
                product.tkdn_bps = review.tkdn_bps
        else:  # the claim goes back to what was approved; the shop may claim again
            setattr(product, CLAIM_COLUMNS[review.flag], getattr(product, review.flag))
            if review.flag == "is_pdn":
                product.claimed_tkdn_bps = product.tkdn_bps
    decided = sorted(r.flag for r in reviews)
    record_audit(
        actor,
        "product.flags_approve" if approve else "product.flags_reject",
        "product",
        product.id,
        before={**before, "flags": decided},
        after=_snapshot(product),
        reason=reason,
    )
    _notify_shop(product, approve, decided, reason)
    db.session.commit()
    return product


FLAG_LABELS = {
    "is_pdn": "PDN",
    "is_local_product": "produk lokal",
    "vat_exempt": "bebas PPN",
}


def _notify_shop(product: catalog.Product, approve: bool, flags: list[str], reason: str | None):
    from marketplace.notifications.services import notify

    labels = ", ".join(_(FLAG_LABELS[f]) for f in flags)
    if approve:
        title = _("Klaim %(flags)s untuk %(name)s disetujui", flags=labels, name=product.name)
    else:
        title = _("Klaim %(flags)s untuk %(name)s ditolak", flags=labels, name=product.name)
    notify(
        product.vendor.owner,
        "product.flags_approved" if approve else "product.flags_rejected",
        title,
        reason or "",
        f"/shop/products/{product.id}/edit",
    )


def approve_flags(
    actor: User, product_id: int, flags: list[str] | None = None, reason: str | None = None
) -> catalog.Product:
    """Admin approves a product's pending claims (all, or `flags`): they take effect for new
    sales. 404 unknown product, 409 no_pending_review, 422 not_basic_necessity when VAT
    exemption is asked for goods outside PP 49/2022. Audited; the shop is notified."""
    return _decide(actor, product_id, True, flags, reason)


def reject_flags(
    actor: User, product_id: int, flags: list[str] | None = None, reason: str | None = None
) -> catalog.Product:
    """Admin rejects a product's pending claims with a reason (422 without one); the claims go
    back to the approved values. 404, 409 no_pending_review. Audited; the shop is notified."""
    return _decide(actor, product_id, False, flags, reason)
