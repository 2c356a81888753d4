"""Correcting an answer in a real Chromium against `enkat serve`, as issue 17 asks.

Personal open a deltagare's page, the inskrivning's response page, and correct Kön with
a reason (first forgetting the reason: the page says so at the field and keeps nothing).
The response page then shows the trail: who, when, before, after and why. The förbund's
administrator (another browser) sees the results page change, while the delrapport
approved before the correction reads exactly as it did. axe-core finds nothing on each
new page state, and the response pages fit a 390 px phone without scrolling sideways.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

import pytest

from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.pages import describe, run_axe
from tests.browser.test_staff_journeys import click_and_wait, sign_in

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "sv-SE"}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "sv-SE"}
YEAR = 2025
DELTAGARE = 6
REASON = "Fel inmatat från pappret."

_sequence = itertools.count(1)


@dataclass
class Seen:
    audits: dict[str, list[dict]] = field(default_factory=dict)
    refused: str = ""
    history: str = ""
    results_before: str = ""
    results_after: str = ""
    filed_before: str = ""
    filed_after: str = ""
    widths: dict[str, int] = field(default_factory=dict)


def an_insats(live_server) -> tuple[str, str, str, str, int]:
    """An insats of six deltagare enrolled in 2025 (three men, three women), its personal
    and the förbund's administrator, the delrapport of 2025 approved, and small tables
    shown (threshold 1): the insats' slug, the two e-mails, the first deltagare's code
    and the document's id."""
    from enkat.extensions import db
    from enkat.models import InsatsStaff, ResponseSource, Role
    from enkat.reports.period import Period
    from enkat.services.answering import responses
    from enkat.services.deltagare import participants
    from enkat.services.documents import approve, create_document, send
    from enkat.services.instruments.versions import resolve_instrument
    from enkat.services.organisation.forbund import create_forbund
    from enkat.services.organisation.insatser import create_insats
    from enkat.services.people.users import create_user, grant_role

    number = next(_sequence)
    with live_server.app.app_context():
        forbund = create_forbund(f"ratta-{number}", "Samordningsförbundet Rätta")
        forbund.suppression_threshold = 1
        insats = create_insats(forbund, "steget", "Steget vidare",
                               starts_on=dt.date(YEAR, 1, 1))
        staff = create_user(f"ratta{number}@example.org", STAFF_PASSWORD, "Rut Rättare")
        grant_role(staff, forbund, Role.STAFF)
        db.session.add(InsatsStaff(insats_id=insats.id, user_id=staff.id))
        admin = create_user(f"ratta-admin{number}@example.org", STAFF_PASSWORD,
                            "Ada Administratör")
        grant_role(admin, forbund, Role.ADMIN)
        inskrivning = resolve_instrument("finsam-inskrivning")
        codes = []
        for index in range(DELTAGARE):
            participant = participants.get_or_create_participant(forbund,
                                                                 f"RAT{number}{index}")
            codes.append(participant.code)
            responses.record_response(responses.ResponseContext(
                forbund=forbund, instrument=inskrivning, insats=insats,
                participant=participant, timepoint="start",
                answered_on=dt.date(YEAR, 3, 1 + index)),
                {"kon": ["kvinna" if index % 2 else "man"]}, source=ResponseSource.PAPER)
        document = create_document(forbund, insats, "delrapport",
                                   Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), staff)
        send(document, staff)
        approve(document, admin)
        db.session.commit()
        return insats.slug, staff.email, admin.email, codes[0], document.id


def main_text(page) -> str:
    return page.locator("main").inner_text()


