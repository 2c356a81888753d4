"""Touch targets of at least 44×44 CSS px, and no horizontal scrolling at 200 % zoom."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.pages import MIN_TARGET, describe, run_axe
from tests.browser.test_staff_journeys import sign_in

#: What a finger hits: buttons, links in the main content, the label row of a radio or
#: checkbox (the row is the target, not the small box), other inputs, the VAS slider.
TARGETS = ("main a, main button, main label.choice, main [role=slider], main textarea, "
           "main input:not([type=radio]):not([type=checkbox]):not([type=hidden])")

#: 200 % zoom on the tablet: half the CSS width, twice the pixels per CSS px.
ZOOMED = {"viewport": {"width": 400, "height": 640}, "device_scale_factor": 4}


def small_targets(page) -> list[str]:
    return page.evaluate("""([selector, least]) => Array.from(document.querySelectorAll(selector))
        .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, box]) => box.width < least || box.height < least)
        .map(([el, box]) => `${el.outerHTML.slice(0, 120)}: `
                            + `${Math.round(box.width)}×${Math.round(box.height)}`)
    """, [TARGETS, MIN_TARGET])


def pages_of_a_survey(page, live_server, language: str):
    """Visits start, a question of every type, the review; yields each page's name."""
    link, _ = live_server.link("webbtest-alla", "avslut")
    page.goto(f"{link}?lang={language}")
    yield "start"
    page.locator("main a[href*='/fraga/']").first.tap()
    page.wait_for_url(re.compile(r"/fraga/"))
    while "/fraga/" in page.url:
        yield page.url.rsplit("/", 1)[-1]
        left = page.url
        page.locator("main button[value=next]").tap()
        page.wait_for_url(lambda url, left=left: url != left)
    yield "review"


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_every_target_is_at_least_44_px(page, live_server, language):
    small = {name: found for name in pages_of_a_survey(page, live_server, language)
             if (found := small_targets(page))}
    assert not small, small


def test_the_ors_slider_and_its_clear_button_are_44_px(page, live_server):
    link, _ = live_server.link("ors", "session-1", participant=True)
    page.goto(f"{link}/fraga/individuellt")
    track = page.locator("main [role=slider]")
    track.tap()
    assert page.locator("main button", has_text="Ta bort markeringen").is_visible()
    assert small_targets(page) == []


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_no_horizontal_scrolling_at_200_percent_zoom(new_context, live_server, language):
    page = new_context(**ZOOMED).new_page()
    wide = {}
    for name in pages_of_a_survey(page, live_server, language):
        if name in ("start", "single", "vas", "review"):
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                wide[name] = widths
    assert not wide, f"scrollWidth > innerWidth: {wide}"


def test_the_utskick_list_at_200_percent_zoom_scrolls_where_the_keyboard_reaches(
        new_context, live_server, axe_source):
    """The list of utskick is too wide for 200 % zoom: it scrolls in a region of its own,
    which a keyboard can focus and a screen reader names (axe: scrollable-region-focusable),
    and the page itself does not scroll sideways."""
    url = live_server.url
    _, email = live_server.admin_forbund()
    page = new_context(**ZOOMED).new_page()
    sign_in(page, url, email)
    page.goto(f"{url}/forbund/utskick/nytt")
    page.locator("#instrument").select_option(index=1)
    page.get_by_label("Rubrik").fill("Enkät till styrelsen med en lång rubrik")
    page.get_by_label("Sista svarsdag").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Klistra in adresserna").fill("styrelse1@example.org")
    page.get_by_role("button", name="Skapa utskicket").click()
    page.wait_for_url(re.compile(r"/forbund/utskick/\d+$"))
    page.goto(f"{url}/forbund/utskick")

    unreachable = [violation for violation in run_axe(page, axe_source)
                   if violation["id"] == "scrollable-region-focusable"]
    assert not unreachable, describe(unreachable)
    region = page.get_by_role("region", name="Utskick och svarsfrekvens, det senaste först")
    assert region.get_attribute("tabindex") == "0"
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")  # it does scroll
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    last_day = region.locator("time").first
    assert last_day.inner_text() == (dt.date.today() + dt.timedelta(days=14)).isoformat()
    assert last_day.evaluate("day => day.getClientRects().length") == 1  # not broken at a hyphen
