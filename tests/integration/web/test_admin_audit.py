"""The förbund's audit log, /forbund/logg: its administrators read their own förbund's
events and their members' sign-ins, newest first, a page at a time, chosen by kind and
dates; nobody else reads it, and no choice shows another förbund's events."""

from __future__ import annotations

import datetime as dt
import getpass
import html
import re

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsStaff, Response, ResponseSource, Role
from enkat.services.answering import drafts
from enkat.services.answering.drafts import local_today
from enkat.services.answering.responses import ResponseContext
from enkat.services.audit import log as audit
from enkat.services.audit.events import Action, record_event
from enkat.services.audit.log import PAGE_SIZE
from enkat.services.instruments.versions import resolve_instrument
from enkat.services.people.users import create_user, grant_role

from .test_auth import sign_in

LOG = "/forbund/logg"
UTC = dt.UTC
PASSWORD = "lösenord-123"


@pytest.fixture
def other(make_forbund):
    """Another förbund with its own administrator."""
    forbund = make_forbund("annat", "Samordningsförbundet Annat")
    user = create_user("admin@annat.example", PASSWORD, "Annan Admin")
    grant_role(user, forbund, Role.ADMIN)
    return forbund, user


def rows(response) -> list[list[str]]:
    """The log's rows as cell texts: tid, vem, händelse, gäller, detaljer."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.get_data(as_text=True), re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def shown(client, query: str = "") -> list[list[str]]:
    response = client.get(f"{LOG}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [row for row in rows(response) if len(row) == 5]


def subjects(client, query: str = "") -> list[str]:
    return [row[3] for row in shown(client, query)]


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour, tzinfo=UTC)


# --- what the page shows --------------------------------------------------------------


def test_the_forbunds_events_are_shown_newest_first_in_local_time(client, forbund, signed_in_admin):
    record_event("participant-viewed", user=signed_in_admin, forbund_id=forbund.id,
                 subject="ABC123",
                 at=at(2))
    record_event("download", user=signed_in_admin, forbund_id=forbund.id,
                 subject="svar-test-2025.csv", detail={"format": "csv", "rows": 28}, at=at(3))
    record_event("purge", detail={"drafts": 2}, at=at(4))  # no förbund's: not shown
    found = shown(client, "fran=2025-06-01&till=2025-06-30")
    assert found == [
        ["2025-06-03 12:00:00", signed_in_admin.email, "Nedladdning", "svar-test-2025.csv",
         "format: csv; rader: 28"],
        ["2025-06-02 12:00:00", signed_in_admin.email, "Visade deltagarsida", "ABC123", ""],
    ]


def test_an_event_of_nobody_shows_a_dash_and_a_change_names_what_changed(client, forbund,
                                                                       signed_in_admin):
    record_event("kiosk-ended", forbund_id=forbund.id, subject="steget", at=at(5))
    record_event("user-changed", user=signed_in_admin, forbund_id=forbund.id,
                 subject="x@test.example",
                 detail={"user": 7, "changed": {"role": ["staff", "admin"]}}, at=at(6))
    record_event("schedule-changed", user=signed_in_admin, forbund_id=forbund.id, subject="steget",
                 detail={"before": [{"instrument_id": "ors"}], "after": []}, at=at(7))
    found = shown(client, "fran=2025-06-05&till=2025-06-07")
    assert [row[1:] for row in found] == [
        [signed_in_admin.email, "Ändrat mätschema", "steget", "före: 1 rader"],
        [signed_in_admin.email, "Ändrad användare", "x@test.example",
         "användare nr: 7; ändrat: roll"],
        ["–", "Avslutad kiosk", "steget", ""],
    ]


def test_sign_ins_of_members_are_shown_and_of_others_not(client, forbund, signed_in_admin,
                                                         make_user, other, app):
    member = make_user(Role.STAFF, email="personal@test.example")
    _other_forbund, outsider = other
    visitor = app.test_client()
    sign_in(visitor, member.email, "fel lösenord")  # failed, with the user
    sign_in(visitor, outsider.email)  # a sign-in of another förbund's user
    sign_in(visitor, "okand@test.example", "fel lösenord")  # nobody's
    record_event(Action.SIGN_IN_LOCKED, subject=member.email, detail={"client": "10.0.0.9"})
    found = shown(client)
    assert [row[2:4] for row in found] == [
        ["Inloggning under spärr", member.email],
        ["Misslyckad inloggning", member.email],
        ["Inloggning", signed_in_admin.email],
    ]
    assert found[0][1] == "–" and found[0][4] == "klient: 10.0.0.9"
    assert found[1][1] == member.email and found[1][4] == "klient: 127.0.0.1"


def test_each_administrator_sees_only_their_own_forbund(client, forbund, signed_in_admin, other,
                                                        app):
    other_forbund, other_admin = other
    elsewhere = app.test_client()
    sign_in(elsewhere, other_admin.email)
    record_event("participant-erased", user=signed_in_admin, forbund_id=forbund.id,
                 subject="EGEN01")
    record_event("participant-erased", user=other_admin, forbund_id=other_forbund.id,
                 subject="ANNAN01")

    assert subjects(client) == ["EGEN01", signed_in_admin.email]
    assert subjects(elsewhere) == ["ANNAN01", other_admin.email]
    # Nothing in the address chooses the förbund.
    for query in (f"forbund={other_forbund.slug}", f"forbund_id={other_forbund.id}",
                  "handelse=participant-erased&forbund=annat"):
        assert "ANNAN01" not in subjects(client, query)
        assert "EGEN01" not in subjects(elsewhere, query.replace("annat", "test"))


# --- choosing --------------------------------------------------------------------------


def test_a_kind_and_dates_choose_the_events(client, forbund, signed_in_admin):
    for day, action in ((1, "download"), (2, "participant-viewed"), (3, "download"),
                        (4, "download")):
        record_event(action, user=signed_in_admin, forbund_id=forbund.id, subject=f"dag {day}",
                     at=at(day))
    assert subjects(client, "handelse=download") == ["dag 4", "dag 3", "dag 1"]
    assert subjects(client, "handelse=download&fran=2025-06-02&till=2025-06-03") == ["dag 3"]
    assert subjects(client, "fran=2025-06-02&till=2025-06-02") == ["dag 2"]
    assert subjects(client, "handelse=participant-viewed&till=2025-06-01") == []


def test_the_dates_are_local_days(client, forbund, signed_in_admin):
    """22:30 UTC on 1 June is 00:30 on 2 June in Stockholm."""
    record_event("download", user=signed_in_admin, forbund_id=forbund.id, subject="sent",
                 at=dt.datetime(2025, 6, 1, 22, 30, tzinfo=UTC))
    assert subjects(client, "fran=2025-06-02&till=2025-06-02") == ["sent"]
    assert subjects(client, "fran=2025-06-01&till=2025-06-01") == []


@pytest.mark.parametrize(("query", "field", "message"), [
    ("fran=2025-06-30&till=2025-06-01", "till",
     "Till-datumet 2025-06-01 är före från-datumet 2025-06-30."),
    ("fran=1%20juni", "fran", "Från-datumet ”1 juni” är inget datum."),
    ("till=2025-02-30", "till", "Till-datumet ”2025-02-30” är inget datum."),
    ("handelse=drop-table", "handelse", "Händelsen ”drop-table” finns inte i loggen."),
    ("handelse=purge", "handelse", "Händelsen ”purge” finns inte i loggen."),  # no förbund's
])
def test_a_bad_choice_is_said_at_its_field_with_422(client, forbund, signed_in_admin, query, field,
                                                   message):
    record_event("download", user=signed_in_admin, forbund_id=forbund.id, subject="inte visad")
    response = client.get(f"{LOG}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<a href="#{field}">{message}' in page  # in the summary, linked to the field
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"',
                     page)
    assert "inte visad" not in page and "<tbody>" not in page


def test_the_kinds_offered_are_swedish(client, signed_in_admin):
    page = client.get(LOG).get_data(as_text=True)
    for name in ("Inloggning", "Misslyckad inloggning", "Nedladdning", "Visade deltagarsida",
                 "Uppladdat instrument", "Ändrad användare", "Raderad deltagare"):
        assert f">{name}</option>" in page


def test_the_log_comes_a_page_at_a_time(client, forbund, signed_in_admin):
    start = dt.datetime(2025, 1, 1, tzinfo=UTC)
    count = 2 * PAGE_SIZE + 7
    for number in range(count):
        record_event("participant-viewed", user=signed_in_admin, forbund_id=forbund.id,
                     subject=f"K{number:03}", at=start + dt.timedelta(minutes=number))
    query = "handelse=participant-viewed"
    first = client.get(f"{LOG}?{query}").get_data(as_text=True)
    assert f"Visar 1–{PAGE_SIZE} av {count} händelser, de senaste först" in first
    assert subjects(client, query)[:2] == [f"K{count - 1:03}", f"K{count - 2:03}"]
    assert len(subjects(client, query)) == PAGE_SIZE
    assert html.escape(f"{LOG}?{query}&sida=2") in first and 'rel="prev"' not in first
    assert f"Visar {2 * PAGE_SIZE + 1}–{count} av {count}" in client.get(
        f"{LOG}?{query}&sida=3").get_data(as_text=True)
    last = subjects(client, f"{query}&sida=3")
    assert last == [f"K{number:03}" for number in reversed(range(7))]
    assert subjects(client, f"{query}&sida=99") == last  # past the end: the last page
    seen = [*subjects(client, query), *subjects(client, f"{query}&sida=2"), *last]
    assert sorted(seen) == sorted(f"K{number:03}" for number in range(count))


# --- who reads it ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STAFF])
def test_only_administrators_read_the_log(client, make_user, role):
    sign_in(client, make_user(role).email)
    assert client.get(LOG).status_code == 403
    assert LOG not in client.get("/forbund/").get_data(as_text=True)


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(LOG)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_overview_links_the_log_for_administrators(client, signed_in_admin):
    page = client.get("/forbund/").get_data(as_text=True)
    assert f'<a href="{LOG}">Logg</a>' in page


# --- who entered a form, refused addresses, the command line ---------------------------


def entered_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == Action.RESPONSE_ENTERED).order_by(AuditEvent.id)))


def test_who_entered_a_paper_form_is_stored_and_shown(client, forbund, insats, signed_in_admin,
                                                      make_user, app):
    person = make_user(Role.STAFF, email="personal@test.example")
    db.session.add(InsatsStaff(insats_id=insats.id, user_id=person.id))
    db.session.flush()
    staff = app.test_client()
    sign_in(staff, person.email)
    opened = staff.post(f"/insatser/{insats.slug}/registrera", data={
        "source": "paper", "instrument": "finsam-inskrivning", "timepoint": "", "code": "NY-7",
        "answered_on": local_today().isoformat()})
    path = opened.headers["Location"].split("/fraga/")[0]
    staff.post(f"{path}/fraga/kon", data={"answer-kon": "kvinna", "go_to": "next"})
    assert entered_events() == []  # saving pages is not sending
    assert staff.post(f"{path}/granska").status_code == 303
    assert staff.post(f"{path}/granska").status_code == 303  # a double click sends once

    response = db.session.scalars(select(Response)).one()
    assert response.entered_by_id == person.id and response.submitted_at is not None
    [event] = entered_events()
    assert (event.user_id, event.forbund_id, event.subject) == (person.id, forbund.id, "NY-7")
    assert event.detail["response"] == response.id
    [row] = shown(client, f"handelse={Action.RESPONSE_ENTERED}")
    assert row[1:] == [person.email, "Inmatat formulär", "NY-7",
                       f"svar nr: {response.id}; enkät: finsam-inskrivning; mätpunkt: Vid start; "
                       "källa: från papper"]


def test_a_kiosk_response_names_nobody_as_entering_it(forbund, insats, make_participant):
    participant = make_participant("KIOSK-1")
    draft = drafts.open_draft_for(ResponseContext(
        forbund=forbund, instrument=resolve_instrument("ors"), insats=insats,
        participant=participant, timepoint="session-1", answered_on=local_today(),
    ), ResponseSource.KIOSK)
    lines = ["individuellt", "nara-relationer", "socialt", "allmant"]
    drafts.save_page(draft, dict.fromkeys(lines, ["5.0"]), lines)
    drafts.submit(draft)
    assert draft.entered_by_id is None and entered_events() == []


@pytest.fixture
def stranger(app, forbund, insats, make_insats, make_user, make_participant):
    """Personal of another insats of the förbund, signed in in their own browser, and
    what they have no business with: a deltagare and a staff draft of the insats."""
    person = make_user(Role.STAFF, email="nyfiken@test.example")
    db.session.add(InsatsStaff(insats_id=make_insats("annan", name="Annan insats").id,
                               user_id=person.id))
    participant = make_participant("HEMLIG1")
    draft = drafts.open_draft_for(ResponseContext(
        forbund=forbund, instrument=resolve_instrument("finsam-inskrivning"), insats=insats,
        participant=participant, timepoint="start", answered_on=local_today(),
    ), ResponseSource.STAFF)
    browser = app.test_client()
    sign_in(browser, person.email)
    return browser, person, draft


def test_addresses_of_others_refused_are_audited_and_shown(client, signed_in_admin, insats,
                                                           stranger, make_user, app):
    browser, person, draft = stranger
    asked = ["/deltagare/HEMLIG1", f"/svar/{draft.id}", f"/svar/{draft.id}/granska",
             f"/insatser/{insats.slug}/registrera"]
    for address in asked:
        assert browser.get(address).status_code == 404, address
    assert browser.post(f"/svar/{draft.id}/fraga/kon",
                        data={"answer-kon": "man", "go_to": "next"}).status_code == 404
    analyst = make_user(Role.ANALYST, email="analys@test.example")
    reader = app.test_client()
    sign_in(reader, analyst.email)
    assert reader.get(f"/insatser/{insats.slug}/registrera").status_code == 403

    denied = db.session.execute(select(AuditEvent.user_id, AuditEvent.subject).where(
        AuditEvent.action == Action.ACCESS_DENIED).order_by(AuditEvent.id)).all()
    assert denied == [*((person.id, address) for address in asked),
                      (person.id, f"/svar/{draft.id}/fraga/kon"),
                      (analyst.id, f"/insatser/{insats.slug}/registrera")]
    found = shown(client, f"handelse={Action.ACCESS_DENIED}")
    assert found[0][1:] == [analyst.email, "Nekad åtkomst",
                            f"/insatser/{insats.slug}/registrera", "utfall: inte tillåtet (403)"]
    assert found[-1][1:] == [person.email, "Nekad åtkomst", "/deltagare/HEMLIG1",
                             "utfall: finns inte (404)"]


def test_a_command_shows_the_command_line_and_its_user(client, forbund, signed_in_admin):
    audit.record_command(Action.COMMAND_EXPORT, forbund, "svar.csv", insats=None,
                         **{"from": "2025-01-01", "to": None}, rows=28)
    [row] = shown(client, f"handelse={Action.COMMAND_EXPORT}")
    assert row[1:] == [f"kommandoraden ({getpass.getuser()})",
                       "Export av svar från kommandoraden", "svar.csv",
                       "från: 2025-01-01; rader: 28"]


def test_the_new_kinds_are_offered_in_swedish(client, signed_in_admin):
    page = client.get(LOG).get_data(as_text=True)
    for name in ("Inmatat formulär", "Nekad åtkomst", "Fel deltagarkod i kiosk",
                 "Kiosk låst efter fel koder", "Export av svar från kommandoraden",
                 "Import av svar från kommandoraden", "Rapport från kommandoraden"):
        assert f">{name}</option>" in page
