"""The förbund's overview and insatser: creating and changing an insats, its measurement
schedule and goals; every refusal in Swedish with nothing written; who may see and change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    AuditEvent,
    Enrolment,
    Goal,
    Insats,
    InsatsKind,
    Role,
    ScheduleEntry,
    ScheduleTrigger,
)
from enkat.services.audit.events import Action
from enkat.services.deltagare.due import due_in_insats
from enkat.services.organisation.insatser import create_insats, find_insats
from enkat.services.organisation.schedules import standard_schedule

from .browser_form import form_values
from .test_auth import sign_in
from .test_respond import html

#: Every test here works in the test förbund's insats.
pytestmark = pytest.mark.usefixtures("insats")

# --- helpers and fixtures ------------------------------------------------------------


def snapshot(insats=None) -> dict:
    """What these pages may write: counts, the audit log and the insats' own fields."""
    db.session.expire_all()
    counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
              for model in (Insats, ScheduleEntry, Goal)}
    # refusals are audited (test_admin_audit.py); any other event is a change
    counts["audit_events"] = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                               .where(AuditEvent.action != Action.ACCESS_DENIED))
    if insats is not None:
        counts["insats"] = (insats.name, insats.huvudman, insats.kind, insats.starts_on,
                            insats.ends_on, insats.trial_period_days)
    return counts


def refused(response, *messages: str) -> str:
    page = html(response)
    assert response.status_code == 422, page
    for message in messages:
        assert message in page
    return page


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def insats_data(**fields) -> dict:
    return {"name": "Steget vidare", "slug": "", "huvudman": "Arbetsförmedlingen",
            "kind": "individ", "starts_on": "2025-01-01", "ends_on": "2026-12-31",
            "trial_period_days": "90", **fields}


def schedule_data(*rows: tuple, first: int = 0) -> dict:
    """The fields of schedule rows as the form names them, numbered from `first`."""
    data = {}
    for index, (instrument, timepoint, trigger, days) in enumerate(rows, start=first):
        data.update({f"rows-{index}-instrument_id": instrument,
                     f"rows-{index}-timepoint": timepoint,
                     f"rows-{index}-trigger": trigger,
                     f"rows-{index}-days": "" if days is None else str(days)})
    return data


def goal_data(*rows: tuple) -> dict:
    data = {}
    for index, (description, indicator, comparison, target) in enumerate(rows):
        data.update({f"rows-{index}-description": description,
                     f"rows-{index}-indicator": indicator,
                     f"rows-{index}-comparison": comparison,
                     f"rows-{index}-target": target})
    return data


@pytest.fixture
def as_analyst(client, make_user, insats):
    analyst = make_user(Role.ANALYST)
    sign_in(client, analyst.email)
    db.session.commit()
    return client


# --- the overview and the list ---------------------------------------------------------


def test_the_overview_shows_the_insatser_in_figures_and_links_only_to_parts_that_exist(
        app, as_admin, insats, make_participant):
    db.session.add(Enrolment(participant_id=make_participant("ABC123").id, insats_id=insats.id,
                             started_on=dt.date(2025, 2, 1)))
    db.session.commit()
    response = as_admin.get("/forbund/")
    page = html(response)
    assert response.status_code == 200
    assert "<h1>Samordningsförbundet Test</h1>" in page
    assert "Steget vidare" in page and '<td class="num">1</td>' in page
    assert 'href="/forbund/insatser"' in page and 'href="/forbund/anvandare"' in page
    for endpoint, title in (("admin.instruments", "Enkäter"), ("admin.results", "Resultat")):
        assert (f">{title}</a>" in page) == (endpoint in app.view_functions)


def test_the_list_shows_every_fact_of_an_insats(as_admin, make_insats):
    make_insats("unga", name="Unga vuxna", huvudman="Kommunen", kind=InsatsKind.STRUKTUR,
                starts_on=dt.date(2024, 1, 1), trial_period_days=30)
    db.session.commit()
    page = html(as_admin.get("/forbund/insatser"))
    assert "Unga vuxna" in page and "Kommunen" in page and "Strukturinriktad" in page
    assert "2024-01-01–tills vidare" in page and '<td class="num">30</td>' in page
    assert 'href="/forbund/insatser/unga/andra"' in page
    assert 'href="/forbund/insatser/ny"' in page


