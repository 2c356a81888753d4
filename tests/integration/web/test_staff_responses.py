"""A submitted response's page (/svar/<id>): its answers in words and its history;
correcting an answer and removing a response with a reason, every kind of bad input
refused at its field with nothing written, and who may (403 and 404 for the others)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    AuditEvent,
    Enrolment,
    InstrumentVersion,
    Response,
    ResponseSource,
    Role,
)
from enkat.services.answering.responses import answers_of

from .test_auth import sign_in
from .test_respond import html
from .test_staff_entry import add_staff, another_browser

ORS = {"individuellt": "4.0", "nara-relationer": "5.0", "socialt": "6.0", "allmant": "7.0"}


@pytest.fixture
def inskrivning(deltagare):
    """The inskrivning of ABC123 (the `deltagare` fixture's)."""
    return db.session.scalars(
        select(Response).join(InstrumentVersion)
        .where(Response.participant_id == deltagare.id,
               InstrumentVersion.instrument_id == "finsam-inskrivning")).one()


@pytest.fixture
def ors(make_response, deltagare):
    return make_response("ors", ORS, participant=deltagare, timepoint="session-1",
                         answered_on=dt.date(2025, 3, 1), source=ResponseSource.PAPER)


def page_of(response) -> str:
    return f"/svar/{response.id}"


def browser_of(client, make_user, role: Role, insats=None):
    user = make_user(role)
    if insats is not None:
        add_staff(user, insats)
    browser = another_browser(client.application)
    sign_in(browser, user.email)
    return browser


def written() -> tuple:
    """Everything a refused post must leave as it was."""
    db.session.expire_all()
    return ({response.id: answers_of(response) for response in db.session.scalars(
        select(Response))}, db.session.scalar(select(func.count()).select_from(AuditEvent)),
        list(db.session.execute(select(Enrolment.started_on, Enrolment.ended_on))))


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_response_and_its_answers_in_words(signed_in, ors, inskrivning):
    shown = signed_in.get(page_of(inskrivning))
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "private, no-store"
    page = html(shown)
    assert "<h1>Inskrivning" in page
    for fact in ("<dt>Mätpunkt</dt><dd>Vid start</dd>", "<dt>Datum</dt><dd>2025-02-01</dd>",
                 "<dt>Källa</dt><dd>Personal fyllde i</dd>",
                 '<dd><a href="/deltagare/ABC123">ABC123</a></dd>'):
        assert fact in page, fact
    assert "<li>Man</li>" in page and "man</li>" not in page  # labels, not codes
    assert "Inga ändringar. Svaren är som de skickades." in page
    assert f'href="/svar/{inskrivning.id}/andra/kon"' in page
    assert f'href="/svar/{inskrivning.id}/ta-bort"' in page
    ors_page = html(signed_in.get(page_of(ors)))
    assert "<dt>Mätpunkt</dt><dd>Samtal 1</dd>" in ors_page and "Från papper" in ors_page


def test_who_sees_a_response_and_who_changes_it(client, make_user, make_insats, insats,
                                                 inskrivning):
    analyst = browser_of(client, make_user, Role.ANALYST)
    page = html(analyst.get(page_of(inskrivning)))
    assert "<li>Man</li>" in page and "/andra/" not in page and "/ta-bort" not in page
    assert analyst.get(f"{page_of(inskrivning)}/andra/kon").status_code == 403
    assert analyst.post(f"{page_of(inskrivning)}/andra/kon",
                        data={"answer-kon": "kvinna", "reason": "x"}).status_code == 403
    assert analyst.post(f"{page_of(inskrivning)}/ta-bort",
                        data={"reason": "x"}).status_code == 403

    admin = browser_of(client, make_user, Role.ADMIN)
    assert admin.get(f"{page_of(inskrivning)}/andra/kon").status_code == 200

    outsider = browser_of(client, make_user, Role.STAFF, make_insats("annan"))
    for address in (page_of(inskrivning), f"{page_of(inskrivning)}/andra/kon",
                    f"{page_of(inskrivning)}/ta-bort", "/svar/999999"):
        assert outsider.get(address).status_code == 404, address
    assert outsider.post(f"{page_of(inskrivning)}/ta-bort",
                         data={"reason": "x"}).status_code == 404
    assert client.get(page_of(inskrivning)).status_code == 302  # signed out: sign in first


def test_an_unknown_question_is_404(signed_in, inskrivning):
    for item in ("finns-inte", "samtycke-info"):
        assert signed_in.get(f"{page_of(inskrivning)}/andra/{item}").status_code == 404


# --- correcting ---------------------------------------------------------------------------


def test_correcting_an_answer_keeps_the_trail_on_the_page_and_in_the_log(signed_in,
                                                                         personal,
                                                                         inskrivning):
    form = html(signed_in.get(f"{page_of(inskrivning)}/andra/kon"))
    assert 'type="radio"' in form and 'value="man" checked' in form  # the form's own field
    assert '<label for="reason">Orsak</label>' in form
    done = signed_in.post(f"{page_of(inskrivning)}/andra/kon",
                          data={"answer-kon": "kvinna", "reason": "Fel från papper."})
    assert done.status_code == 303
    assert done.headers["Location"] == f"{page_of(inskrivning)}#history-heading"
    page = html(signed_in.get(page_of(inskrivning)))
    assert "Svaret på ”Kön” är ändrat." in page and "<li>Kvinna</li>" in page
    history = page.split('id="history-heading"')[1].split("</section>")[0]
    assert f"{personal.display_name} ändrade svaret på ”Kön”" in history
    for fact in ("<dt>Före</dt><dd>Man</dd>", "<dt>Efter</dt><dd>Kvinna</dd>",
                 "<dt>Orsak</dt><dd>Fel från papper.</dd>"):
        assert fact in history, fact
    db.session.expire_all()
    assert answers_of(inskrivning)["kon"] == ("kvinna",)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "response-corrected")).one()
    assert (event.user_id, event.subject, event.detail["before"], event.detail["after"]) == (
        personal.id, "ABC123", ["man"], ["kvinna"])


