import pytest

from marketplace.extensions import db
from tests.factories import make_user, make_vendor


@pytest.fixture
def finance(app):
    user = make_user("finance", name="Bendahara Kota")
    db.session.commit()
    return user


@pytest.fixture
def banked_vendor(app):
    """`banked_vendor(**kw)` → a verified shop with complete bank details."""

    def factory(**kw):
        kw.setdefault("bank_name", "Bank Jatim")
        kw.setdefault("bank_account_number", "0011223344")
        kw.setdefault("bank_account_name", "Siti Aminah")
        vendor = make_vendor(**kw)
        db.session.commit()
        return vendor

    return factory