# --- creating and changing an insats ---------------------------------------------------


def test_an_administrator_creates_an_insats_and_its_slug_is_made_from_the_name(
        as_admin, forbund, admin):
    assert as_admin.get("/forbund/insatser/ny").status_code == 200
    response = as_admin.post("/forbund/insatser/ny", data=insats_data(name="Steget – Åre"))
    assert response.status_code == 303
    created = find_insats(forbund, "steget-are")
    assert response.headers["Location"] == "/forbund/insatser/steget-are/schema"
    assert (created.name, created.huvudman, created.kind, created.starts_on, created.ends_on,
            created.trial_period_days) == ("Steget – Åre", "Arbetsförmedlingen",
                                           InsatsKind.INDIVID, dt.date(2025, 1, 1),
                                           dt.date(2026, 12, 31), 90)
    [event] = events("insats-created")
    assert (event.user_id, event.forbund_id, event.subject) == (admin.id, forbund.id,
                                                                "steget-are")
    follow = as_admin.get(response.headers["Location"])
    assert "Insatsen Steget – Åre är skapad" in html(follow)


def test_a_generated_slug_that_is_taken_gets_a_number(as_admin, forbund):
    as_admin.post("/forbund/insatser/ny", data=insats_data(name="Steget"))
    assert find_insats(forbund, "steget-2") is not None


@pytest.mark.parametrize(("fields", "message"), [
    ({"slug": "steget"}, "Förbundet har redan en insats med kortnamnet ”steget”"),
    ({"slug": "Steget Två"}, "Kortnamnet får bara ha små bokstäver"),
    ({"name": ""}, "Skriv insatsens namn."),
    ({"ends_on": "2024-12-31"}, "Slutdatum kan inte vara före startdatum (2025-01-01)."),
    ({"starts_on": ""}, "Skriv startdatum som år-månad-dag"),
    ({"starts_on": "1 januari"}, "Skriv datumet som år-månad-dag, till exempel 2025-01-01."),
    ({"trial_period_days": "366"}, "Prövotiden ska vara ett helt antal dagar från 0 till 365."),
    ({"trial_period_days": "-1"}, "Prövotiden ska vara ett helt antal dagar från 0 till 365."),
    ({"trial_period_days": "nittio"}, "Skriv ett helt antal dagar med siffror"),
])
def test_a_new_insats_with_bad_input_is_refused_and_nothing_is_written(as_admin, fields,
                                                                         message):
    before = snapshot()
    response = as_admin.post("/forbund/insatser/ny", data=insats_data(**fields))
    page = refused(response, message, "Insatsen kunde inte sparas")
    assert 'aria-invalid="true"' in page
    assert snapshot() == before


@pytest.mark.parametrize("name", ["Steget vidare", "steget  VIDARE ", "Steget vidare\t"])
def test_a_second_insats_with_the_same_name_is_refused(as_admin, name):
    """The fixture's insats is "Steget vidare"; another of that name would be told apart
    by nothing but its slug (steget-vidare-2) in every list and report."""
    before = snapshot()
    response = as_admin.post("/forbund/insatser/ny", data=insats_data(name=name))
    refused(response, "Förbundet har redan en insats som heter ”", "Välj ett namn som "
            "skiljer dem åt", "Insatsen kunde inte sparas")
    assert snapshot() == before
    assert as_admin.post("/forbund/insatser/ny", data=insats_data(
        name="Steget vidare Åre")).status_code == 303


def test_an_insats_cannot_take_the_name_of_another_but_keeps_its_own(as_admin, insats,
                                                                     make_insats):
    make_insats("unga", name="Unga vuxna")
    db.session.commit()
    before = snapshot(insats)
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/andra",
                             data=insats_data(name="Unga Vuxna"))
    refused(response, "Förbundet har redan en insats som heter ”Unga Vuxna”.")
    assert snapshot(insats) == before
    assert as_admin.post(f"/forbund/insatser/{insats.slug}/andra",
                         data=insats_data(huvudman="Kommunen")).status_code == 303