def test_a_vas_answer_is_typed_in_as_measured(signed_in, ors):
    form = html(signed_in.get(f"{page_of(ors)}/andra/socialt"))
    assert 'inputmode="decimal"' in form and 'value="6.0"' in form
    assert signed_in.post(f"{page_of(ors)}/andra/socialt",
                          data={"answer-socialt": "6,5", "reason": "Mätt fel."}).status_code == 303
    db.session.expire_all()
    assert answers_of(ors)["socialt"] == ("6.5",)


@pytest.mark.parametrize(("item", "data", "messages"), [
    ("kon", {"answer-kon": "kvinna", "reason": ""}, ["Skriv varför svaret ändras."]),
    ("kon", {"answer-kon": "kvinna", "reason": "x" * 501}, ["Skriv högst 500 tecken."]),
    ("kon", {"answer-kon": "okand", "reason": "Fel."}, ["Välj ett av svaren."]),
    ("kon", {"reason": "Fel."}, ["Svara på frågan för att gå vidare."]),
    ("kon", {"answer-kon": "man", "reason": "Fel."},
     ["Det nya svaret är detsamma som det gamla."]),
    ("kon", {"answer-kon": "okand", "reason": ""},
     ["Välj ett av svaren.", "Skriv varför svaret ändras."]),
    ("socialt", {"answer-socialt": "11", "reason": "Fel."},
     ["Mät från linjens vänstra ände, i centimeter från 0 till 10"]),
])
def test_bad_input_is_named_at_its_field_and_nothing_is_written(signed_in, inskrivning, ors,
                                                                item, data, messages):
    response = ors if item == "socialt" else inskrivning
    before = written()
    refused = signed_in.post(f"{page_of(response)}/andra/{item}", data=data)
    assert refused.status_code == 422
    page = html(refused)
    assert "<title>Fel: Ändra svar" in page and 'class="error-summary"' in page
    for message in messages:
        assert message in page, message
    assert written() == before


# --- removing -----------------------------------------------------------------------------


def test_removing_asks_first_then_removes_and_the_deltagare_page_keeps_the_trail(
        signed_in, personal, ors):
    address = page_of(ors)
    asked = html(signed_in.get(f"{address}/ta-bort"))
    assert "<h1>Ta bort svaret?</h1>" in asked
    assert "räknas inte längre i rapporterna" in asked and "Det går inte att ångra." in asked
    before = written()
    refused = signed_in.post(f"{address}/ta-bort", data={"reason": "  "})
    assert refused.status_code == 422 and "Skriv varför svaret tas bort." in html(refused)
    assert "Varför tas svaret bort?" in asked
    assert written() == before

    done = signed_in.post(f"{address}/ta-bort", data={"reason": "Fel deltagare."})
    assert (done.status_code, done.headers["Location"]) == (
        303, "/deltagare/ABC123#removed-heading")
    page = html(signed_in.get("/deltagare/ABC123"))
    assert "Svaret är borttaget." in page and signed_in.get(address).status_code == 404
    removed = page.split('id="removed-heading"')[1].split("</section>")[0]
    assert f"av {personal.display_name}" in removed and "Orsak: Fel deltagare." in removed
    assert "<dt>Socialt</dt><dd>6</dd>" in removed
    assert "Samtal 1, 2025-03-01" in removed


def test_removing_the_avslut_says_it_reopens_the_enrolment(signed_in, deltagare,
                                                           make_response):
    avslut = make_response("finsam-avslut", {"avslutsanledning": "arbete"},
                           participant=deltagare, timepoint="avslut",
                           answered_on=dt.date(2025, 4, 1))
    asked = html(signed_in.get(f"{page_of(avslut)}/ta-bort"))
    assert "Inskrivningen i Steget vidare blir pågående igen: avslutet 2025-04-01" in asked
    signed_in.post(f"{page_of(avslut)}/ta-bort", data={"reason": "Fel deltagare."})
    page = html(signed_in.get("/deltagare/ABC123"))
    assert "Pågående sedan 2025-02-01" in page


def test_an_inskrivning_with_answers_in_its_enrolment_is_not_removed(signed_in, inskrivning,
                                                                     ors):
    before = written()
    refused = signed_in.get(f"{page_of(inskrivning)}/ta-bort")
    assert refused.status_code == 409
    page = html(refused)
    assert "Inskrivningen kan inte tas bort: deltagaren har ett annat svar" in page
    assert "<form" not in page.split("<main")[1]
    assert signed_in.post(f"{page_of(inskrivning)}/ta-bort",
                          data={"reason": "Fel."}).status_code == 409
    assert written() == before


def test_removing_an_only_inskrivning_ends_on_the_insats_page(signed_in, insats, inskrivning):
    done = signed_in.post(f"{page_of(inskrivning)}/ta-bort", data={"reason": "Fel kod."})
    assert done.headers["Location"] == f"/insatser/{insats.slug}"
    said = html(signed_in.get(done.headers["Location"]))
    assert "Svaret är borttaget. ABC123 har inga fler inskrivningar här." in said
    assert "Deltagarens sida" not in said  # there is none to show it any more
    assert signed_in.get("/deltagare/ABC123").status_code == 404
