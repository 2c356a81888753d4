"""The report's PDF asked for in Chromium through `enkat serve` (gunicorn and the worker
it starts) with the demo's data: the page "Filen förbereds" reloads itself, with no
JavaScript of ours, until it offers the file, and the file downloads; axe finds nothing
serious on the page that offers it. Screenshots of the waiting and the ready page are
kept for a person to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.browser.pages import describe, run_axe, serious
from tests.browser.test_staff_journeys import demo_page

#: Where the screenshots go (ENKAT_SCREENSHOTS to keep them elsewhere).
SHOTS = Path(os.environ.get("ENKAT_SCREENSHOTS", "/tmp/enkat-screenshots/downloads"))
#: The demo's PDF takes seconds on a quiet machine and the page reloads every 3 s; allow
#: for a busy one.
READY_TIMEOUT_MS = 240_000


def test_the_pdf_is_prepared_offered_and_downloaded(browser, live_server, axe_source):
    from enkat.models import Role

    SHOTS.mkdir(parents=True, exist_ok=True)
    with demo_page(browser, live_server, Role.ADMIN) as (page, _):
        page.goto(f"{live_server.url}/forbund/resultat?period=ar&visa=forbund")
        page.get_by_role("link", name="PDF", exact=True).click()
        page.wait_for_url(re.compile(r"/forbund/filer/\d+$"))
        waiting = page.url
        heading = page.locator("h1")
        if heading.inner_text() == "Filen förbereds":
            page.screenshot(path=str(SHOTS / "filen-forbereds.png"), full_page=True)
            assert page.locator('meta[http-equiv="refresh"]').count() == 1
        page.locator("h1", has_text="Filen är klar").wait_for(timeout=READY_TIMEOUT_MS)
        assert page.url == waiting  # reloaded in place, by the meta refresh
        page.screenshot(path=str(SHOTS / "filen-ar-klar.png"), full_page=True)
        violations = serious(run_axe(page, axe_source))
        assert not violations, describe(violations)
        with page.expect_download() as offered:
            page.get_by_role("link", name=re.compile("^Ladda ner rapport-")).click()
        download = offered.value
        assert re.fullmatch(r"rapport-[a-z0-9-]+-\d{4}\.pdf", download.suggested_filename)
        assert Path(download.path()).read_bytes().startswith(b"%PDF")
