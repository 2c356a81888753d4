"""Issued links in a real Chromium against `enkat serve`: the personal user makes a link on
the link page, choosing the mätpunkt in words after the enkät, finds it on the insats'
links list and revokes it after the page that asks; the deltagare, opening the link in a
browser of their own, is told it no longer works. axe-core runs on each new page state."""

from __future__ import annotations

import re

from tests.browser.conftest import TABLET
from tests.browser.pages import describe, run_axe, serious
from tests.browser.test_staff_journeys import DESKTOP, ORS_TITLE, click_and_wait, sign_in


def test_a_link_made_then_revoked_no_longer_opens_for_the_deltagare(
        browser, live_server, axe_source):
    _, email, codes = live_server.kiosk_insats()
    url = live_server.url
    staff = browser.new_context(**DESKTOP)
    deltagare = browser.new_context(**TABLET, locale="sv-SE")  # the deltagare's own
    failing: dict[str, list[dict]] = {}

    def audit(name: str, page) -> None:
        found = serious(run_axe(page, axe_source))
        if found:
            failing[name] = found

    try:
        page = staff.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, url, email)
        page.goto(f"{url}/insatser/torget/lankar/ny")
        audit("link form", page)
        assert page.locator("#timepoint").count() == 0
        page.locator("#instrument").select_option(label=ORS_TITLE)
        page.locator("#code").fill(codes[0])
        click_and_wait(page, page.get_by_role("button", name="Visa mätpunkter"))
        audit("link form with mätpunkter", page)
        options = page.locator("#timepoint option").all_inner_texts()
        assert options == ["Välj mätpunkt", "Samtal 1", "Samtal 2", "Samtal 3"], options
        page.locator("#timepoint").select_option(label="Samtal 1")
        click_and_wait(page, page.get_by_role("button", name="Skapa länk"))
        link = page.locator("#link-url").input_value()
        assert "Samtal 1" in page.locator("main dl.facts").inner_text()

        page.goto(f"{url}/insatser/torget/lankar")
        audit("links list", page)
        row = page.locator("main table.links tbody tr").filter(has_text=codes[0])
        assert "Oanvänd" in row.inner_text() and "Samtal 1" in row.inner_text()
        click_and_wait(page, row.get_by_role("link", name=re.compile("^Återkalla")))
        audit("revoke, asked", page)
        assert page.locator("main h1").inner_text().startswith("Återkalla länken till ORS")
        click_and_wait(page, page.get_by_role("button", name="Återkalla länken"))
        audit("links list, revoked", page)
        assert "är återkallad" in page.locator("main").inner_text()
        row = page.locator("main table.links tbody tr").filter(has_text=codes[0])
        assert "Återkallad" in row.inner_text()
        assert row.get_by_role("link", name=re.compile("^Återkalla")).count() == 0
        page.set_viewport_size({"width": 390, "height": 844})  # a phone: no sideways scroll
        for path in ("lankar", "lankar/ny"):
            page.goto(f"{url}/insatser/torget/{path}")
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 390, f"{path}: {wide} px wide at 390 px"

        phone = deltagare.new_page()
        opened = phone.goto(link)
        assert opened.status == 410
        assert phone.locator("main h1").inner_text() == "Länken gäller inte längre"
        assert "dragit tillbaka" in phone.locator("main").inner_text()
        audit("revoked link, deltagare", phone)
    finally:
        staff.close()
        deltagare.close()
    assert not failing, "\n".join(f"{name}:\n{describe(found)}"
                                  for name, found in failing.items())
