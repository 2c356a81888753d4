"""The kiosk in a real Chromium on a tablet: axe-core on every kiosk screen in Swedish and
Arabic, two deltagare in a row (the second cannot reach the first's answers, not even
with the back button), the inactivity warning and its return to the start screen, and a
saved draft opened again with the staff member's PIN."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.pages import describe, path_of, run_axe, serious

PIN = "2468"


@pytest.fixture
def kiosk(page, live_server):
    """The tablet, started as a kiosk by the staff member: (page, the two codes)."""
    name, email, codes = live_server.kiosk_insats()
    page.goto(f"{live_server.url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("main button[type=submit]").tap()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/kiosk/starta")
    page.locator("#insats").select_option(label=name)
    page.locator("#pin").fill(PIN)
    page.locator("#pin_again").fill(PIN)
    page.locator("main button[type=submit]").tap()
    page.wait_for_url(f"{live_server.url}/kiosk/")
    return page, codes


def with_timer(live_server, timeout: int, warning: int):
    """The same kiosk served with the idle times at `timeout` s before "Är du kvar?" and
    `warning` s more before giving up: another `enkat serve` on the same database, where
    the tablet's session holds."""
    return live_server.with_settings(KIOSK_TIMEOUT_SECONDS=timeout,
                                     KIOSK_WARNING_SECONDS=warning)


@pytest.fixture
def quick_timer(kiosk, live_server):
    """The kiosk's tablet moved to a server with idle times of 2 s and 2 s."""
    page, codes = kiosk
    quick = with_timer(live_server, 2, 2)
    page.goto(f"{quick.url}/kiosk/")
    return quick


def enter_code(page, code: str) -> None:
    page.locator("#code").fill(code)
    page.locator("main form.kiosk-code button[type=submit]").tap()


def choose_ors(page, code: str) -> None:
    enter_code(page, code)
    page.wait_for_url(re.compile(r"/kiosk/att-svara$"))
    page.locator("main button[value^='ors:']").tap()


def begin(page) -> None:
    page.wait_for_url(re.compile(r"/kiosk/enkat$"))
    page.locator("main a[href*='/fraga/']").tap()
    page.wait_for_url(re.compile(r"/kiosk/fraga/"))


def start_ors(page, code: str) -> None:
    choose_ors(page, code)
    begin(page)


def resume_with_pin(page) -> None:
    """A saved draft waits for the staff member's PIN (/kiosk/fortsatt)."""
    page.wait_for_url(re.compile(r"/kiosk/fortsatt$"))
    page.locator("#pin").fill(PIN)
    page.locator("main form button.primary").tap()
    begin(page)


def mark_line(page, share: float) -> None:
    """Taps the visual analogue line at `share` of its length, then goes on."""
    track = page.locator("main [role=slider]")
    box = track.bounding_box()
    page.mouse.click(box["x"] + box["width"] * share, box["y"] + box["height"] / 2)
    page.locator("main button[value=next]").tap()