def test_another_forbunds_insats_may_share_a_name(as_admin, make_forbund, make_insats):
    make_insats("annan", name="Unga vuxna", of=make_forbund("annat"))
    db.session.commit()
    assert as_admin.post("/forbund/insatser/ny", data=insats_data(
        name="Unga vuxna")).status_code == 303


def test_an_administrator_changes_an_insats_but_not_its_slug(as_admin, insats, admin):
    page = html(as_admin.get(f"/forbund/insatser/{insats.slug}/andra"))
    assert 'value="Steget vidare"' in page and "<dd>steget</dd>" in page
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/andra", data=insats_data(
        name="Steget framåt", slug="annat", huvudman="Kommunen", trial_period_days="60",
        ends_on=""))
    assert response.status_code == 303
    db.session.expire_all()
    assert (insats.slug, insats.name, insats.huvudman, insats.trial_period_days,
            insats.ends_on) == ("steget", "Steget framåt", "Kommunen", 60, None)
    [event] = events("insats-changed")
    assert event.detail["changed"]["name"] == ["Steget vidare", "Steget framåt"]
    assert event.detail["changed"]["trial_period_days"] == [90, 60]


def test_changing_an_insats_with_bad_input_writes_nothing(as_admin, insats):
    before = snapshot(insats)
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/andra",
                             data=insats_data(name="Nytt namn", ends_on="2024-06-30"))
    refused(response, "Slutdatum kan inte vara före startdatum")
    assert snapshot(insats) == before


def test_an_insats_with_deltagare_cannot_become_strukturinriktad(as_admin, insats,
                                                                 make_participant):
    db.session.add(Enrolment(participant_id=make_participant().id, insats_id=insats.id,
                             started_on=dt.date(2025, 2, 1)))
    db.session.commit()
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/andra",
                             data=insats_data(kind="struktur"))
    refused(response, "Insatsen har deltagare och kan inte bli strukturinriktad.")


# --- the schedule ----------------------------------------------------------------------


def test_a_schedule_made_on_the_page_drives_the_due_list(as_admin, insats, make_participant,
                                                         admin):
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/schema", data=schedule_data(
        ("finsam-inskrivning", "start", "at_start", None),
        ("ors", "session-{n}", "every_session", None),
        ("nns-deltagare-pagaende", "pagaende", "after_days", 90),
        ("finsam-uppfoljning", "uppfoljning-6m", "after_exit_days", 180),
    ), follow_redirects=True)
    assert "Mätschemat för Steget vidare är sparat." in html(response)
    db.session.expire_all()
    assert [(e.instrument_id, e.timepoint, e.trigger, e.days) for e in insats.schedule] == [
        ("finsam-inskrivning", "start", ScheduleTrigger.AT_START, None),
        ("ors", "session-{n}", ScheduleTrigger.EVERY_SESSION, None),
        ("nns-deltagare-pagaende", "pagaende", ScheduleTrigger.AFTER_DAYS, 90),
        ("finsam-uppfoljning", "uppfoljning-6m", ScheduleTrigger.AFTER_EXIT_DAYS, 180),
    ]
    [event] = events("schedule-changed")
    assert event.user_id == admin.id and len(event.detail["after"]) == 4
    enrolment = Enrolment(participant_id=make_participant("ABC123").id, insats_id=insats.id,
                          started_on=dt.date(2025, 1, 10))
    db.session.add(enrolment)
    db.session.flush()
    [due] = due_in_insats(insats, dt.date(2025, 4, 15))
    assert [(d.instrument_id, d.timepoint) for d in due.due] == [
        ("finsam-inskrivning", "start"), ("nns-deltagare-pagaende", "pagaende"),
        ("ors", "session-1")]


