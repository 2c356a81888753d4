"""axe-core on every respondent page, in Swedish and Arabic (right to left): the start
page, a question of every item type, the review, the thank-you page, an unknown link (404)
and a used link (410). Any violation of serious or critical impact fails its page."""

from __future__ import annotations

import re
from functools import partial

import pytest

from tests.browser.conftest import TABLET
from tests.browser.pages import describe, run_axe, serious

LANGUAGES = ["sv", "ar"]
ITEM_TYPES = ["info", "single", "multiple", "ordinal", "vas", "number", "date", "yesno",
              "text", "longtext"]
PAGES = ["start", *ITEM_TYPES, "review", "thanks", "unknown-link", "used-link"]

#: Pages with violations the app has (found by these tests), as (language, page): reason.
#: Empty while the pages are clean; an entry turns its test into a strict xfail.
KNOWN = {}


def _audit(page, axe_source, language, found, name, status=None, response=None):
    html = page.locator("html")
    found[(language, name)] = {
        "url": page.url, "status": response.status if response else None,
        "expected": status, "lang": html.get_attribute("lang"),
        "dir": html.get_attribute("dir"), "violations": run_axe(page, axe_source)}


@pytest.fixture(scope="module")
def audits(browser, live_server, axe_source):
    """Walks the every-type instrument once per language; each page's axe violations."""
    found: dict[tuple[str, str], dict] = {}
    for language in LANGUAGES:
        context = browser.new_context(**TABLET, locale="sv-SE")
        context.set_default_timeout(10_000)
        page = context.new_page()
        link, _ = live_server.link("webbtest-alla", "avslut")

        audit = partial(_audit, page, axe_source, language, found)
        audit("start", response=page.goto(f"{link}?lang={language}"))
        page.locator("main a[href*='/fraga/']").first.tap()
        page.wait_for_url(re.compile(r"/fraga/"))
        while "/fraga/" in page.url:
            key = page.url.rsplit("/", 1)[-1]
            audit(key)
            if page.locator("main .info").count():  # an info item shares its next item's page
                found[(language, "info")] = found[(language, key)]
            page.locator("button[value=next]").tap()
            page.wait_for_url(lambda url, left=page.url: url != left)
        page.wait_for_url(re.compile(r"/granska$"))
        audit("review")
        page.locator("main form button[type=submit]").tap()
        page.wait_for_url(re.compile(r"/tack$"))
        audit("thanks")
        audit("used-link", 410, page.goto(link))
        audit("unknown-link", 404, page.goto(f"{live_server.url}/s/okand-lank-{language}"))
        context.close()
    return found


def _cases():
    for language in LANGUAGES:
        for name in PAGES:
            marks = ()
            if (language, name) in KNOWN:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN[(language, name)])
            yield pytest.param(language, name, id=f"{language}-{name}", marks=marks)


@pytest.mark.parametrize(("language", "name"), list(_cases()))
def test_no_serious_or_critical_axe_violations(audits, language, name):
    audit = audits[(language, name)]
    if audit["expected"]:
        assert audit["status"] == audit["expected"], audit["url"]
    problems = serious(audit["violations"])
    assert not problems, f"{language} {name} ({audit['url']}):\n{describe(problems)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_says_its_language_and_direction(audits, language):
    direction = "rtl" if language == "ar" else "ltr"
    wrong = {name: (audit["lang"], audit["dir"]) for (spoken, name), audit in audits.items()
             if spoken == language and (audit["lang"], audit["dir"]) != (language, direction)}
    assert not wrong, wrong