def audit(page, axe_source, found, name):
    found[name] = serious(run_axe(page, axe_source))


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_no_serious_or_critical_axe_violations_on_the_kiosk_screens(
        kiosk, live_server, axe_source, language):
    page, codes = kiosk
    found: dict[str, list] = {}
    page.goto(f"{live_server.url}/kiosk/?lang={language}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    audit(page, axe_source, found, "start screen")
    enter_code(page, "FEL-KOD")
    page.locator("#code-error").wait_for()
    audit(page, axe_source, found, "wrong code")
    start_ors(page, codes[0])
    audit(page, axe_source, found, "step")
    step = path_of(page.url)
    page.goto(f"{with_timer(live_server, 1, 60).url}{step}")
    page.locator("[data-kiosk-dialog]").wait_for(state="visible")
    audit(page, axe_source, found, "are you still there")
    page.locator("[data-kiosk-stay]").tap()
    page.goto(f"{live_server.url}{step}")
    for share in (0.3, 0.5, 0.7, 0.9):
        mark_line(page, share)
    page.wait_for_url(re.compile(r"/kiosk/granska$"))
    audit(page, axe_source, found, "review")
    page.locator("main form button[type=submit]").tap()
    page.wait_for_url(re.compile(r"/kiosk/tack$"))
    audit(page, axe_source, found, "thanks")
    page.goto(f"{live_server.url}/kiosk/")
    start_ors(page, codes[1])
    mark_line(page, 0.4)
    page.locator("footer form[data-kiosk-leave] button").tap()  # "Avbryt och gå till start"
    page.wait_for_url(f"{live_server.url}/kiosk/")
    choose_ors(page, codes[1])
    page.wait_for_url(re.compile(r"/kiosk/fortsatt$"))
    audit(page, axe_source, found, "resume with the PIN")
    page.goto(f"{live_server.url}/kiosk/personal")
    audit(page, axe_source, found, "staff PIN")
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, "\n".join(f"{name}:\n{describe(v)}" for name, v in failing.items())


def test_two_deltagare_in_a_row_and_the_second_cannot_see_the_first(kiosk, live_server):
    page, (first, second) = kiosk
    start_ors(page, first)
    for share in (0.25, 0.45, 0.65, 0.85):
        mark_line(page, share)
    page.wait_for_url(re.compile(r"/kiosk/granska$"))
    page.locator("main form button[type=submit]").tap()
    page.wait_for_url(re.compile(r"/kiosk/tack$"))
    page.locator("main a.button").tap()
    page.wait_for_url(f"{live_server.url}/kiosk/")

    for _ in range(4):  # the back button leads to the start screen, never to the answers
        page.go_back()
        assert path_of(page.url) in ("/kiosk/", "/kiosk/tack") or "Skriv din kod" in (
            page.locator("main").inner_text())
        assert first not in page.content()
    page.goto(f"{live_server.url}/kiosk/")
    start_ors(page, second)
    slider = page.locator("main [role=slider]")
    assert slider.get_attribute("aria-valuenow") == "0"  # unset: nothing of the first
    assert first not in page.content()

    [sent] = live_server.kiosk_drafts(first)
    assert sent["submitted"] and len(sent["answers"]) == 4
    [draft] = live_server.kiosk_drafts(second)
    assert not draft["submitted"] and draft["answers"] == {}


def test_inactivity_warns_then_returns_to_the_start_keeping_what_was_saved(
        kiosk, live_server, quick_timer):
    page, (code, _) = kiosk
    start_ors(page, code)
    mark_line(page, 0.6)
    page.wait_for_url(re.compile(r"/kiosk/fraga/nara-relationer$"))
    dialog = page.locator("[role=alertdialog]")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.activeElement.hasAttribute('data-kiosk-stay')")
    page.wait_for_url(f"{quick_timer.url}/kiosk/", timeout=10_000)
    [draft] = live_server.kiosk_drafts(code)
    assert not draft["submitted"] and list(draft["answers"]) == ["individuellt"]

    choose_ors(page, code)  # the same code and the staff member's PIN resume the draft
    resume_with_pin(page)
    assert path_of(page.url) == "/kiosk/fraga/nara-relationer"
    page.locator("main button[value=back]").tap()
    page.wait_for_url(re.compile(r"/kiosk/fraga/individuellt$"))
    resumed = page.locator("main [role=slider]").get_attribute("aria-valuenow")
    assert float(resumed) == pytest.approx(6, abs=0.15)


def test_staying_keeps_the_person_on_their_question(kiosk, live_server, quick_timer):
    page, (code, _) = kiosk
    start_ors(page, code)
    page.locator("[data-kiosk-dialog]").wait_for(state="visible")
    page.locator("[data-kiosk-stay]").tap()
    assert page.locator("[data-kiosk-dialog]").is_hidden()
    assert path_of(page.url) == "/kiosk/fraga/individuellt"


def test_a_reload_or_a_lost_connection_does_not_break_the_kiosk(kiosk, live_server):
    page, (code, _) = kiosk
    start_ors(page, code)
    page.reload()
    assert path_of(page.url) == "/kiosk/fraga/individuellt"
    page.context.set_offline(True)
    track = page.locator("main [role=slider]")
    box = track.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
    page.locator("main button[value=next]").tap()
    page.locator("[data-offline]").wait_for(state="visible")
    assert path_of(page.url) == "/kiosk/fraga/individuellt"
    page.context.set_offline(False)  # back online: the page is sent by itself
    page.wait_for_url(re.compile(r"/kiosk/fraga/nara-relationer$"))
    [draft] = live_server.kiosk_drafts(code)
    assert list(draft["answers"]) == ["individuellt"]
