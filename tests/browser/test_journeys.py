"""Whole surveys in a browser on a tablet: by touch, by dragging the VAS line, by keyboard
only; closing half-way and resuming; sending twice; reloading after sending."""

from __future__ import annotations

import re

import pytest

NNS_AVSLUT = [f"q{number}" for number in range(1, 11)] + ["kon"]
ORS = ["individuellt", "nara-relationer", "socialt", "allmant"]


def on_step(page, key: str) -> None:
    page.wait_for_url(re.compile(f"/fraga/{re.escape(key)}$"))


def choose(page, value: str) -> None:
    """Taps the row (the label) of an option, as a finger would."""
    page.locator(f"main label.choice:has(input[value='{value}'])").tap()
    assert page.locator(f"main input[value='{value}']").is_checked()


def tap_next(page) -> None:
    page.locator("main button[value=next]").tap()


def send(page, link: str) -> None:
    page.wait_for_url(re.compile(r"/granska$"))
    page.locator("main form button[type=submit]").tap()
    page.wait_for_url(f"{link}/tack")
    assert "Tack för dina svar!" in page.locator("main").inner_text()


def test_a_whole_nns_avslut_survey_by_touch(page, live_server):
    link, invitation = live_server.link()
    page.goto(link)
    page.locator("main a[href*='/fraga/']").tap()
    for key in NNS_AVSLUT:
        on_step(page, key)
        choose(page, "kvinna" if key == "kon" else "5")
        tap_next(page)
    send(page, link)
    assert live_server.stored(invitation) == (
        True, "sv", {key: ("kvinna",) if key == "kon" else ("5",) for key in NNS_AVSLUT})


def test_an_ors_by_dragging_the_line(page, live_server):
    link, invitation = live_server.link("ors", "session-1", participant=True)
    page.goto(link)
    page.locator("main a[href*='/fraga/']").tap()
    meant = {}
    for number, key in enumerate(ORS):
        on_step(page, key)
        track = page.locator("main [role=slider]")
        box = track.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
        start, end = 0.2, 0.35 + 0.13 * number  # a finger lands, then slides to the right
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * start, y)
        page.mouse.down()
        for step in range(1, 6):
            share = start + (end - start) * step / 5
            page.mouse.move(box["x"] + box["width"] * share, y)
        page.mouse.up()
        shown = float(track.get_attribute("aria-valuenow"))
        assert shown == pytest.approx(end * 10, abs=0.15)
        meant[key] = shown
        tap_next(page)
    send(page, link)
    submitted, _, answers = live_server.stored(invitation)
    assert submitted and set(answers) == set(ORS)
    for key, (value,) in answers.items():
        assert re.fullmatch(r"\d{1,2}\.\d", value), (key, value)
        assert float(value) == pytest.approx(meant[key], abs=0.05)


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Presses Tab until the focus is on an element matching the selector."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_a_whole_survey_by_keyboard_only(page, live_server):
    link, invitation = live_server.link()
    page.goto(link)
    tab_to(page, "main a[href*='/fraga/']")
    page.keyboard.press("Enter")
    for key in NNS_AVSLUT:
        on_step(page, key)
        tab_to(page, "main input[type=radio]")
        page.keyboard.press("Space")      # the first option ...
        page.keyboard.press("ArrowDown")  # ... and the arrow moves the choice to the second
        tab_to(page, "main button[value=next]")
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/granska$"))
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{link}/tack")
    assert live_server.stored(invitation) == (
        True, "sv", {key: ("man",) if key == "kon" else ("2",) for key in NNS_AVSLUT})


def test_the_vas_slider_by_keyboard(page, live_server):
    link, invitation = live_server.link("ors", "session-1", participant=True)
    page.goto(f"{link}/fraga/individuellt")
    tab_to(page, "main [role=slider]")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("PageUp")
    slider = page.locator("main [role=slider]")
    assert slider.get_attribute("aria-valuenow") == "1.3"
    tab_to(page, "main button.secondary:not([value])")  # "Ta bort markeringen"
    assert page.evaluate("() => document.activeElement.textContent.trim()") == \
        "Ta bort markeringen"
    page.keyboard.press("Enter")
    assert slider.get_attribute("aria-valuetext") == "Ej markerad"
    tab_to(page, "main [role=slider]")
    page.keyboard.press("End")
    tab_to(page, "main button[value=next]")
    page.keyboard.press("Enter")
    on_step(page, "nara-relationer")
    assert live_server.stored(invitation)[2] == {"individuellt": ("10.0",)}


def test_closing_half_way_and_resuming_in_a_new_browser(new_context, live_server):
    link, invitation = live_server.link()
    first = new_context().new_page()
    first.goto(link)
    first.locator("main a[href*='/fraga/']").tap()
    for key in ("q1", "q2", "q3"):
        on_step(first, key)
        choose(first, "4")
        tap_next(first)
    on_step(first, "q4")
    first.context.close()

    later = new_context().new_page()  # no cookies: another browser, or the next day
    later.goto(link)
    assert "Du fortsätter där du slutade." in later.locator("main").inner_text()
    later.locator("main a[href*='/fraga/']").tap()
    on_step(later, "q4")
    later.locator("main button[value=back]").tap()
    on_step(later, "q3")
    assert later.locator("main input[value='4']").is_checked()
    assert live_server.stored(invitation)[2] == {key: ("4",) for key in ("q1", "q2", "q3")}


def test_sending_twice_makes_one_response(page, live_server):
    link, invitation = live_server.link()
    page.goto(f"{link}/fraga/q1")
    choose(page, "6")
    tap_next(page)
    on_step(page, "q2")
    page.goto(f"{link}/granska")
    page.locator("main form button[type=submit]").dblclick()
    page.wait_for_url(f"{link}/tack")
    page.wait_for_load_state("networkidle")
    assert live_server.response_count(invitation) == 1
    assert live_server.stored(invitation) == (True, "sv", {"q1": ("6",)})


def test_reloading_after_sending_shows_the_thanks_again(page, live_server):
    link, invitation = live_server.link()
    page.goto(f"{link}/fraga/q1")
    choose(page, "3")
    tap_next(page)
    on_step(page, "q2")
    page.goto(f"{link}/granska")
    send(page, link)
    response = page.reload()
    assert response.status == 200 and page.url == f"{link}/tack"
    assert "Tack för dina svar!" in page.locator("main").inner_text()
    assert live_server.response_count(invitation) == 1
