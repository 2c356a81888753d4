"""The workspace at real size in a real Chromium: a staff member of the seeded förbund
(`tests/scale.py`: 2,000 deltagare, 15 insatser, 40 staff) filters, sorts and pages
through the due list and the deltagare list with the forms and links alone; axe finds
nothing serious on any state of them; and every staff page fits a 390 px phone without
scrolling sideways."""

from __future__ import annotations

import re

import pytest

from tests import scale
from tests.browser.pages import describe, serious
from tests.browser.test_staff_journeys import DESKTOP, click_and_wait, sign_in

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "sv-SE"}


@pytest.fixture(scope="module")
def seeded(live_server) -> tuple[str, str]:
    """The seeded förbund in the served database (committed): the first insats of the
    staff member and a deltagare code in it."""
    from sqlalchemy import select

    from enkat.extensions import db
    from enkat.models import Enrolment, Participant
    from enkat.services.answering.drafts import local_today

    with live_server.app.app_context():
        made = scale.build(local_today())
        db.session.commit()
        insats = made.insatser[0]
        code = db.session.scalar(
            select(Participant.code).join(Enrolment).where(Enrolment.insats_id == insats.id)
            .order_by(Participant.code).limit(1))
        return insats.slug, code


def shown(page) -> str:
    return page.locator("main p[role=status]").inner_text()


def first_codes(page) -> list[str]:
    return page.locator("main table tbody th a").all_inner_texts()


def cells_out_of_their_rows(page) -> list[str]:
    """The cells of the page's table rows that do not fill their rows, top to bottom (the
    rows they span): laid out as something else than a table cell (a flex `td` left the
    row's border and height)."""
    return page.evaluate("""() => {
        const rows = [...document.querySelectorAll('main tbody tr')];
        const off = (a, b) => Math.abs(a - b) > 1;
        return rows.flatMap((row, index) => [...row.cells].filter(cell => {
            const box = cell.getBoundingClientRect();
            const last = rows[index + cell.rowSpan - 1].getBoundingClientRect();
            return off(box.top, row.getBoundingClientRect().top) || off(box.bottom, last.bottom);
        }).map(cell => `${row.cells[0].innerText}: ${cell.outerHTML}`));
    }""")


def test_staff_filter_sort_and_page_through_the_due_and_deltagare_lists(
        browser, live_server, seeded, axe_source):
    from tests.browser.pages import run_axe

    slug, _ = seeded
    url = live_server.url
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(15_000)
    found: dict[str, list[dict]] = {}
    page = context.new_page()

    def audit(name: str) -> None:
        found[name] = serious(run_axe(page, axe_source))

    try:
        sign_in(page, url, scale.STAFF_EMAIL, scale.STAFF_PASSWORD)
        page.goto(f"{url}/insatser/{slug}")
        audit("insats page")
        overdue = int(page.locator("main .counts a", has_text="försenade")
                      .locator("strong").inner_text())

        # the due list: only the overdue, then by code, then the next page
        click_and_wait(page, page.locator("main nav.subnav").get_by_role("link", name="Att göra"))
        audit("due list")
        assert not cells_out_of_their_rows(page)
        page.locator("#filter-status").select_option(label="Försenade")
        click_and_wait(page, page.get_by_role("button", name="Visa"))
        assert "status=forsenade" in page.url
        assert re.search(rf"\b{overdue} deltagare$", shown(page)), shown(page)
        assert page.locator("main h2").all_inner_texts() == ["Försenade"]
        audit("due list, overdue")
        click_and_wait(page, page.locator("main thead").first.get_by_role("link",
                                                                          name="Deltagare"))
        codes = first_codes(page)
        assert codes == sorted(codes) and len(codes) == 25
        assert page.locator("main th[aria-sort=ascending]").first.inner_text().startswith(
            "Deltagare")
        audit("due list, overdue, by code")
        click_and_wait(page, page.locator("main nav.pager").get_by_role("link", name="Nästa"))
        assert "sida=2" in page.url and "status=forsenade" in page.url and "sortera=kod" in page.url
        assert first_codes(page)[0] > codes[-1]
        assert shown(page).startswith("Visar 26–")
        audit("due list, overdue, by code, page 2")

        # the deltagare list: the ended ones, by latest ORS, highest first; the last page
        click_and_wait(page, page.locator("main nav.subnav").get_by_role("link",
                                                                          name="Deltagare"))
        audit("deltagare list")
        assert page.locator("main td.row-actions a").count()
        assert not cells_out_of_their_rows(page)
        page.locator("#filter-status").select_option(label="Avslutade")
        page.locator("#list-search").fill("s0")
        click_and_wait(page, page.get_by_role("button", name="Visa"))
        assert all(text.startswith("Avslutad") for text in
                   page.locator("main tbody td:nth-of-type(1)").all_inner_texts())
        audit("deltagare list, ended")
        ors = page.locator("main thead").get_by_role("link", name="Senaste ORS")
        click_and_wait(page, ors)
        click_and_wait(page, page.locator("main thead").get_by_role("link", name="Senaste ORS"))
        assert page.locator("main th[aria-sort=descending]").inner_text().startswith(
            "Senaste ORS")
        audit("deltagare list, ended, by ORS")
        click_and_wait(page, page.get_by_role("link", name="Visa alla"))
        assert "status" not in page.url and "sok" not in page.url
        pager = page.locator("main nav.pager li a")
        click_and_wait(page, pager.nth(pager.count() - 2))  # the last page's number
        total = re.search(r"av (\d+) deltagare", shown(page)).group(1)
        assert shown(page).endswith(f"–{total} av {total} deltagare")
        audit("deltagare list, last page")
    finally:
        context.close()
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, "\n".join(f"{name}: {describe(v)}" for name, v in failing.items())


def test_every_staff_page_fits_a_390_px_phone(browser, live_server, seeded, axe_source):
    """No page scrolls sideways (a table too wide scrolls in its own box), and axe finds
    nothing serious at this size either (a box that scrolls must be reachable)."""
    from tests.browser.pages import run_axe

    slug, code = seeded
    url = live_server.url
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    wide: dict[str, int] = {}
    failing: dict[str, list[dict]] = {}
    try:
        sign_in(page, url, scale.STAFF_EMAIL, scale.STAFF_PASSWORD)
        for path in ("/", f"/insatser/{slug}", f"/insatser/{slug}/att-gora",
                     f"/insatser/{slug}/att-gora?status=forsenade&sortera=kod",
                     f"/insatser/{slug}/deltagare",
                     f"/insatser/{slug}/deltagare?status=avslutade&sortera=senaste-ors",
                     f"/insatser/{slug}/svar", f"/insatser/{slug}/registrera",
                     f"/insatser/{slug}/rapporter/ny", f"/deltagare/{code}", "/kiosk/starta"):
            response = page.goto(f"{url}{path}")
            assert response.status == 200, path
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > 390:
                wide[path] = width
            if violations := serious(run_axe(page, axe_source)):
                failing[path] = violations
    finally:
        context.close()
    assert not wide, f"wider than 390 px: {wide}"
    assert not failing, "\n".join(f"{path}: {describe(v)}" for path, v in failing.items())