def test_the_standard_schedule_fills_the_form_without_saving_and_saves_on_request(
        as_admin, insats):
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/schema",
                             data={"standard": "1", **schedule_data()})
    page = html(response)
    assert response.status_code == 200
    assert "Standardschemat är ifyllt nedan men inte sparat." in page
    assert snapshot()["schedule_entries"] == 0
    standard = standard_schedule()
    data = schedule_data(*((row.instrument_id, row.timepoint, row.trigger.value, row.days)
                           for row in standard))
    for index, row in enumerate(standard):
        chosen = re.search(f'<select [^>]*name="rows-{index}-timepoint".*?</select>', page,
                           re.S).group(0)
        assert f'<option selected value="{row.timepoint}">' in chosen
    assert as_admin.post(f"/forbund/insatser/{insats.slug}/schema",
                         data=data).status_code == 303
    db.session.expire_all()
    saved = {(e.instrument_id, e.timepoint, e.trigger, e.days) for e in insats.schedule}
    assert {("ors", "session-{n}", ScheduleTrigger.EVERY_SESSION, None),
            ("srs", "session-{n}", ScheduleTrigger.EVERY_SESSION, None),
            ("nns-deltagare-pagaende", "pagaende", ScheduleTrigger.AFTER_DAYS, 90),
            ("nns-deltagare-avslut", "avslut", ScheduleTrigger.AT_EXIT, None),
            ("finsam-avslut", "avslut", ScheduleTrigger.AT_EXIT, None),
            ("skapa", "uppfoljning-{n}m", ScheduleTrigger.EVERY_DAYS, 90),
            ("finsam-uppfoljning", "uppfoljning-6m", ScheduleTrigger.AFTER_EXIT_DAYS, 180),
            ("finsam-uppfoljning", "uppfoljning-18m", ScheduleTrigger.AFTER_EXIT_DAYS, 540),
            } <= saved


def test_rows_are_added_and_removed_without_saving(as_admin, insats):
    url = f"/forbund/insatser/{insats.slug}/schema"
    two = schedule_data(("ors", "session-{n}", "every_session", None),
                        ("srs", "session-{n}", "every_session", None))
    added = html(as_admin.post(url, data={"add": "1", **two}))
    assert 'name="rows-2-instrument_id"' in added and "Rad 3" in added
    removed = as_admin.post(url, data={"remove": "0", **two})
    page = html(removed)
    assert removed.status_code == 200
    assert 'name="rows-1-instrument_id"' not in page
    assert '<option selected value="srs">' in page
    assert snapshot()["schedule_entries"] == 0


def test_a_blank_row_is_left_out_and_an_empty_schedule_removes_every_row(as_admin, insats):
    url = f"/forbund/insatser/{insats.slug}/schema"
    as_admin.post(url, data=schedule_data(("ors", "session-{n}", "every_session", None),
                                          ("", "", "", None)))
    db.session.expire_all()
    assert len(insats.schedule) == 1
    assert as_admin.post(url, data=schedule_data(("", "", "", None))).status_code == 303
    db.session.expire_all()
    assert insats.schedule == []


def saved_rows(insats) -> list[tuple]:
    db.session.expire_all()
    return [(e.instrument_id, e.timepoint, e.trigger.value, e.days) for e in insats.schedule]


def save_as_shown(client, url: str, change=None, press: dict | None = None):
    """Open the schedule page, change the form as a person would (`change` edits the
    values the browser holds) and press a button (Spara unless `press` says another)."""
    page = html(client.get(url))
    values = form_values(page)
    if change is not None:
        change(values)
    return client.post(url, data={**values, **(press or {"save": "1"})})


THREE_ROWS = (("finsam-inskrivning", "start", "at_start", None),
              ("ors", "session-{n}", "every_session", None),
              ("nns-deltagare-pagaende", "pagaende", "after_days", 90))


def test_a_saved_schedule_is_saved_again_as_shown_any_number_of_times(as_admin, insats):
    url = f"/forbund/insatser/{insats.slug}/schema"
    assert as_admin.post(url, data=schedule_data(*THREE_ROWS)).status_code == 303
    for _ in range(3):
        response = save_as_shown(as_admin, url)
        assert response.status_code == 303, html(response)
        assert saved_rows(insats) == list(THREE_ROWS)
    assert len(events("schedule-changed")) == 1  # saving it unchanged changes nothing


