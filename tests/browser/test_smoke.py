"""The browser stack itself: Debian's Chromium driven by Playwright against the live app."""


def test_api_docs_page_renders_in_chromium_on_a_phone_screen(page, live_server):
    page.goto(f"{live_server}/api/v1/docs")
    assert page.locator("h1").first.inner_text().startswith("Peken marketplace API")
    # nothing wider than the phone viewport
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
