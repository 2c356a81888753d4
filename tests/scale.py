"""A förbund at the size issue 17 designs for: 2,000 deltagare in 15 insatser, 40 staff.

Used by the scale tests (the `scale_forbund` fixture) and by `bench/workspace_scale.py`.
The förbund, its insatser (with the standard schedule), staff and instrument versions
are made through the services; the deltagare, enrolments, responses and answers are
written with bulk inserts (a response through `record_response` costs milliseconds,
minutes for this many). The data are dated back from `today`, so the to-do lists look
like those of a förbund in use: most deltagare answered on time, some did not (overdue
inskrivningar, avslut and follow-ups), every ongoing deltagare has a session to rate.

Everything comes from one seeded `random.Random`: a seed gives the same förbund.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import insert

from enkat.demo import EXIT_REASONS, KON, LAGE_AFTER_EXIT, pick
from enkat.extensions import db
from enkat.models import (
    Answer,
    Enrolment,
    Forbund,
    Insats,
    InsatsStaff,
    Participant,
    Response,
    ResponseSource,
    Role,
    User,
)
from enkat.services.instruments.versions import register_version, resolve_instrument
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.organisation.schedules import replace_schedule, standard_schedule
from enkat.services.people.passwords import hash_password
from enkat.services.people.users import grant_role

FORBUND_SLUG = "storforbundet"
DELTAGARE = 2_000
INSATSER = 15
STAFF = 40
#: The staff member with several insatser the bench and the browser test sign in as.
STAFF_EMAIL = "personal@storforbundet.example"
STAFF_PASSWORD = "skalan-personal-2026"
STAFF_INSATSER = 3

INSTRUMENT_IDS = ("finsam-inskrivning", "finsam-avslut", "finsam-uppfoljning",
                  "ors", "srs", "skapa", "skapa-personal")
SKAPA = ("skapa", "skapa-personal")
#: The share of what is due that was answered; the rest stays on the to-do lists.
ANSWERED_SHARE = {"finsam-inskrivning": 0.95, "finsam-avslut": 0.85,
                  "finsam-uppfoljning": 0.7, "skapa": 0.75, "ors": 0.85}
ENDED_SHARE = 0.45
SESSIONS = (3, 14)
ORS_ITEMS = ("individuellt", "nara-relationer", "socialt", "allmant")
SRS_ITEMS = ("relation", "mal-och-amnen", "metod", "allmant")
CHUNK = 5_000


@dataclass(frozen=True)
class Planned:
    instrument_id: str
    timepoint: str
    answered_on: dt.date
    answers: dict[str, str]


@dataclass
class Course:
    code: str
    insats_index: int
    started_on: dt.date
    ended_on: dt.date | None
    responses: list[Planned] = field(default_factory=list)


@dataclass(frozen=True)
class ScaleForbund:
    forbund: Forbund
    insatser: list[Insats]
    staff_member: User  # works in STAFF_INSATSER insatser
    deltagare: int
    responses: int


class Planner:
    """Plans one deltagare's course and the forms answered about it."""

    def __init__(self, today: dt.date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.skapa_items = {instrument_id: [item.id for item in
                                            resolve_instrument(instrument_id).items]
                            for instrument_id in SKAPA}

    def courses(self, count: int) -> Iterator[Course]:
        for number in range(1, count + 1):
            yield self.course(number)

    def course(self, number: int) -> Course:
        rng, today = self.rng, self.today
        started_on = today - dt.timedelta(days=rng.randint(3, 730))
        ended_on = None
        if rng.random() < ENDED_SHARE:
            ended_on = started_on + dt.timedelta(days=rng.randint(30, 540))
            if ended_on >= today:
                ended_on = None
        course = Course(f"S{number:05d}", number % INSATSER, started_on, ended_on)
        self.registration(course)
        self.sessions(course)
        self.skapa(course)
        return course

    def answered(self, instrument_id: str) -> bool:
        return self.rng.random() < ANSWERED_SHARE[instrument_id]

    def registration(self, course: Course) -> None:
        rng, add = self.rng, course.responses.append
        if self.answered("finsam-inskrivning"):
            add(Planned("finsam-inskrivning", "start", course.started_on, {"kon": pick(rng, KON)}))
        if course.ended_on is None or not self.answered("finsam-avslut"):
            return
        reason = pick(rng, EXIT_REASONS)
        add(Planned("finsam-avslut", "avslut", course.ended_on, {"avslutsanledning": reason}))
        for months in (6, 18):
            day = course.ended_on + dt.timedelta(days=30 * months + rng.randint(0, 14))
            if day <= self.today and self.answered("finsam-uppfoljning"):
                add(Planned("finsam-uppfoljning", f"uppfoljning-{months}m", day,
                            {"lage": pick(rng, LAGE_AFTER_EXIT[reason])}))

    def sessions(self, course: Course) -> None:
        """ORS and SRS in sessions one to three weeks apart, while the deltagare is in."""
        rng = self.rng
        if not self.answered("ors"):
            return
        level, gain = rng.uniform(3.0, 6.0), rng.uniform(-0.2, 0.5)
        day = course.started_on
        last = course.ended_on or self.today
        for session in range(1, rng.randint(*SESSIONS) + 1):
            if day > last:
                break
            for instrument_id, items, mean in (("ors", ORS_ITEMS, level), ("srs", SRS_ITEMS, 9.0)):
                course.responses.append(Planned(instrument_id, f"session-{session}", day,
                                                self.vas(items, mean)))
            level = min(level + gain, 9.5)
            day += dt.timedelta(weeks=rng.randint(1, 3))

    def vas(self, items: tuple[str, ...], mean: float) -> dict[str, str]:
        return {item: f"{min(10.0, max(0.0, self.rng.gauss(mean, 1.0))):.1f}" for item in items}

    def skapa(self, course: Course) -> None:
        """SKAPA, the deltagare's and the staff's, at the start, every 90 days and at the
        exit, some of them missed."""
        last = course.ended_on or self.today
        occasions = [("start", course.started_on)]
        rounds = (last - course.started_on).days // 90
        occasions += [(f"uppfoljning-{3 * n}m", course.started_on + dt.timedelta(days=90 * n))
                      for n in range(1, rounds + 1)]
        if course.ended_on is not None:
            occasions.append(("avslut", course.ended_on))
        for (timepoint, day), (instrument_id, items) in itertools.product(
                occasions, self.skapa_items.items()):
            if self.answered("skapa"):
                course.responses.append(Planned(instrument_id, timepoint, day, {
                    item: str(self.rng.randint(1, 10)) for item in items}))


class Writer:
    """Bulk inserts with the ids the database gives (other rows may exist already)."""

    def __init__(self) -> None:
        self.session = db.session

    def ids(self, model, rows: list[dict]) -> list[int]:
        if not rows:
            return []
        found = self.session.scalars(
            insert(model).returning(model.id, sort_by_parameter_order=True), rows)
        return list(found)

    def plain(self, model, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.session.execute(insert(model), rows[start:start + CHUNK])


def build(today: dt.date, *, seed: int = 17, deltagare: int = DELTAGARE) -> ScaleForbund:
    """Write the förbund; flushes, never commits (the caller's transaction decides)."""
    forbund = create_forbund(FORBUND_SLUG, "Samordningsförbundet Storstaden")
    insatser = [create_insats(forbund, f"insats-{n:02d}", f"Insats {n:02d}",
                              starts_on=today - dt.timedelta(days=800))
                for n in range(1, INSATSER + 1)]
    schedule = standard_schedule()
    for insats in insatser:
        replace_schedule(insats, schedule, by=None)
    staff_member = _staff(forbund, insatser)
    versions = {instrument_id: register_version(resolve_instrument(instrument_id)).id
                for instrument_id in INSTRUMENT_IDS}
    db.session.flush()
    courses = list(Planner(today, seed).courses(deltagare))
    responses = _write(forbund, insatser, courses, versions)
    db.session.expire_all()
    return ScaleForbund(forbund, insatser, staff_member, len(courses), responses)


def _staff(forbund: Forbund, insatser: list[Insats]) -> User:
    """40 staff, two or three to an insats; the first works in STAFF_INSATSER of them.
    One password hash for all (argon2 takes a tenth of a second a hash)."""
    password_hash = hash_password(STAFF_PASSWORD)
    users = [User(email=STAFF_EMAIL if n == 0 else f"personal{n:02d}@storforbundet.example",
                  display_name=f"Personal {n:02d}", password_hash=password_hash)
             for n in range(STAFF)]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        grant_role(user, forbund, Role.STAFF)
    pairs = {(0, index) for index in range(STAFF_INSATSER)}
    pairs |= {(n, (n - 1) % INSATSER) for n in range(1, STAFF)}
    db.session.add_all(InsatsStaff(user_id=users[n].id, insats_id=insatser[index].id)
                       for n, index in sorted(pairs))
    db.session.flush()
    return users[0]


def _write(forbund: Forbund, insatser: list[Insats], courses: list[Course],
           versions: dict[str, int]) -> int:
    writer = Writer()
    created = dt.datetime.now(dt.UTC)
    participant_ids = writer.ids(Participant, [
        {"forbund_id": forbund.id, "code": course.code, "created_at": created}
        for course in courses])
    writer.plain(Enrolment, [
        {"participant_id": participant_id, "insats_id": insatser[course.insats_index].id,
         "started_on": course.started_on, "ended_on": course.ended_on}
        for participant_id, course in zip(participant_ids, courses, strict=True)])
    planned = [(participant_id, insatser[course.insats_index].id, response)
               for participant_id, course in zip(participant_ids, courses, strict=True)
               for response in course.responses]
    response_ids = []
    for start in range(0, len(planned), CHUNK):
        response_ids += writer.ids(Response, [
            _response_row(forbund, participant_id, insats_id, response, versions,
                          f"skala-{start + index}")
            for index, (participant_id, insats_id, response)
            in enumerate(planned[start:start + CHUNK])])
    writer.plain(Answer, [
        {"response_id": response_id, "item_id": item_id, "position": 0, "value": value}
        for response_id, (_, _, response) in zip(response_ids, planned, strict=True)
        for item_id, value in response.answers.items()])
    return len(planned)


def _response_row(forbund: Forbund, participant_id: int, insats_id: int, response: Planned,
                  versions: dict[str, int], external_id: str) -> dict:
    moment = dt.datetime.combine(response.answered_on, dt.time(10), dt.UTC)
    return {"forbund_id": forbund.id, "external_id": external_id,
            "instrument_version_id": versions[response.instrument_id],
            "insats_id": insats_id, "participant_id": participant_id,
            "timepoint": response.timepoint, "answered_on": response.answered_on,
            "started_at": moment, "submitted_at": moment, "source": ResponseSource.STAFF,
            "language": "sv", "invitation_id": None}