@pytest.mark.parametrize(("edit", "expected"), [
    ({"rows-2-days": "120"}, ("nns-deltagare-pagaende", "pagaende", "after_days", 120)),
    ({"rows-2-instrument_id": "skapa", "rows-2-timepoint": "uppfoljning-{n}m",
      "rows-2-trigger": "every_days"}, ("skapa", "uppfoljning-{n}m", "every_days", 90)),
])
def test_a_row_of_a_saved_schedule_is_changed_again_and_again(as_admin, insats, edit,
                                                              expected):
    url = f"/forbund/insatser/{insats.slug}/schema"
    as_admin.post(url, data=schedule_data(*THREE_ROWS))
    for _ in range(2):
        response = save_as_shown(as_admin, url, lambda values: values.update(edit))
        assert response.status_code == 303, html(response)
        assert saved_rows(insats) == [*THREE_ROWS[:2], expected]
        response = save_as_shown(as_admin, url, lambda values: values.update(
            schedule_data(THREE_ROWS[2], first=2)))
        assert response.status_code == 303, html(response)
        assert saved_rows(insats) == list(THREE_ROWS)


def test_two_saved_rows_change_places(as_admin, insats):
    """Each row takes the other's enkät and mätpunkt: a key that stays in the schedule
    moves to another row in the same save."""
    url = f"/forbund/insatser/{insats.slug}/schema"
    as_admin.post(url, data=schedule_data(*THREE_ROWS))
    swapped = schedule_data(THREE_ROWS[1], THREE_ROWS[0], THREE_ROWS[2])
    response = save_as_shown(as_admin, url, lambda values: values.update(swapped))
    assert response.status_code == 303, html(response)
    assert saved_rows(insats) == [THREE_ROWS[1], THREE_ROWS[0], THREE_ROWS[2]]


def test_a_row_of_a_saved_schedule_is_removed_and_added_again_and_again(as_admin, insats):
    url = f"/forbund/insatser/{insats.slug}/schema"
    as_admin.post(url, data=schedule_data(*THREE_ROWS))
    for _ in range(3):
        redrawn = save_as_shown(as_admin, url, press={"remove": "1"})  # "Ta bort rad 2"
        assert redrawn.status_code == 200 and saved_rows(insats) == list(THREE_ROWS)
        response = as_admin.post(url, data={**form_values(html(redrawn)), "save": "1"})
        assert response.status_code == 303, html(response)
        assert saved_rows(insats) == [THREE_ROWS[0], THREE_ROWS[2]]

        added = save_as_shown(as_admin, url, press={"add": "1"})  # "Lägg till en rad"
        values = {**form_values(html(added)), **schedule_data(THREE_ROWS[1], first=2),
                  "save": "1"}
        response = as_admin.post(url, data=values)
        assert response.status_code == 303, html(response)
        assert saved_rows(insats) == [THREE_ROWS[0], THREE_ROWS[2], THREE_ROWS[1]]
        as_admin.post(url, data=schedule_data(*THREE_ROWS))


def test_a_removed_row_comes_back_in_the_same_save_at_another_place(as_admin, insats):
    url = f"/forbund/insatser/{insats.slug}/schema"
    as_admin.post(url, data=schedule_data(*THREE_ROWS))
    response = save_as_shown(as_admin, url, lambda values: values.update(
        schedule_data(THREE_ROWS[0], THREE_ROWS[2], THREE_ROWS[1])))
    assert response.status_code == 303, html(response)
    assert saved_rows(insats) == [THREE_ROWS[0], THREE_ROWS[2], THREE_ROWS[1]]


