"""Answering page by page: drafts saved, resumed, checked, and submitted exactly once."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.instruments import load_file
from enkat.models import Enrolment, Invitation, Response, ResponseSource, utcnow
from enkat.services.answering.drafts import (
    AlreadySubmitted,
    LinkClosed,
    find_draft,
    open_draft,
    open_draft_for,
    save_page,
    submit,
)
from enkat.services.answering.invitations import create_invitation
from enkat.services.answering.responses import ResponseContext, ResponseRefused, answers_of
from enkat.services.deltagare.participants import EnrolmentError
from enkat.services.instruments.versions import register_version, resolve_instrument
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from tests.databases import empty_database

MONDAY = dt.date(2025, 3, 3)


@pytest.fixture
def alla_typer(db_session, repo_root):
    """The test instrument with every item type and conditions, in use in the database."""
    return register_version(load_file(
        repo_root / "tests" / "unit" / "instruments" / "valid" / "alla-typer.json"
    ))


@pytest.fixture
def deltagare(make_participant):
    return make_participant("ABC123")


@pytest.fixture
def link_draft(insats, deltagare, alla_typer):
    invitation, _ = create_invitation(insats, "alla-typer", "start", participant=deltagare)
    return open_draft(invitation, "ar", today=MONDAY)


@pytest.fixture
def context(forbund, insats, deltagare):
    def make(instrument_id: str, timepoint: str, participant=deltagare):
        return ResponseContext(
            forbund=forbund, instrument=resolve_instrument(instrument_id), insats=insats,
            participant=participant, timepoint=timepoint, answered_on=MONDAY,
        )

    return make


def responses_in_db() -> list[tuple[int, dt.datetime | None]]:
    return db.session.execute(select(Response.id, Response.submitted_at)).all()


def reloaded(response: Response) -> Response:
    """The response as a later request sees it."""
    db.session.expire_all()
    return db.session.get(Response, response.id)


# --- opening and resuming --------------------------------------------------------------


def test_a_link_opens_a_draft_in_its_frame(link_draft, insats, deltagare, alla_typer):
    assert link_draft.submitted_at is None
    assert (link_draft.source, link_draft.language, link_draft.answered_on) == (
        ResponseSource.LINK, "ar", MONDAY)
    assert (link_draft.insats_id, link_draft.participant_id, link_draft.timepoint,
            link_draft.instrument_version_id) == (insats.id, deltagare.id, "start", alla_typer.id)


def test_opening_the_link_again_resumes_the_draft_with_its_answers(link_draft):
    assert save_page(link_draft, {"kon": ["kvinna"]}, ["kon"]) == ()
    invitation = db.session.get(Invitation, reloaded(link_draft).invitation_id)
    resumed = open_draft(invitation)
    assert resumed.id == link_draft.id
    assert answers_of(resumed) == {"kon": ("kvinna",)}
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_link_shows_an_unsaved_draft_until_something_is_saved(insats, deltagare,
                                                                 alla_typer):
    invitation, _ = create_invitation(insats, "alla-typer", "start", participant=deltagare)
    shown = find_draft(invitation, "en", today=MONDAY)
    assert shown.id is None and shown not in db.session
    assert (shown.insats_id, shown.participant_id, shown.instrument_version, shown.language,
            shown.answered_on) == (
        insats.id, deltagare.id, invitation.instrument_version, "en", MONDAY)
    assert answers_of(shown) == {} and responses_in_db() == []
    stored = open_draft(invitation, "en")
    assert responses_in_db() == [(stored.id, None)]
    assert find_draft(invitation).id == open_draft(invitation).id == stored.id


def test_an_expired_or_used_link_opens_no_draft(insats):
    expired, _ = create_invitation(insats, "nns-deltagare-avslut", "avslut",
                                   now=utcnow() - dt.timedelta(days=31))
    for opening in (find_draft, open_draft):
        with pytest.raises(LinkClosed, match="^länken har gått ut$"):
            opening(expired)
    used, _ = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    submit(open_draft(used))
    with pytest.raises(LinkClosed, match="^länken har redan använts$"):
        open_draft(used)


def test_a_code_resumes_its_draft_in_the_kiosk(context, alla_typer):
    first = open_draft_for(context("alla-typer", "start"), ResponseSource.KIOSK)
    assert save_page(first, {"kon": ["man"]}, ["kon"]) == ()
    again = open_draft_for(context("alla-typer", "start"), ResponseSource.KIOSK)
    assert again.id == first.id
    assert answers_of(again) == {"kon": ("man",)}
    assert open_draft_for(context("alla-typer", "avslut"), ResponseSource.KIOSK).id != first.id
    assert open_draft_for(context("alla-typer", "start"), ResponseSource.STAFF).id != first.id


def test_an_anonymous_kiosk_draft_is_never_handed_to_the_next_person(context):
    nns = context("nns-deltagare-avslut", "avslut", participant=None)
    first = open_draft_for(nns, ResponseSource.KIOSK)
    assert save_page(first, {"q1": ["2"]}, ["q1"]) == ()
    second = open_draft_for(nns, ResponseSource.KIOSK)
    assert second.id != first.id
    assert answers_of(second) == {}


def test_a_draft_in_a_wrong_frame_is_refused(context, deltagare):
    with pytest.raises(ResponseRefused) as refused:
        open_draft_for(context("nns-deltagare-avslut", "start"), ResponseSource.KIOSK)
    assert str(refused.value) == (
        'timepoint: "start" är ingen mätpunkt för nns-deltagare-avslut (tillåtna: avslut); '
        "participant: nns-deltagare-avslut är anonym och tar ingen deltagarkod")
    assert responses_in_db() == []


# --- saving pages ----------------------------------------------------------------------


def test_pages_are_saved_separately_and_an_empty_value_clears(link_draft):
    assert save_page(link_draft, {"kon": ["kvinna"]}, ["kon"]) == ()
    assert save_page(link_draft, {"q1": ["5"], "stod": ["samtal", "praktik"]},
                     ["q1", "stod", "betyg"]) == ()
    assert save_page(link_draft, {"q1": [""], "betyg": ["3"]}, ["q1", "stod", "betyg"]) == ()
    assert answers_of(reloaded(link_draft)) == {"kon": ("kvinna",), "betyg": ("3",)}


def test_a_bad_value_refuses_the_whole_page_and_writes_nothing(link_draft):
    assert save_page(link_draft, {"q1": ["5"]}, ["q1"]) == ()
    problems = save_page(link_draft, {"q1": ["4"], "betyg": ["9"],
                                      "stod": ["samtal", "praktik", "studier"]},
                         ["q1", "betyg", "stod"])
    assert [(problem.item_id, problem.message) for problem in problems] == [
        ("betyg", '"9" är inget av frågans svarsalternativ (tillåtna koder: 1, 2, 3)'),
        ("stod", "ska ha högst 2 svar"),
    ]
    assert answers_of(reloaded(link_draft)) == {"q1": ("5",)}


def test_an_answer_to_an_item_not_on_the_page_is_refused(link_draft):
    problems = save_page(link_draft, {"kon": ["man"], "q1": ["5"]}, ["kon"])
    assert [(problem.item_id, problem.message) for problem in problems] == [
        ("q1", "står inte på den här sidan")]
    assert answers_of(reloaded(link_draft)) == {}


def test_an_item_hidden_by_an_answer_on_another_page_cannot_be_answered(link_draft):
    assert save_page(link_draft, {"q1": ["2"]}, ["q1"]) == ()
    problems = save_page(link_draft, {"timmar": ["12"]}, ["timmar"])
    assert [(problem.item_id, problem.message) for problem in problems] == [
        ("timmar", "är besvarad fast den bara ställs när svaret på q1 är 4, 5 eller 6")]


def test_a_changed_condition_keeps_the_hidden_answer_until_submit_drops_it(link_draft):
    assert save_page(link_draft, {"q1": ["5"]}, ["q1"]) == ()
    assert save_page(link_draft, {"timmar": ["12,5"]}, ["timmar"]) == ()
    assert save_page(link_draft, {"q1": ["2"]}, ["q1"]) == ()
    assert answers_of(reloaded(link_draft)) == {"q1": ("2",), "timmar": ("12.5",)}
    submitted = submit(link_draft)
    assert answers_of(reloaded(submitted)) == {"q1": ("2",)}


# --- submitting ------------------------------------------------------------------------


def test_submit_is_idempotent(link_draft):
    save_page(link_draft, {"q1": ["6"]}, ["q1"])
    moment = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
    first = submit(link_draft, now=moment)
    second = submit(reloaded(link_draft), now=moment + dt.timedelta(seconds=2))
    assert first.id == second.id
    assert responses_in_db() == [(first.id, moment)]
    assert answers_of(second) == {"q1": ("6",)}


def test_submit_uses_up_the_link(link_draft):
    save_page(link_draft, {"q1": ["6"]}, ["q1"])
    moment = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
    submit(link_draft, now=moment)
    invitation = db.session.get(Invitation, link_draft.invitation_id)
    assert invitation.used_at == moment


def test_submit_refuses_while_a_required_item_is_unanswered(link_draft):
    save_page(link_draft, {"kon": ["man"]}, ["kon"])
    with pytest.raises(ResponseRefused, match="^fråga q1: måste besvaras men har inget svar$"):
        submit(link_draft)
    assert reloaded(link_draft).submitted_at is None
    assert db.session.get(Invitation, link_draft.invitation_id).used_at is None


def test_nothing_can_be_saved_into_a_submitted_response(link_draft):
    save_page(link_draft, {"q1": ["6"]}, ["q1"])
    submit(link_draft)
    with pytest.raises(AlreadySubmitted, match="^svaren är redan skickade$"):
        save_page(link_draft, {"q1": ["1"]}, ["q1"])
    assert answers_of(reloaded(link_draft)) == {"q1": ("6",)}


def test_an_inskrivning_entered_by_staff_starts_the_enrolment(context, insats, deltagare):
    draft = open_draft_for(context("finsam-inskrivning", "start"), ResponseSource.STAFF)
    assert save_page(draft, {"kon": ["kvinna"], "aldersgrupp": ["30-44"]},
                     ["kon", "aldersgrupp"]) == ()
    submit(draft)
    enrolment = db.session.scalars(select(Enrolment)).one()
    assert (enrolment.participant_id, enrolment.insats_id, enrolment.started_on) == (
        deltagare.id, insats.id, MONDAY)
    assert reloaded(draft).source is ResponseSource.STAFF


def test_a_refused_enrolment_leaves_the_draft_as_it_was(context):
    draft = open_draft_for(context("finsam-avslut", "avslut"), ResponseSource.PAPER)
    assert save_page(draft, {"avslutsanledning": ["arbete"]}, ["avslutsanledning"]) == ()
    with pytest.raises(EnrolmentError, match="^ABC123 har ingen pågående inskrivning i steget$"):
        submit(draft)
    draft = reloaded(draft)
    assert (draft.submitted_at, answers_of(draft)) == (None, {"avslutsanledning": ("arbete",)})
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


# --- at the same time, on each database, with real commits ------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_app(request, tmp_path_factory):
    """An app on its own database, so that requests in threads really commit."""
    from flask_migrate import upgrade

    from enkat import create_app

    url = empty_database(request, tmp_path_factory.mktemp("parallel"), "enkat_drafts_parallel")
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                              "SECRET_KEY": "test-secret-key"})
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def in_parallel(app, count: int, work) -> list:
    """Run work(index) in `count` threads at once, each as its own request that commits."""
    barrier = threading.Barrier(count)

    def request(index: int):
        with app.app_context():
            barrier.wait()
            result = work(index)
            db.session.commit()
            return result

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(request, range(count)))


@pytest.fixture
def shared_link_draft(shared_app):
    with shared_app.app_context():
        forbund = create_forbund(f"parallel-{uuid.uuid4().hex[:8]}", "Parallell")
        insats = create_insats(forbund, "steget", "Steget vidare")
        invitation, _ = create_invitation(insats, "nns-deltagare-avslut", "avslut")
        draft_id, invitation_id = open_draft(invitation).id, invitation.id
        db.session.commit()
    return draft_id, invitation_id


NNS_AVSLUT_ITEMS = [f"q{number}" for number in range(1, 11)] + ["kon"]


def test_parallel_saves_of_one_draft_lose_nothing(shared_app, shared_link_draft):
    draft_id, _ = shared_link_draft

    def save_one_page(index: int) -> tuple:
        item = NNS_AVSLUT_ITEMS[index % len(NNS_AVSLUT_ITEMS)]  # each page saved several times
        value = "man" if item == "kon" else "5"
        return save_page(db.session.get(Response, draft_id), {item: [value]}, [item])

    assert in_parallel(shared_app, 3 * len(NNS_AVSLUT_ITEMS), save_one_page) == [()] * 33
    with shared_app.app_context():
        saved = answers_of(db.session.get(Response, draft_id))
    assert saved == {item: ("man",) if item == "kon" else ("5",) for item in NNS_AVSLUT_ITEMS}


def test_parallel_submits_of_one_link_make_one_response(shared_app, shared_link_draft):
    draft_id, invitation_id = shared_link_draft
    with shared_app.app_context():
        save_page(db.session.get(Response, draft_id), {"q1": ["6"]}, ["q1"])
        db.session.commit()

    def send(index: int) -> tuple[int, dt.datetime]:
        response = submit(db.session.get(Response, draft_id))
        return response.id, response.submitted_at

    results = in_parallel(shared_app, 50, send)
    with shared_app.app_context():
        stored = db.session.execute(
            select(Response.id, Response.submitted_at)
            .where(Response.invitation_id == invitation_id)
        ).all()
        used_at = db.session.get(Invitation, invitation_id).used_at
    assert len(stored) == 1
    assert set(results) == {tuple(stored[0])}
    assert used_at == stored[0].submitted_at
