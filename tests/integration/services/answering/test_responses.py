"""Recording responses: checks, instrument versions and enrolment."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.instruments import load_data
from enkat.models import Enrolment, InstrumentVersion, Response
from enkat.services.answering.responses import ResponseRefused, answers_of
from enkat.services.deltagare.participants import EnrolmentError
from enkat.services.instruments.versions import (
    InstrumentChanged,
    register_version,
    resolve_instrument,
)

INSKRIVNING = {"kon": "kvinna", "aldersgrupp": "30-44", "forsorjning": ["forsorjningsstod", "lon"]}


def test_a_response_points_at_the_exact_version_it_was_answered_with(make_response,
                                                                    make_participant):
    response = make_response("ors", {"individuellt": "4.5", "nara-relationer": "6",
                                     "socialt": "3,2", "allmant": "5.0"},
                             participant=make_participant(), timepoint="session-1")
    stored = db.session.get(InstrumentVersion, response.instrument_version_id)
    ors = resolve_instrument("ors")
    assert (stored.instrument_id, stored.version, stored.sha256) == ("ors", ors.version, ors.sha256)
    assert json.loads(stored.definition)["id"] == "ors"
    assert answers_of(response) == {"allmant": ("5.0",), "individuellt": ("4.5",),
                                    "nara-relationer": ("6.0",), "socialt": ("3.2",)}


def test_every_problem_of_a_response_is_reported_at_once(make_response, make_participant):
    with pytest.raises(ResponseRefused) as refused:
        make_response("nns-deltagare-pagaende", {"q1": "7", "q2": ["5", "6"], "q99": "1"},
                      participant=make_participant(), timepoint="avslut")
    fields = sorted(getattr(problem, "field", None) or problem.item_id
                    for problem in refused.value.problems)
    assert fields == ["participant", "q1", "q2", "q99", "timepoint"]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_changed_instrument_under_the_same_version_is_refused(make_response, make_participant):
    ors = resolve_instrument("ors")
    register_version(ors)
    changed = ors.definition()
    changed["title"]["sv"] = "ORS (ändrad)"
    with pytest.raises(InstrumentChanged, match=r'höj "version" till 2'):
        register_version(load_data(changed, "ors.json"))
    changed["version"] = ors.version + 1
    assert register_version(load_data(changed, "ors.json")).version == ors.version + 1
    assert resolve_instrument("ors").version == ors.version + 1
    assert resolve_instrument("ors", ors.version).sha256 == ors.sha256


def test_inskrivning_starts_and_avslut_ends_the_enrolment(make_response, make_participant, insats):
    deltagare = make_participant()
    make_response("finsam-inskrivning", INSKRIVNING, participant=deltagare, timepoint="start",
                  answered_on=dt.date(2025, 2, 3))
    make_response("finsam-avslut", {"avslutsanledning": "arbete", "forsorjning": "lon"},
                  participant=deltagare, timepoint="avslut", answered_on=dt.date(2025, 9, 30))
    enrolment = db.session.scalars(select(Enrolment)).one()
    assert (enrolment.insats_id, enrolment.started_on, enrolment.ended_on) == (
        insats.id, dt.date(2025, 2, 3), dt.date(2025, 9, 30))


def test_avslut_without_an_open_enrolment_is_refused(make_response, make_participant):
    with pytest.raises(EnrolmentError, match="har ingen pågående inskrivning"):
        make_response("finsam-avslut", {"avslutsanledning": "studier"},
                      participant=make_participant(), timepoint="avslut")


def test_anonymous_nns_response_carries_insats_and_timepoint_but_no_code(make_response, insats):
    response = make_response("nns-deltagare-avslut", {"q1": "6", "q8": "0", "kon": "man"},
                             timepoint="avslut")
    assert (response.participant_id, response.insats_id, response.timepoint) == (
        None, insats.id, "avslut")