def test_the_standard_schedule_replaces_a_saved_one_that_shares_rows_with_it(as_admin,
                                                                             insats):
    url = f"/forbund/insatser/{insats.slug}/schema"
    as_admin.post(url, data=schedule_data(*THREE_ROWS))
    standard = save_as_shown(as_admin, url, press={"standard": "1"})
    response = as_admin.post(url, data={**form_values(html(standard)), "save": "1"})
    assert response.status_code == 303, html(response)
    assert saved_rows(insats) == [(row.instrument_id, row.timepoint, row.trigger.value, row.days)
                                  for row in standard_schedule()]


@pytest.mark.parametrize(("row", "message"), [
    (("ors", "start", "at_start", None),
     "Rad 2: ORS – Hur har du haft det den senaste veckan? har inte mätpunkten ”Vid start”; "
     "den har bara ”Varje samtal”."),
    (("nns-deltagare-pagaende", "pagaende", "after_days", None),
     "Rad 2: skriv antal dagar för ”efter N dagar”."),
    (("finsam-inskrivning", "start", "at_start", 10),
     "Rad 2: lämna dagar tomt för ”vid start”"),
    (("skapa", "uppfoljning-{n}m", "every_days", 0),
     "Rad 2: antal dagar ska vara från 1 till 3650."),
    (("ors", "session-3", "every_session", None),
     "behöver en mätpunkt som räknas upp: ”Varje samtal” eller"),
    (("skapa", "uppfoljning-{n}m", "at_exit", None),
     "behöver en bestämd mätpunkt, till exempel ”Vid start”"),
    (("nns-personal", "arlig", "at_start", None), "Rad 2: välj en enkät i listan."),
    (("ors", "session-{n}", "", None), "Rad 2: välj när enkäten ska besvaras."),
    (("srs", "session-{n}", "every_session", None),
     "Rad 2: srs vid ”Varje samtal” står redan på rad 1."),
    (("ors", "session-{n}", "every_session", "tio"), "Skriv ett helt antal dagar med siffror"),
])
def test_a_bad_schedule_row_is_refused_and_nothing_is_written(as_admin, insats, row, message):
    url = f"/forbund/insatser/{insats.slug}/schema"
    as_admin.post(url, data=schedule_data(("finsam-avslut", "avslut", "at_exit", None)))
    before = snapshot(insats)
    first = ("srs", "session-{n}", "every_session", None)
    response = as_admin.post(url, data=schedule_data(first, row))
    page = refused(response, message, "Mätschemat kunde inte sparas")
    assert 'href="#rows-1-' in page
    assert snapshot(insats) == before
    db.session.expire_all()
    assert [e.instrument_id for e in insats.schedule] == ["finsam-avslut"]


# --- goals ---------------------------------------------------------------------------


def test_an_administrator_sets_goals_in_per_cent(as_admin, insats, admin):
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/mal", data=goal_data(
        ("Minst 40 % till arbete eller studier", "till-arbete-eller-studier",
         "at_least_share", "40"),
        ("Fler närmar sig egen försörjning", "narmar-sig-egen-forsorjning",
         "more_than_previous_year", ""),
        ("Nytta", "nytta", "at_least_share", "62,5 %"),
    ))
    assert response.status_code == 303
    db.session.expire_all()
    assert [(g.position, g.indicator, g.comparison, g.target) for g in insats.goals] == [
        (0, "till-arbete-eller-studier", "at_least_share", 0.4),
        (1, "narmar-sig-egen-forsorjning", "more_than_previous_year", None),
        (2, "nytta", "at_least_share", 0.625)]
    [event] = events("goals-changed")
    assert event.user_id == admin.id and len(event.detail["after"]) == 3
    page = html(as_admin.get(f"/forbund/insatser/{insats.slug}/mal"))
    assert 'value="62,5"' in page and 'value="40"' in page


