import pytest

from marketplace.areas.services import import_areas


@pytest.fixture
def surabaya(app):
    """Every kecamatan and kelurahan of Kota Surabaya (35.78), loaded as `import-areas` does."""
    return import_areas(None, city="35.78")
