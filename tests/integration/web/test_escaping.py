"""Everything a user or an instrument writes is shown as text, never run: script-like
text in an insats name, in every kind of instrument text and in free-text answers stays
inert on every page that shows it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from enkat.extensions import db
from enkat.instruments import load_text
from enkat.models import InsatsStaff, Role, ScheduleEntry, ScheduleTrigger
from enkat.services.deltagare import participants
from enkat.services.instruments.versions import register_version

from .test_auth import sign_in
from .test_respond import html, make_link, post_step

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
INERT = "&lt;script&gt;alert("


def hostile(text: str) -> dict:
    return {"sv": f"{text} {HOSTILE}", "en": f"{text} {HOSTILE}"}


HOSTILE_INSTRUMENT = {
    "format": 1, "id": "fientlig", "version": 1, "title": hostile("Titel"),
    "description": hostile("Beskrivning"), "audience": "deltagare", "rated_by": "self",
    "anonymous": True, "languages": ["sv", "en"], "timepoints": ["avslut"],
    "source": {"owner": "Testerna", "licence": "CC0", "verified": "Skrivet för testerna."},
    "pages": [{"id": "sida", "title": hostile("Sida"), "intro": hostile("Inledning")}],
    "items": [
        {"id": "info", "type": "info", "text": hostile("Info"), "page": "sida"},
        {"id": "val", "type": "single", "text": hostile("Fråga"), "help": hostile("Hjälp"),
         "page": "sida", "options": [{"code": "a", "label": hostile("Svar")},
                                     {"code": "b", "label": hostile("B")}]},
        {"id": "linje", "page": "sida", "type": "vas", "text": hostile("Linje"),
         "anchors": {"low": hostile("Låg"), "high": hostile("Hög")}},
        {"id": "tal", "page": "sida", "type": "number", "text": hostile("Tal"),
         "unit": hostile("enhet"), "min": 0, "max": 10},
        {"id": "fritt", "page": "sida", "type": "text", "text": hostile("Fritext"),
         "max_length": 200},
        {"id": "langt", "page": "sida", "type": "longtext", "text": hostile("Långt")},
    ],
}


def assert_inert(page: str) -> None:
    assert HOSTILE not in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert INERT in page


@pytest.fixture
def hostile_insats(make_insats):
    insats = make_insats("fientlig", name=f"Insats {HOSTILE}", starts_on=dt.date(2025, 1, 1))
    register_version(load_text(json.dumps(HOSTILE_INSTRUMENT), origin="test"))
    return insats


def test_every_respondent_page_shows_instrument_texts_and_answers_as_text(client,
                                                                          hostile_insats):
    link, _ = make_link(hostile_insats, "fientlig", "avslut")
    assert_inert(html(client.get(link)))
    for key, value in (("val", "a"), ("linje", "5.0"), ("tal", "3"), ("fritt", HOSTILE),
                       ("langt", HOSTILE)):
        assert_inert(html(client.get(f"{link}/fraga/{key}")))
        assert post_step(client, link, key, value).status_code == 303
    review = html(client.get(f"{link}/granska"))
    assert_inert(review)
    assert review.count("&lt;script&gt;") >= 2 + 1  # both free-text answers and the texts


def test_a_refused_free_text_is_shown_back_as_text(client, hostile_insats):
    link, _ = make_link(hostile_insats, "fientlig", "avslut")
    refused = post_step(client, link, "tal", HOSTILE)
    assert refused.status_code == 422
    assert_inert(html(refused))


def test_staff_pages_and_the_kiosk_show_an_insats_name_as_text(client, hostile_insats,
                                                                make_user, make_participant):
    hostile_insats.schedule = [ScheduleEntry(instrument_id="fientlig", timepoint="avslut",
                                             trigger=ScheduleTrigger.AT_START)]
    person = make_participant("KOD-1")
    participants.start_enrolment(person, hostile_insats, dt.date.today())
    user = make_user(Role.STAFF)
    db.session.add(InsatsStaff(insats_id=hostile_insats.id, user_id=user.id))
    db.session.flush()
    sign_in(client, user.email)
    assert_inert(html(client.get("/")))
    assert_inert(html(client.get(f"/insatser/{hostile_insats.slug}/registrera")))
    assert_inert(html(client.get("/kiosk/starta")))
    client.post("/kiosk/starta", data={"insats": hostile_insats.id, "pin": "2468",
                                       "pin_again": "2468"})
    home = html(client.get("/kiosk/"))
    assert_inert(home)
    assert "Titel &lt;script&gt;" in home  # the anonymous survey's title on its button