@pytest.mark.parametrize(("row", "message"), [
    (("Mål", "lycka", "at_least_share", "40"),
     "Mål 2: ”lycka” är ingen indikator som enkat mäter."),
    (("Mål", "nytta", "at_least_share", "140"),
     "Mål 2: målvärdet ska vara mellan 0 och 100 procent."),
    (("Mål", "nytta", "at_least_share", "-5"),
     "Mål 2: målvärdet ska vara mellan 0 och 100 procent."),
    (("Mål", "nytta", "at_least_share", ""), "Mål 2: skriv målvärdet i procent."),
    (("Mål", "nytta", "at_least_share", "fyrtio"), "Skriv målvärdet som ett tal i procent"),
    (("Mål", "nytta", "more_than_previous_period", "40"), "Mål 2: lämna målvärdet tomt"),
    (("", "nytta", "more_than_previous_period", ""), "Mål 2: beskriv målet."),
    (("Mål", "nytta", "more_or_less", ""), "Mål 2: välj hur målet jämförs."),
])
def test_a_bad_goal_is_refused_and_nothing_is_written(as_admin, insats, row, message):
    first = ("Nytta", "nytta", "at_least_share", "70")
    before = snapshot(insats)
    response = as_admin.post(f"/forbund/insatser/{insats.slug}/mal", data=goal_data(first, row))
    refused(response, message, "Målen kunde inte sparas")
    assert snapshot(insats) == before


# --- who may do what -----------------------------------------------------------------


def test_an_analyst_sees_the_pages_without_forms_and_may_change_nothing(as_analyst, insats):
    insats.schedule = [ScheduleEntry(instrument_id="ors", timepoint="session-{n}",
                                     trigger=ScheduleTrigger.EVERY_SESSION)]
    insats.goals = [Goal(description="Nytta", indicator="nytta", comparison="at_least_share",
                         target=0.7)]
    db.session.commit()
    for path in ("/forbund/", "/forbund/insatser", f"/forbund/insatser/{insats.slug}/schema",
                 f"/forbund/insatser/{insats.slug}/mal"):
        response = as_analyst.get(path)
        assert response.status_code == 200, path
        assert "<form method=\"post\" novalidate" not in html(response)
    assert "varje träff" in html(as_analyst.get(f"/forbund/insatser/{insats.slug}/schema"))
    assert "70 %" in html(as_analyst.get(f"/forbund/insatser/{insats.slug}/mal"))
    assert "/andra" not in html(as_analyst.get("/forbund/insatser"))
    before = snapshot(insats)
    assert as_analyst.get("/forbund/insatser/ny").status_code == 403
    assert as_analyst.get(f"/forbund/insatser/{insats.slug}/andra").status_code == 403
    for path, data in (("/forbund/insatser/ny", insats_data(name="Ny")),
                       (f"/forbund/insatser/{insats.slug}/andra", insats_data(name="Ny")),
                       (f"/forbund/insatser/{insats.slug}/schema", schedule_data()),
                       (f"/forbund/insatser/{insats.slug}/mal", goal_data())):
        assert as_analyst.post(path, data=data).status_code == 403, path
    assert snapshot(insats) == before


def test_personal_are_forbidden(client, make_user, insats):
    sign_in(client, make_user(Role.STAFF).email)
    for path in ("/forbund/", "/forbund/insatser", f"/forbund/insatser/{insats.slug}/schema",
                 f"/forbund/insatser/{insats.slug}/mal", "/forbund/insatser/ny"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/forbund/insatser/{insats.slug}/schema",
                       data=schedule_data()).status_code == 403


def test_visitors_are_sent_to_sign_in(client, insats):
    for path in ("/forbund/", "/forbund/insatser", f"/forbund/insatser/{insats.slug}/schema",
                 f"/forbund/insatser/{insats.slug}/andra"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/login"), path


def test_another_forbunds_insats_is_not_found(as_admin, make_forbund):
    other = create_insats(make_forbund(), "annan", "Annan insats",
                          starts_on=dt.date(2025, 1, 1))
    db.session.commit()
    for path in (f"/forbund/insatser/{other.slug}/andra", f"/forbund/insatser/{other.slug}/schema",
                 f"/forbund/insatser/{other.slug}/mal"):
        assert as_admin.get(path).status_code == 404, path
    assert as_admin.post(f"/forbund/insatser/{other.slug}/schema", data=schedule_data(
        ("ors", "session-{n}", "every_session", None))).status_code == 404
    db.session.expire_all()
    assert other.schedule == []