def side_scroll(page) -> int:
    """How far the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture(scope="module")
def seen(browser, live_server, axe_source) -> Seen:
    seen = Seen()
    slug, staff_email, admin_email, code, document_id = an_insats(live_server)
    url = live_server.url
    results = f"{url}/forbund/resultat?visa=insats:{slug}&period=ar&ar={YEAR}"
    filed = f"{url}/forbund/rapporter/{document_id}"
    staff_context = browser.new_context(**DESKTOP)
    admin_context = browser.new_context(**DESKTOP)
    phone_context = browser.new_context(**PHONE)
    for context in (staff_context, admin_context, phone_context):
        context.set_default_timeout(15_000)
    personal, reviewer, phone = (staff_context.new_page(), admin_context.new_page(),
                                 phone_context.new_page())

    def audit(name: str, page) -> None:
        seen.audits[name] = run_axe(page, axe_source)

    try:
        # the administrator reads the results and the approved delrapport first
        sign_in(reviewer, url, admin_email)
        reviewer.goto(results)
        seen.results_before = main_text(reviewer)
        reviewer.goto(filed)
        seen.filed_before = reviewer.locator("main article.document").inner_text()

        # personal find the inskrivning from the deltagare's page
        sign_in(personal, url, staff_email)
        personal.goto(f"{url}/deltagare/{code}")
        audit("deltagare page", personal)
        click_and_wait(personal, personal.get_by_role("link", name="Vid start"))
        response_url = personal.url
        audit("response page", personal)
        click_and_wait(personal, personal.get_by_role("link", name="Ändra svaret på: Kön"))
        correct_url = personal.url
        audit("correction page", personal)

        # a new answer without a reason: said at the field, nothing kept
        personal.get_by_label("Kvinna").check()
        click_and_wait(personal, personal.get_by_role("button", name="Spara ändringen"))
        seen.refused = main_text(personal)
        audit("correction page with an error", personal)

        # with the reason
        personal.get_by_label("Kvinna").check()
        personal.get_by_label("Orsak").fill(REASON)
        click_and_wait(personal, personal.get_by_role("button", name="Spara ändringen"))
        seen.history = personal.locator("section[aria-labelledby=history-heading]").inner_text()
        audit("response page with its history", personal)

        # removing asks first; here they think again
        click_and_wait(personal, personal.get_by_role("link", name="Ta bort svaret…"))
        audit("removal page", personal)
        click_and_wait(personal, personal.get_by_role("link", name="Avbryt"))

        # the administrator: the results changed, the filed delrapport did not
        reviewer.goto(results)
        seen.results_after = main_text(reviewer)
        reviewer.goto(filed)
        seen.filed_after = reviewer.locator("main article.document").inner_text()

        # the pages on a phone
        sign_in(phone, url, staff_email)
        for name, address in (("response", response_url), ("correction", correct_url),
                              ("deltagare", f"{url}/deltagare/{code}")):
            phone.goto(address)
            seen.widths[name] = side_scroll(phone)
    finally:
        for context in (staff_context, admin_context, phone_context):
            context.close()
    return seen


def test_a_missing_reason_is_said_at_its_field(seen):
    assert "Det finns ett problem" in seen.refused
    assert seen.refused.count("Skriv varför svaret ändras.") == 2  # summary and field


def test_the_response_page_shows_the_trail(seen):
    for words in ("Rut Rättare ändrade svaret på ”Kön”", "Före\nMan", "Efter\nKvinna",
                  f"Orsak\n{REASON}"):
        assert words in seen.history, words


def test_the_results_change_and_the_approved_document_does_not(seen):
    assert seen.results_before and seen.results_after != seen.results_before
    assert seen.filed_before and seen.filed_after == seen.filed_before


def test_axe_finds_nothing_on_any_new_page_state(seen):
    assert set(seen.audits) == {"deltagare page", "response page", "correction page",
                                "correction page with an error",
                                "response page with its history", "removal page"}
    found = {name: describe(violations) for name, violations in seen.audits.items()
             if violations}
    assert not found, "\n".join(f"{name}:\n{text}" for name, text in found.items())


def test_the_pages_fit_a_phone(seen):
    assert seen.widths == {"response": 0, "correction": 0, "deltagare": 0}
