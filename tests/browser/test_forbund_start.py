"""The förbund's start and the results page in a real Chromium, on a phone: an
administrator signs in, lands on the overview and follows a warning to the deltagare it
names; an analyst chooses a quarter step by step and opens a part of the report. axe
finds nothing on any state of these pages, and none scrolls sideways at 390 px."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.pages import describe, run_axe
from tests.browser.test_staff_journeys import click_and_wait, sign_in

#: A phone held upright, used with a finger.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True, "locale": "sv-SE"}
ORS = {"individuellt": "5.5", "nara-relationer": "6.0", "socialt": "7.0", "allmant": "6.5"}
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def forbund_in_use(live_server) -> dict[str, str]:
    """A förbund with an insats, an enrolled deltagare, one who answered without an
    inskrivning, an administrator and an analyst (committed): their names and e-mails."""
    from enkat.extensions import db
    from enkat.models import ResponseSource, Role
    from enkat.services.answering import responses
    from enkat.services.deltagare.participants import get_or_create_participant
    from enkat.services.instruments.versions import resolve_instrument
    from enkat.services.organisation.forbund import create_forbund
    from enkat.services.organisation.insatser import create_insats
    from enkat.services.people.users import create_user, grant_role

    number = next(_numbers)
    today = dt.date.today()
    with live_server.app.app_context():
        forbund = create_forbund(f"start-{number}", f"Samordningsförbundet Start {number}")
        insats = create_insats(forbund, "steget", "Steget vidare",
                               starts_on=today - dt.timedelta(days=400))
        for code, instrument_id, timepoint, answers in (
                (f"ENROL{number}", "finsam-inskrivning", "start", {"kon": "kvinna"}),
                (f"LOOSE{number}", "ors", "session-1", ORS)):
            context = responses.ResponseContext(
                forbund=forbund, instrument=resolve_instrument(instrument_id), insats=insats,
                participant=get_or_create_participant(forbund, code), timepoint=timepoint,
                answered_on=today - dt.timedelta(days=20))
            responses.record_response(context, {key: [value] for key, value in answers.items()},
                                      source=ResponseSource.STAFF)
        people = {}
        for role in (Role.ADMIN, Role.ANALYST):
            email = f"{role.value}-start{number}@example.org"
            grant_role(create_user(email, STAFF_PASSWORD, "Alex Läsare"), forbund, role)
            people[role.value] = email
        db.session.commit()
        return {"forbund": forbund.name, "loose": f"LOOSE{number}", **people}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def checked(page, axe_source: str, state: str) -> None:
    """The page as it is now has no axe violation and no sideways scrolling (a phone's
    browser widens the window to the page, so the page is measured, not the window)."""
    violations = run_axe(page, axe_source)
    assert not violations, f"{state}:\n{describe(violations)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"{state}: {width} px wide"


def test_an_administrator_lands_on_the_overview_and_follows_a_warning(
        phone, live_server, axe_source, forbund_in_use):
    url = live_server.url
    sign_in(phone, url, forbund_in_use["admin"])
    assert phone.url == f"{url}/forbund/"
    assert phone.locator("main h1").inner_text() == forbund_in_use["forbund"]
    checked(phone, axe_source, "overview")
    warning = phone.locator("main section.overview-warning").filter(
        has_text="Deltagare med svar men ingen inskrivning")
    assert "ingen inskrivning: 1" in warning.locator("h3").inner_text()
    click_and_wait(phone, warning.get_by_role("link", name=forbund_in_use["loose"]))
    assert phone.url.startswith(f"{url}/insatser/steget/registrera?")
    assert phone.locator("#code").input_value() == forbund_in_use["loose"]
    checked(phone, axe_source, "the inskrivning to register")


def test_an_analyst_chooses_a_quarter_step_by_step_and_opens_a_part(
        phone, live_server, axe_source, forbund_in_use):
    url = live_server.url
    sign_in(phone, url, forbund_in_use["analyst"])
    assert phone.url == f"{url}/forbund/"
    click_and_wait(phone, phone.locator("main").get_by_role("link", name="Resultat",
                                                             exact=True))
    checked(phone, axe_source, "step 1")
    phone.get_by_label("Ett kvartal").check()
    click_and_wait(phone, phone.get_by_role("button", name="Nästa"))
    assert phone.locator("#fran").count() == 0 and phone.locator("#halvar").count() == 0
    checked(phone, axe_source, "step 2")
    answered = dt.date.today() - dt.timedelta(days=20)  # the quarter of the answers
    year, quarter = answered.year, (answered.month - 1) // 3
    phone.get_by_label("År").fill("tjugo")
    click_and_wait(phone, phone.get_by_role("button", name="Nästa"))
    assert "”tjugo” är inget år." in phone.locator("main .error-summary").inner_text()
    checked(phone, axe_source, "step 2, refused")
    phone.get_by_label("År").fill(str(year))
    phone.get_by_label("Kvartal").select_option(index=quarter)
    click_and_wait(phone, phone.get_by_role("button", name="Nästa"))
    checked(phone, axe_source, "step 3")
    click_and_wait(phone, phone.get_by_role("button", name="Visa rapporten"))
    first = dt.date(year, 3 * quarter + 1, 1)
    assert f"{first.isoformat()} – " in phone.locator("main").inner_text()
    assert phone.get_by_role("heading", name="I korthet").is_visible()
    checked(phone, axe_source, "report")
    part = phone.locator("main details.report-part").first
    table = part.locator("table").first
    assert not table.is_visible()
    part.locator("summary").tap()
    assert table.is_visible()
    checked(phone, axe_source, "report, a part open")
    changed = phone.locator("main dl.results-made").get_by_role("link", name=re.compile("Ändra"))
    assert changed.count() == 3
