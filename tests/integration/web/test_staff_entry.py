"""Staff and paper entry: personal fill in registration forms and enter answers given on
paper through the shared answering pages; bad input, refused enrolments and access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    InsatsKind,
    InsatsStaff,
    Response,
    ResponseSource,
    Role,
    ScheduleEntry,
    ScheduleTrigger,
)
from enkat.services.answering.drafts import local_today
from enkat.services.answering.responses import answers_of
from enkat.services.deltagare.participants import find_participant, open_enrolment

from .test_auth import sign_in
from .test_respond import html, links_in, post_step

NNS_AVSLUT = [f"q{number}" for number in range(1, 11)] + ["kon"]


# --- helpers ------------------------------------------------------------------------------


def register_page(insats) -> str:
    return f"/insatser/{insats.slug}/registrera"


def register(client, insats, instrument, **fields):
    """Ask for a form on the registrera page; personal as the source and today unless
    said otherwise."""
    data = {"source": "staff", "instrument": instrument, "timepoint": "", "code": "",
            "answered_on": local_today().isoformat(), **fields}
    return client.post(register_page(insats), data=data)


def draft_path(response) -> str:
    """/svar/<id> of the draft a registrera POST opened: its steps are below it, its first
    page /svar/<id>/inmatning."""
    assert response.status_code == 303, html(response)
    return response.headers["Location"].split("/fraga/")[0]


def response_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Response))


def only_response() -> Response:
    db.session.expire_all()
    return db.session.scalars(select(Response)).one()


def add_staff(user, insats):
    db.session.add(InsatsStaff(insats_id=insats.id, user_id=user.id))
    db.session.flush()


def another_browser(app):
    """A new browser, with cookies of its own."""
    return app.test_client()


def enrol(make_response, participant, on=dt.date(2025, 2, 1)):
    make_response("finsam-inskrivning", {"kon": "man"}, participant=participant,
                  timepoint="start", answered_on=on)


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def deltagare(make_participant):
    """ABC123, not yet enrolled."""
    return make_participant("ABC123")


# --- whole forms --------------------------------------------------------------------------


def test_a_whole_inskrivning_by_personal_for_a_new_code(signed_in, insats):
    opened = register(signed_in, insats, "finsam-inskrivning", code="ny-42")
    path = draft_path(opened)
    assert opened.headers["Location"] == f"{path}/fraga/kon"
    step = html(signed_in.get(f"{path}/fraga/kon"))
    assert "Fråga 1 av 6" in step and "Logga ut" in step  # the staff frame around the step
    assert post_step(signed_in, path, "kon", "kvinna").headers["Location"] == (
        f"{path}/fraga/aldersgrupp")
    review = html(signed_in.get(f"{path}/granska"))
    assert "Kvinna" in review and "kan ett svar rättas på svarets sida" in review
    assert "går det inte att ändra svaren" not in review  # staff may correct it later

    sent = signed_in.post(f"{path}/granska")  # the deltagare's page comes next, with the code
    assert (sent.status_code, sent.headers["Location"]) == (303, "/deltagare/NY-42")
    assert ("Deltagaren är inskriven i Steget vidare med koden NY-42. Skriv upp koden"
            in html(signed_in.get("/deltagare/NY-42")))

    response = only_response()
    assert response.source is ResponseSource.STAFF and response.submitted_at is not None
    assert response.participant.code == "NY-42" and answers_of(response) == {"kon": ("kvinna",)}
    assert response.answered_on == local_today()
    enrolment = open_enrolment(response.participant, insats)
    assert enrolment is not None and enrolment.started_on == local_today()


def test_a_paper_nns_avslut_keeps_the_date_it_was_given(signed_in, insats):
    opened = register(signed_in, insats, "nns-deltagare-avslut", source="paper",
                      answered_on="2025-03-01")
    path = draft_path(opened)
    for key in NNS_AVSLUT:
        assert post_step(signed_in, path, key, "kvinna" if key == "kon" else "4").status_code == 303
    assert signed_in.post(f"{path}/granska").status_code == 303

    response = only_response()
    assert response.source is ResponseSource.PAPER and response.submitted_at is not None
    assert response.answered_on == dt.date(2025, 3, 1) and response.participant is None
    assert response.timepoint == "avslut"  # the form's only timepoint, when left empty


def test_a_paper_ors_is_typed_in_as_measured_with_one_decimal(signed_in, insats, deltagare,
                                                                make_response):
    enrol(make_response, deltagare)
    path = draft_path(register(signed_in, insats, "ors", source="paper", code="abc123",
                               timepoint="session-1", answered_on="2025-03-10"))
    page = html(signed_in.get(f"{path}/fraga/individuellt"))
    assert 'inputmode="decimal"' in page and "Mät från linjens vänstra ände" in page
    assert 'type="radio"' not in page
    refused = post_step(signed_in, path, "individuellt", "12")
    assert refused.status_code == 422 and "i centimeter från 0 till 10" in html(refused)
    for key, value in zip(("individuellt", "nara-relationer", "socialt", "allmant"),
                          ("6,4", "0", "10", "3.5"), strict=True):
        assert post_step(signed_in, path, key, value).status_code == 303
    review = html(signed_in.get(f"{path}/granska"))
    shown = [re.sub(r"<[^>]+>|\s+", " ", answer).strip()
             for answer in re.findall(r"<dd>(.*?)</dd>", review, re.S)]
    assert shown == ["6,4", "0,0", "10,0", "3,5"]  # the numbers typed
    assert "<svg" not in review and "<circle" not in review  # no drawn marks
    assert signed_in.post(f"{path}/granska").status_code == 303
    db.session.expire_all()
    paper = db.session.scalars(
        select(Response).where(Response.source == ResponseSource.PAPER)).one()
    assert answers_of(paper) == {"individuellt": ("6.4",), "nara-relationer": ("0.0",),
                                           "socialt": ("10.0",), "allmant": ("3.5",)}


def test_a_paper_srs_with_a_line_left_empty_cannot_be_sent(signed_in, insats, deltagare,
                                                          make_response):
    """The SRS total needs every line, so paper entry asks for each as the kiosk does."""
    enrol(make_response, deltagare)
    path = draft_path(register(signed_in, insats, "srs", source="paper", code="abc123",
                               timepoint="session-1", answered_on="2025-03-10"))
    empty = post_step(signed_in, path, "relation", "")
    assert empty.status_code == 422 and "Svara på frågan för att gå vidare." in html(empty)
    for key in ("relation", "mal-och-amnen", "allmant"):
        assert post_step(signed_in, path, key, "9,1").status_code == 303
    sent = signed_in.post(f"{path}/granska")
    assert sent.status_code == 422
    assert "Svara på den här frågan innan du skickar: Sätt att arbeta eller metod" in html(sent)
    db.session.expire_all()
    assert db.session.scalars(select(Response.submitted_at).where(
        Response.source == ResponseSource.PAPER)).all() == [None]


def test_a_paper_avslut_ends_the_enrolment_on_the_date_given(signed_in, insats, deltagare,
                                                             make_response):
    enrol(make_response, deltagare)
    path = draft_path(register(signed_in, insats, "finsam-avslut", source="paper",
                               code="abc123", answered_on="2025-03-10"))
    post_step(signed_in, path, "avslutsanledning", "arbete")
    assert signed_in.post(f"{path}/granska").status_code == 303
    assert deltagare.enrolments[0].ended_on == dt.date(2025, 3, 10)


def test_an_unfinished_draft_is_listed_and_continues_where_it_was_left(signed_in, insats):
    path = draft_path(register(signed_in, insats, "nns-deltagare-avslut", source="paper",
                               answered_on="2025-03-01"))
    post_step(signed_in, path, "q1", "3")

    page = html(signed_in.get(register_page(insats)))
    assert "anonym" in page and "papper" in page and "2025-03-01" in page
    assert f"{path}/inmatning" in links_in(page)
    assert signed_in.get(path).headers["Location"] == f"{path}/inmatning"
    start = html(signed_in.get(f"{path}/inmatning"))
    assert "Fortsätt" in start and f"{path}/fraga/q2" in links_in(start)
    assert 'value="3" checked' in html(signed_in.get(f"{path}/fraga/q1"))


def test_the_same_form_for_the_same_code_opens_the_same_draft(signed_in, insats):
    first = draft_path(register(signed_in, insats, "finsam-inskrivning", code="NY-1"))
    post_step(signed_in, first, "kon", "man")
    again = register(signed_in, insats, "finsam-inskrivning", code="NY-1",
                     answered_on="2025-02-03")
    assert draft_path(again) == first and again.headers["Location"] == f"{first}/fraga/aldersgrupp"
    assert only_response().answered_on == dt.date(2025, 2, 3)  # the date said last


def test_the_overview_links_to_registering(signed_in, insats):
    assert register_page(insats) in links_in(html(signed_in.get("/")))


def test_an_insats_without_deltagare_offers_no_forms(client, make_user, make_insats):
    admin = make_user(Role.ADMIN)
    struktur = make_insats("natverk", kind=InsatsKind.STRUKTUR)
    sign_in(client, admin.email)
    page = html(client.get(register_page(struktur)))
    assert "inga formulär att registrera" in page
    assert register(client, struktur, "finsam-inskrivning", code="NY-1").status_code == 422


# --- bad input ----------------------------------------------------------------------------


BAD_INPUT = {
    "unknown code": (
        {"instrument": "finsam-avslut", "code": "OKAND1"},
        "Det finns ingen deltagare med koden OKAND1 i förbundet."),
    "personnummer as code": (
        {"instrument": "finsam-inskrivning", "code": "19900101-1234"},
        "Det ser ut som ett personnummer."),
    "malformed code": (
        {"instrument": "finsam-inskrivning", "code": "A B"},
        "Koden kan bara ha bokstäver, siffror och bindestreck"),
    "code for an anonymous survey": (
        {"instrument": "nns-deltagare-avslut", "source": "paper", "code": "ABC123"},
        "besvaras anonymt. Lämna deltagarens kod tom."),
    "no code for a form about a deltagare": (
        {"instrument": "processtrappan", "timepoint": "start"},
        "Skriv deltagarens kod. Processtrappan – steg mot arbete gäller en deltagare."),
    "wrong timepoint": (
        {"instrument": "finsam-inskrivning", "code": "NY-1", "timepoint": "avslut"},
        "Välj en av mätpunkterna för Inskrivning i insats i listan: Vid start."),
    "no timepoint where there are several": (
        {"instrument": "skapa-personal", "code": "ABC123"},
        "Välj mätpunkt för SKAPA – personalens skattning: Vid start, Efter 3 månader, "
        "Efter 6 månader, Efter 12 månader, Efter 18 månader, Efter 24 månader, Vid avslut."),
    "a date in the future": (
        {"instrument": "finsam-inskrivning", "code": "NY-1", "answered_on": "2999-01-01"},
        "Datumet kan inte vara senare än i dag."),
    "a date that is no date": (
        {"instrument": "finsam-inskrivning", "code": "NY-1", "answered_on": "14/3/2025"},
        "Skriv datumet som år-månad-dag, till exempel 2025-03-14."),
    "a survey the deltagare answers themself, by personal": (
        {"instrument": "nns-deltagare-avslut"},
        "Välj källan papper för att föra in svar från papper."),
    "a form not offered at all": (
        {"instrument": "nns-personal", "source": "paper"},
        "Välj ett formulär eller en enkät i listan."),
    "an unknown source": (
        {"instrument": "finsam-inskrivning", "code": "NY-1", "source": "import"},
        "Välj källa: personal eller papper."),
    "an avslut without an open enrolment": (
        {"instrument": "finsam-avslut", "code": "ABC123"},
        "ABC123 har ingen pågående inskrivning i Steget vidare. Registrera inskrivningen först."),
}


@pytest.mark.parametrize("fields, message", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_said_next_to_the_field_and_writes_nothing(signed_in, insats, deltagare,
                                                                fields, message):
    before = response_count()
    refused = register(signed_in, insats, **fields)
    page = html(refused)
    assert refused.status_code == 422
    assert message in page and 'class="error"' in page and "<title>Fel:" in page
    assert response_count() == before


def test_a_refused_personnummer_is_not_shown_back_nor_stored(signed_in, insats):
    page = html(register(signed_in, insats, "finsam-inskrivning", code="199001011234"))
    assert "199001011234" not in page
    assert find_participant(insats.forbund, "199001011234") is None


def test_a_new_code_is_not_kept_when_the_form_is_refused(signed_in, insats):
    register(signed_in, insats, "finsam-inskrivning", code="NY-9", timepoint="avslut")
    assert find_participant(insats.forbund, "NY-9") is None


def test_an_inskrivning_for_someone_enrolled_is_refused(signed_in, insats, deltagare,
                                                        make_response):
    enrol(make_response, deltagare)
    refused = register(signed_in, insats, "finsam-inskrivning", code="ABC123")
    assert refused.status_code == 422
    assert "ABC123 är redan inskriven i Steget vidare sedan 2025-02-01." in html(refused)


def test_an_avslut_before_the_inskrivning_is_refused_on_the_date(signed_in, insats, deltagare,
                                                                  make_response):
    enrol(make_response, deltagare)
    refused = register(signed_in, insats, "finsam-avslut", code="ABC123",
                       answered_on="2025-01-15")
    assert refused.status_code == 422
    assert "Avslutet kan inte vara före inskrivningen, 2025-02-01." in html(refused)


def end(make_response, participant, on):
    make_response("finsam-avslut", {"avslutsanledning": "arbete"}, participant=participant,
                  timepoint="avslut", answered_on=on)


@pytest.mark.parametrize(("instrument", "timepoint", "answered_on"), [
    ("ors", "session-1", "1999-01-01"),
    ("ors", "session-1", "2025-01-31"),
    ("processtrappan", "start", "2025-01-31"),
])
def test_a_date_before_an_open_enrolment_is_refused_and_names_its_start(
        signed_in, insats, deltagare, make_response, instrument, timepoint, answered_on):
    enrol(make_response, deltagare)
    db.session.commit()  # kept when the refused request rolls back
    before = response_count()
    refused = register(signed_in, insats, instrument, source="paper", code="ABC123",
                       timepoint=timepoint, answered_on=answered_on)
    assert refused.status_code == 422
    assert ("Datumet måste ligga inom inskrivningen, som började 2025-02-01."
            in html(refused))
    assert response_count() == before
    assert draft_path(register(signed_in, insats, instrument, source="paper", code="ABC123",
                               timepoint=timepoint, answered_on="2025-02-01"))


def test_after_the_end_a_date_is_taken_while_the_schedules_follow_ups_last(
        signed_in, insats, deltagare, make_response):
    """Uppföljning 18 months (540 days) after an exit on 2024-06-30 falls due on
    2025-12-22; its paper form may come back up to 90 days later, until 2026-03-22."""
    insats.schedule = [ScheduleEntry(instrument_id="finsam-uppfoljning", timepoint=timepoint,
                                     trigger=ScheduleTrigger.AFTER_EXIT_DAYS, days=days)
                       for timepoint, days in (("uppfoljning-6m", 180),
                                               ("uppfoljning-18m", 540))]
    enrol(make_response, deltagare, on=dt.date(2024, 2, 1))
    end(make_response, deltagare, dt.date(2024, 6, 30))
    db.session.commit()
    for answered_on in ("2024-02-01", "2024-06-30", "2025-12-22", "2026-03-22"):
        assert draft_path(register(signed_in, insats, "finsam-uppfoljning", code="ABC123",
                                   timepoint="uppfoljning-18m", answered_on=answered_on))
    for answered_on in ("2024-01-31", "2026-03-23"):
        refused = register(signed_in, insats, "finsam-uppfoljning", code="ABC123",
                           timepoint="uppfoljning-18m", answered_on=answered_on)
        assert refused.status_code == 422
        assert ("Datumet måste ligga inom inskrivningen 2024-02-01 – 2024-06-30 "
                "(eller uppföljningen till 2026-03-22).") in html(refused)


def test_without_follow_ups_a_date_after_the_end_is_refused(signed_in, insats, deltagare,
                                                          make_response):
    enrol(make_response, deltagare)
    end(make_response, deltagare, dt.date(2025, 6, 30))
    db.session.commit()
    refused = register(signed_in, insats, "ors", source="paper", code="ABC123",
                       timepoint="session-3", answered_on="2025-07-01")
    assert refused.status_code == 422
    assert "Datumet måste ligga inom inskrivningen 2025-02-01 – 2025-06-30." in html(refused)


def test_a_date_in_an_earlier_enrolment_is_taken(signed_in, insats, deltagare,
                                                 make_response):
    enrol(make_response, deltagare)
    end(make_response, deltagare, dt.date(2025, 6, 30))
    enrol(make_response, deltagare, on=dt.date(2025, 9, 1))
    db.session.commit()
    assert draft_path(register(signed_in, insats, "ors", source="paper", code="ABC123",
                               timepoint="session-2", answered_on="2025-03-01"))
    refused = register(signed_in, insats, "ors", source="paper", code="ABC123",
                       timepoint="session-2", answered_on="2025-08-01")
    assert "Datumet måste ligga inom inskrivningen, som började 2025-09-01." in html(refused)


def test_a_form_for_a_deltagare_never_enrolled_in_the_insats_is_refused(signed_in, insats,
                                                                       deltagare):
    refused = register(signed_in, insats, "ors", source="paper", code="ABC123",
                       timepoint="session-1", answered_on="2025-03-01")
    assert refused.status_code == 422
    assert ("ABC123 har ingen inskrivning i Steget vidare. Registrera inskrivningen först."
            in html(refused))


def test_an_enrolment_ended_meanwhile_refuses_sending_and_says_why(signed_in, insats,
                                                                   deltagare, make_response):
    enrol(make_response, deltagare)
    path = draft_path(register(signed_in, insats, "finsam-avslut", code="ABC123"))
    post_step(signed_in, path, "avslutsanledning", "arbete")
    make_response("finsam-avslut", {"avslutsanledning": "studier"}, participant=deltagare,
                  timepoint="avslut", answered_on=dt.date(2025, 3, 1))  # entered elsewhere

    refused = signed_in.post(f"{path}/granska")
    assert refused.status_code == 422
    page = html(refused)
    assert "ABC123 har ingen pågående inskrivning i Steget vidare." in page
    assert "Kontrollera dina svar" in page
    draft = db.session.get(Response, int(path.rsplit("/", 1)[1]))
    db.session.refresh(draft)
    assert draft.submitted_at is None
    assert answers_of(draft) == {"avslutsanledning": ("arbete",)}


# --- access -------------------------------------------------------------------------------


def draft_pages(path):
    """Every address of a draft, with its method."""
    return [("get", path), ("get", f"{path}/fraga/kon"), ("post", f"{path}/fraga/kon"),
            ("get", f"{path}/granska"), ("post", f"{path}/granska")]


def test_personal_of_another_insats_find_nothing(app, signed_in, insats, make_user,
                                                 make_insats):
    path = draft_path(register(signed_in, insats, "finsam-inskrivning", code="NY-1"))
    stranger = make_user(Role.STAFF)
    add_staff(stranger, make_insats("annan", name="Annan insats"))
    other = another_browser(app)
    sign_in(other, stranger.email)
    assert other.get(register_page(insats)).status_code == 404
    assert register(other, insats, "finsam-inskrivning", code="NY-2").status_code == 404
    for method, page in draft_pages(path):
        response = getattr(other, method)(page, data={"answer-kon": "man", "go_to": "next"})
        assert response.status_code == 404, (method, page)
        assert "Steget vidare" not in html(response)
    assert answers_of(only_response()) == {}


def test_a_visitor_is_sent_to_sign_in(app, signed_in, insats):
    path = draft_path(register(signed_in, insats, "finsam-inskrivning", code="NY-1"))
    visitor = another_browser(app)
    for method, page in [("get", register_page(insats)), *draft_pages(path)]:
        response = getattr(visitor, method)(page)
        assert response.status_code == 302, (method, page)
        assert response.headers["Location"].startswith("/login")


def test_an_unknown_insats_and_an_unknown_draft_are_404(signed_in):
    assert signed_in.get("/insatser/finns-inte/registrera").status_code == 404
    assert signed_in.get("/svar/999999").status_code == 404


def test_a_draft_of_another_channel_is_not_reachable_here(signed_in, insats):
    path = draft_path(register(signed_in, insats, "nns-deltagare-avslut", source="paper"))
    draft = only_response()
    draft.source = ResponseSource.KIOSK
    db.session.commit()  # kept when a refused request rolls back
    assert signed_in.get(path).status_code == 404
    assert signed_in.get(f"{path}/fraga/q1").status_code == 404


def test_a_sent_draft_has_no_pages_and_sending_again_sends_once(signed_in, insats):
    path = draft_path(register(signed_in, insats, "finsam-inskrivning", code="NY-1"))
    post_step(signed_in, path, "kon", "man")
    assert signed_in.post(f"{path}/granska").status_code == 303
    for page in (f"{path}/inmatning", f"{path}/fraga/kon", f"{path}/granska"):
        assert signed_in.get(page).status_code == 404, page
    assert signed_in.get(path).status_code == 200  # the sent response's own page
    assert post_step(signed_in, path, "kon", "kvinna").status_code == 404
    again = signed_in.post(f"{path}/granska")
    assert (again.status_code, again.headers["Location"]) == (303, "/deltagare/NY-1")
    assert response_count() == 1 and answers_of(only_response()) == {"kon": ("man",)}
