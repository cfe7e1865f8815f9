"""What every template must get right, read from the template sources themselves (SPEC §5):
POST forms carry a CSRF token, nothing user-supplied is marked safe, no inline script (the CSP
forbids it), every page has a title, and destructive actions ask for confirmation first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
ALL = sorted(TEMPLATES.rglob("*.html"))
NAMES = [str(p.relative_to(TEMPLATES)) for p in ALL]

FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""method\s*=\s*["']?post\b""", re.IGNORECASE)
CSRF = re.compile(r"csrf_token\(\)|\bm\.csrf\(\)|\bcsrf\(\)")


def _source(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _post_forms(text: str):
    """(line, opening tag, body up to </form>) of every POST form in a template."""
    for match in FORM.finditer(text):
        tag = match.group(0)
        if POST.search(tag):
            end = text.find("</form>", match.end())
            yield (
                _line(text, match.start()),
                tag,
                text[match.end() : end if end >= 0 else len(text)],
            )


def test_the_templates_folder_holds_the_pages():
    assert len(ALL) > 40 and "base.html" in NAMES and "macros.html" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_post_form_carries_a_csrf_token(name):
    text = _source(name)
    missing = [f"{name}:{line}" for line, _tag, body in _post_forms(text) if not CSRF.search(body)]
    assert not missing, f"POST forms without csrf_token: {missing}"


def test_the_csrf_macros_put_the_token_in_the_form():
    macros = _source("macros.html")
    csrf = re.search(r"macro csrf\(\).*?endmacro", macros, re.DOTALL).group(0)
    assert 'name="csrf_token"' in csrf and "csrf_token()" in csrf
    confirm = re.search(r"macro confirm_button\(.*?endmacro", macros, re.DOTALL).group(0)
    assert 'name="csrf_token"' in confirm and "data-confirm=" in confirm


@pytest.mark.parametrize("name", NAMES)
def test_no_template_marks_output_safe_or_turns_autoescape_off(name):
    text = _source(name)
    offending = re.findall(r"\|\s*safe\b|autoescape\s+false|\bMarkup\b", text)
    assert not offending, f"{name}: {offending}"


def test_markup_is_built_in_python_only_by_the_escaping_chart_helpers():
    users = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "marketplace").rglob("*.py")
        if re.search(r"\bMarkup\(", p.read_text(encoding="utf-8"))
    )
    assert users == ["marketplace/finance/charts.py"]


def test_chart_labels_from_user_data_are_escaped():
    from marketplace.finance.charts import cumulative_chart, opd_bars

    evil = '<script>alert("x")</script>'
    bars = str(
        opd_bars([{"opd_code": evil, "label": evil, "total": 5, "umk": 1}], evil, {"total": evil})
    )
    months = str(
        cumulative_chart(
            [{"period": "2026-01", "label": evil, "cumulative_umk": 3}],
            "umk",
            10,
            evil,
            {"realised": evil, "target": evil},
        )
    )
    for svg in (bars, months):
        assert "<script>" not in svg and "&lt;script&gt;" in svg


@pytest.mark.parametrize("name", NAMES)
def test_no_inline_script_or_event_handler_since_the_csp_forbids_them(name):
    text = _source(name)
    inline = [
        _line(text, m.start())
        for m in re.finditer(r"<script\b[^>]*>", text, re.IGNORECASE)
        if "src=" not in m.group(0)
    ]
    handlers = [
        _line(text, m.start())
        for m in re.finditer(r"""\son[a-z]+\s*=\s*["']""", text, re.IGNORECASE)
    ]
    js_urls = [_line(text, m.start()) for m in re.finditer(r"javascript:", text, re.IGNORECASE)]
    assert not inline and not handlers and not js_urls, (name, inline, handlers, js_urls)


PAGES = [n for n in NAMES if re.search(r"""\{%-?\s*extends\s+["']base\.html["']""", _source(n))]


def test_most_templates_are_pages_that_extend_the_base():
    assert len(PAGES) > 30


@pytest.mark.parametrize("name", PAGES)
def test_every_page_sets_a_non_empty_title(name):
    match = re.search(r"\{%-?\s*block title\s*-?%\}(.*?)\{%-?\s*endblock", _source(name), re.DOTALL)
    assert match, f"{name} extends base.html without a title block"
    assert match.group(1).strip(), f"{name} has an empty title block"


# Actions that cannot be taken back (or that move money) and the confirmation they need:
# each endpoint below, wherever a template posts to it, must sit in a form with data-confirm
# (m.confirm_button adds one).
DESTRUCTIVE = {
    "ordering.order_cancel": "cancel an order",
    "ordering.finance_refund": "refund an order (finance)",
    "vendor.reject_order_page": "reject an order",
    "vendor.product_active_page": "deactivate a product",
    "payouts.finance_mark_paid": "mark a payout paid",
    "payouts.finance_cancel": "cancel a payout",
    "payouts.finance_retry": "send a Stripe transfer again",
    "payouts.finance_run_payouts": "run payouts",
    "vendor.admin_suspend_vendor": "suspend a vendor",
    "vendor.admin_verify_vendor": "verify a vendor",
    "mandate.rules_page": "set mandate rules",
    "accounts.revoke_token_page": "revoke an API token",
}


def _confirmed_actions():
    """endpoint → [(template:line, confirmed?)] for every POST to an endpoint named in DESTRUCTIVE."""
    found: dict[str, list[tuple[str, bool]]] = {}
    for name in NAMES:
        text = _source(name)
        for line, tag, _body in _post_forms(text):
            for endpoint in DESTRUCTIVE:
                if f"'{endpoint}'" in tag or f'"{endpoint}"' in tag:
                    found.setdefault(endpoint, []).append((f"{name}:{line}", "data-confirm" in tag))
        for match in re.finditer(r"confirm_button\(\s*url_for\(\s*['\"]([\w.]+)['\"]", text):
            found.setdefault(match.group(1), []).append(
                (f"{name}:{_line(text, match.start())}", True)
            )
    return found


@pytest.mark.parametrize("endpoint", sorted(DESTRUCTIVE))
def test_destructive_action_asks_for_confirmation_first(endpoint):
    places = _confirmed_actions().get(endpoint)
    assert places, f"no page offers the action to {DESTRUCTIVE[endpoint]} ({endpoint})"
    unconfirmed = [where for where, confirmed in places if not confirmed]
    assert not unconfirmed, f"{DESTRUCTIVE[endpoint]} without confirmation at {unconfirmed}"


def test_the_confirmation_is_enforced_by_the_site_script():
    script = (ROOT / "static" / "js" / "app.js").read_text(encoding="utf-8")
    assert "data-confirm" in script and "window.confirm" in script and "preventDefault" in script
