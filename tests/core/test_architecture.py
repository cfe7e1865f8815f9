"""The private-names import contract (tests/architecture.py) catches every way of reaching into
another area, and lets an area use its own private names."""

from __future__ import annotations

import sys
import textwrap

import pytest

from tests.architecture import violations_in


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """A throwaway package `toyshop` with two areas, `ordering` and `payments`."""
    root = tmp_path / "toyshop"
    for area in ("ordering", "payments"):
        (root / area).mkdir(parents=True)
        (root / area / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "ordering" / "checkout.py").write_text("def _lock(): ...\ndef place(): _lock()\n")
    (root / "ordering" / "_helpers.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    def module(name: str, source: str) -> list[str]:
        path = root.joinpath(*name.split(".")[1:]).with_suffix(".py")
        path.write_text(textwrap.dedent(source))
        sys.modules.pop(name, None)
        known = {
            "toyshop.ordering",
            "toyshop.ordering.checkout",
            "toyshop.ordering._helpers",
            "toyshop.payments",
            name,
        }
        return [v.used for v in violations_in(name, "toyshop", known)]

    yield module
    for name in list(sys.modules):
        if name.startswith("toyshop"):
            del sys.modules[name]


@pytest.mark.parametrize(
    "source",
    [
        "from toyshop.ordering.checkout import _lock\n",
        "from toyshop.ordering import checkout\ncheckout._lock()\n",
        "import toyshop.ordering.checkout as co\nco._lock()\n",
        "from toyshop.ordering import _helpers\n",
        "def f():\n    from ..ordering.checkout import _lock\n",
    ],
)
def test_another_areas_private_name_is_a_violation(shop, source):
    assert shop("toyshop.payments.webhooks", source)


@pytest.mark.parametrize(
    "source",
    [
        "from toyshop.ordering.checkout import place\n",
        "from toyshop.ordering import checkout\ncheckout.place()\n",
        "from toyshop.ordering.checkout import __doc__\n",
    ],
)
def test_public_names_of_another_area_are_fine(shop, source):
    assert shop("toyshop.payments.webhooks", source) == []


def test_an_area_may_use_its_own_private_names(shop):
    source = "from toyshop.ordering.checkout import _lock\nfrom . import _helpers\n"
    assert shop("toyshop.ordering.refunds", source) == []
