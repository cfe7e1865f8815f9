"""The shopkeeper's own shop profile: which shop the caller owns and its editable fields.
Every other shop module finds the caller's shop through `get_own_vendor`."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.shops.errors import ShopNotFound
from marketplace.shops.models import Vendor

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


SHOP_FIELDS = (
    "name",
    "description",
    "phone",
    "npwp",
    "address",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
)


def get_own_vendor(user) -> Vendor:
    """The shop owned by `user`; ShopNotFound (404) when the user has none."""
    vendor = db.session.scalar(select(Vendor).where(Vendor.owner_id == user.id))
    if vendor is None:
        raise ShopNotFound(_("Anda belum punya toko."))
    return vendor


def get_shop(user) -> Vendor:
    """The caller's shop profile."""
    return get_own_vendor(user)


def update_shop(user, data: dict[str, Any]) -> Vendor:
    """Change the editable profile fields of the caller's shop (never status, NIB or class)."""
    vendor = get_own_vendor(user)
    for key in SHOP_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in ("name", "address"):
            if not value:
                raise ValidationFailed(details={key: [_("Wajib diisi.")]})
        else:
            value = value or None  # a cleared optional field is stored as NULL
        setattr(vendor, key, value)
    db.session.commit()
    return vendor
