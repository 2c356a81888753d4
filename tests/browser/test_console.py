"""The staff and förbund pages load without a failed request: nothing the browser asks for
on its own (the icon above all, which every browser fetches) answers 404, and the
console stays free of errors. Signed in as the demo's personal user and administrator,
the way people arrive at these pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from tests.browser.test_staff_journeys import demo_page

#: A request the browser itself gave up because the next page was asked for (Chromium
#: fetches the favicon after the load, so the following `goto` may cancel it). A server
#: that fails answers with a status, which `response` below catches.
ABORTED_BY_BROWSER = "net::ERR_ABORTED"


@dataclass
class Listened:
    """What the browser said while the pages loaded."""

    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def listen(self, page) -> None:
        page.on("console", lambda message: message.type == "error"
                and self.console_errors.append(f"{page.url}: {message.text}"))
        page.on("requestfailed", lambda request: request.failure != ABORTED_BY_BROWSER
                and self.failed.append(f"{request.url}: {request.failure}"))
        page.on("response", lambda response: response.status >= 400 and self.failed.append(
            f"{response.url}: {response.status}"))


def visit(browser, live_server, role, paths: list[str]) -> Listened:
    listened = Listened()
    with demo_page(browser, live_server, role, listen=listened.listen) as (page, _):
        for path in paths:
            page.goto(live_server.url + path, wait_until="networkidle")
    return listened


@pytest.mark.parametrize("role_name, paths", [
    ("STAFF", ["/"]),
    ("ADMIN", ["/forbund/", "/forbund/resultat", "/forbund/instrument"]),
])
def test_no_request_of_a_staff_or_admin_page_fails(browser, live_server, role_name, paths):
    from enkat.models import Role

    listened = visit(browser, live_server, Role[role_name], paths)
    assert listened.failed == []
    assert listened.console_errors == []


#: The demo's results page had 2,388 elements with every table drawn; the four tables
#: whose figures are all 0 (kön "annat" and "uppgift saknas" of försörjning and
#: sysselsättning) took about 350 of them and are now left out. The staff surveys of the
#: demo's utskick, their response rate and "Svar under perioden" brought it to about
#: 2,260; the samhällsnytta part (its sources, payers, återbetalningstid and assumptions,
#: and the form's Horisont and Dödvikt) to about 2,650. The bound leaves room for a table
#: more, and fails if empty tables come back.
RESULTS_ELEMENTS = 2_800


def test_the_results_page_stays_light(browser, live_server):
    from enkat.models import Role

    with demo_page(browser, live_server, Role.ADMIN) as (page, _):
        page.goto(f"{live_server.url}/forbund/resultat")  # the first step offers the report
        report = page.locator("main").get_by_role(
            "link", name=re.compile("^visa rapporten för hela förbundet")).get_attribute("href")
        page.goto(f"{live_server.url}{report}", wait_until="networkidle")
        elements = page.evaluate("document.getElementsByTagName('*').length")
        # the charts are in the page (data: images, drawn from the page's one report), and
        # the Content-Security-Policy lets Chromium show every one of them
        charts = page.evaluate("[...document.querySelectorAll('main img')].map(image => "
                               "[image.src.slice(0, 26), image.naturalWidth])")
    assert charts and all(source == "data:image/svg+xml;base64," and width > 0
                          for source, width in charts), charts
    assert 1_000 < elements < RESULTS_ELEMENTS, elements
