"""A large förbund for benchmarks: valid data written with bulk inserts.

`record_response` costs about 2 ms a response, minutes for a million answers, so this
module writes the rows directly, in one transaction, with Core `insert` executemany in
chunks (and COPY for the answers on PostgreSQL). The data still follow the rules the
services keep:
- every answer is a code or value of the bundled instrument, at one of its timepoints
  (checked with `check_answers` while planning);
- an enrolment starts on the day of its `finsam-inskrivning` and ends on the day of its
  `finsam-avslut`; NNS is anonymous (insats, no deltagare); ORS/SRS are per session.

`forbund_count` förbund (one unless asked: the report measured is the first, `FORBUND_SLUG`;
the others are the rest of the country around it), `INSATSER` insatser each, deltagare
starting over three years up to `TODAY`, added round-robin to all the insatser until the
answers reach the target. Kön, background,
exit reasons and what follows them are drawn from the demo förbund's distributions
(`enkat.demo`). Everything comes from one seeded `random.Random`, so a seed
gives the same database every time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, insert

from enkat.demo import (
    ADULTS,
    EXIT_REASONS,
    FORSORJNING_AFTER_EXIT,
    KON,
    LAGE_AFTER_EXIT,
    SYSSELSATTNING_AFTER_EXIT,
    TRIAL_EXIT_REASONS,
    TRIAL_PERIOD_DAYS,
    pick,
)
from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.answers import check_answers
from enkat.models import (
    Answer,
    Enrolment,
    Forbund,
    Insats,
    InsatsKind,
    Participant,
    Response,
    ResponseSource,
)
from enkat.services.instruments.versions import register_version, resolve_instrument

FORBUND_SLUG = "riket"
INSATSER = 50
FIRST_DAY = dt.date(2023, 1, 1)
TODAY = dt.date(2025, 12, 31)
CHUNK = 10_000

INSTRUMENT_IDS = (
    "finsam-inskrivning", "finsam-avslut", "finsam-uppfoljning",
    "nns-deltagare-pagaende", "nns-deltagare-avslut",
    "ors", "srs", "skapa", "skapa-personal", "processtrappan",
)

# Shares of deltagare: how they leave, which forms they get. Tuned so that a deltagare
# has about 120 answers, most of them ORS/SRS and SKAPA, like an insats that follows
# its deltagare session by session (1,000,000 answers: about 170 deltagare an insats).
TRIAL_EXIT_SHARE = 0.12
WITHOUT_CONSENT_SHARE = 0.05
FOLLOW_UP_SHARE = 0.9
NNS_PAGAENDE_SHARE = 0.80
NNS_AVSLUT_SHARE = 0.75
NNS_KON_SHARE = 0.65
NNS_VET_EJ_SHARE = 0.04
ORS_SHARE = 0.85
SRS_SHARE = 0.92
SESSIONS = (6, 14)
SKAPA_SHARE = 0.85
SKAPA_PERSONAL_SHARE = 0.5
SKAPA_FOLLOW_UPS = (3, 6)  # months after the start
PROCESSTRAPPAN_SHARE = 0.5


@dataclass(frozen=True)
class PlannedResponse:
    instrument_id: str
    timepoint: str
    answered_on: dt.date
    answers: dict[str, list[str]]
    about_participant: bool = True


@dataclass(frozen=True)
class Course:
    """One deltagare's enrolment and the forms filled in about it."""

    code: str
    insats_index: int
    started_on: dt.date
    ended_on: dt.date | None
    responses: list[PlannedResponse]


@dataclass
class Totals:
    insatser: int = 0
    participants: int = 0
    responses: int = 0
    answers: int = 0
    answers_by_instrument: dict[str, int] = field(default_factory=dict)
    everywhere: Totals | None = None  # of every förbund, when there are several

    def add_response(self, instrument_id: str, answers: int) -> None:
        self.responses += 1
        self.answers += answers
        by_instrument = self.answers_by_instrument
        by_instrument[instrument_id] = by_instrument.get(instrument_id, 0) + answers


# --- planning: plain data, no database -------------------------------------------------


class Planner:
    """Plans deltagare courses; every planned response is checked against its instrument."""

    def __init__(self, instruments: dict[str, Instrument], seed: int, insatser: int):
        self.instruments = instruments
        self.rng = random.Random(seed)
        self.insatser = insatser

    def courses(self) -> Iterator[Course]:
        for number in itertools.count(1):
            yield self.course(number)

    def course(self, number: int) -> Course:
        rng = self.rng
        started_on = FIRST_DAY + dt.timedelta(days=rng.randint(0, (TODAY - FIRST_DAY).days - 30))
        if rng.random() < TRIAL_EXIT_SHARE:
            ended_on: dt.date | None = started_on + dt.timedelta(
                days=rng.randint(20, TRIAL_PERIOD_DAYS - 1))
        else:
            ended_on = started_on + dt.timedelta(days=rng.randint(120, 720))
        if ended_on > TODAY:
            ended_on = None
        kon = pick(rng, KON)
        course = Course(f"D{number:07d}", number % self.insatser, started_on, ended_on, [])
        course.responses.extend(self.registration(course, kon))
        course.responses.extend(self.nns(course, kon))
        course.responses.extend(self.sessions(course))
        course.responses.extend(self.skapa(course))
        course.responses.extend(self.processtrappan(course))
        for planned in course.responses:
            self.check(planned)
        return course

    def registration(self, course: Course, kon: str) -> list[PlannedResponse]:
        """Inskrivning, avslut and follow-ups, distributed like the demo förbund's."""
        rng = self.rng
        answers = {"kon": [kon]}
        if rng.random() >= WITHOUT_CONSENT_SHARE:
            answers |= {
                "aldersgrupp": [pick(rng, ADULTS.aldersgrupp)],
                "utbildning": [pick(rng, ADULTS.utbildning)],
                "tid-offentlig-forsorjning": [pick(rng, ADULTS.tid_offentlig_forsorjning)],
                "forsorjning": list(pick(rng, ADULTS.forsorjning)),
                "sysselsattning": list(pick(rng, ADULTS.sysselsattning)),
            }
        planned = [PlannedResponse("finsam-inskrivning", "start", course.started_on, answers)]
        if course.ended_on is None:
            return planned
        trial = (course.ended_on - course.started_on).days < TRIAL_PERIOD_DAYS
        reason = pick(rng, TRIAL_EXIT_REASONS if trial else EXIT_REASONS)
        at_exit = {"avslutsanledning": [reason]}
        if "forsorjning" in answers:
            after = FORSORJNING_AFTER_EXIT.get(reason)
            at_exit["forsorjning"] = list(pick(rng, after)) if after else answers["forsorjning"]
            at_exit["sysselsattning"] = list(pick(rng, SYSSELSATTNING_AFTER_EXIT[reason]))
        planned.append(PlannedResponse("finsam-avslut", "avslut", course.ended_on, at_exit))
        for months in (6, 18):
            day = course.ended_on + dt.timedelta(days=30 * months + rng.randint(0, 14))
            if day <= TODAY and rng.random() < FOLLOW_UP_SHARE:
                planned.append(PlannedResponse(
                    "finsam-uppfoljning", f"uppfoljning-{months}m", day,
                    {"lage": [pick(rng, LAGE_AFTER_EXIT[reason])]}))
        return planned

    def nns(self, course: Course, kon: str) -> list[PlannedResponse]:
        planned = []
        pagaende = course.started_on + dt.timedelta(days=90 + self.rng.randint(0, 14))
        if active_on(course, pagaende) and self.rng.random() < NNS_PAGAENDE_SHARE:
            planned.append(self.nns_response("nns-deltagare-pagaende", "pagaende", pagaende,
                                             7, kon))
        if course.ended_on is not None and self.rng.random() < NNS_AVSLUT_SHARE:
            planned.append(self.nns_response("nns-deltagare-avslut", "avslut", course.ended_on,
                                             10, kon))
        return planned

    def nns_response(self, instrument_id: str, timepoint: str, day: dt.date, items: int,
                     kon: str) -> PlannedResponse:
        overall = self.rng.gauss(4.7, 0.8)
        answers = {f"q{n}": [self.nns_answer(overall)] for n in range(1, items + 1)}
        if self.rng.random() < NNS_KON_SHARE:
            answers["kon"] = [kon]
        return PlannedResponse(instrument_id, timepoint, day, answers, about_participant=False)

    def nns_answer(self, mean: float) -> str:
        if self.rng.random() < NNS_VET_EJ_SHARE:
            return "0"
        return str(clamp(round(self.rng.gauss(mean, 0.8)), 1, 6))

    def sessions(self, course: Course) -> list[PlannedResponse]:
        """ORS at the start and SRS at the end of sessions one to three weeks apart."""
        rng = self.rng
        if rng.random() >= ORS_SHARE:
            return []
        planned, level, gain = [], rng.uniform(3.0, 6.0), rng.uniform(-0.1, 0.5)
        day = course.started_on + dt.timedelta(days=rng.randint(0, 10))
        for session in range(1, rng.randint(*SESSIONS) + 1):
            if not active_on(course, day):
                break
            timepoint = f"session-{session}"
            planned.append(PlannedResponse("ors", timepoint, day, self.vas(
                ("individuellt", "nara-relationer", "socialt", "allmant"), level)))
            if rng.random() < SRS_SHARE:
                planned.append(PlannedResponse("srs", timepoint, day, self.vas(
                    ("relation", "mal-och-amnen", "metod", "allmant"), 9.0)))
            level = min(level + gain, 9.5)
            day += dt.timedelta(weeks=rng.randint(1, 3))
        return planned

    def vas(self, items: Sequence[str], level: float) -> dict[str, list[str]]:
        return {item: [f"{clamp(self.rng.gauss(level, 1.0), 0.0, 10.0):.1f}"] for item in items}

    def skapa(self, course: Course) -> list[PlannedResponse]:
        """SKAPA at the start, at three and six months and at the exit (while active)."""
        rng = self.rng
        if rng.random() >= SKAPA_SHARE:
            return []
        occasions = [("start", course.started_on + dt.timedelta(days=rng.randint(0, 7)))]
        occasions += [(f"uppfoljning-{m}m", course.started_on + dt.timedelta(days=30 * m))
                      for m in SKAPA_FOLLOW_UPS]
        occasions = [(timepoint, day) for timepoint, day in occasions if active_on(course, day)]
        if course.ended_on is not None:
            occasions.append(("avslut", course.ended_on))
        with_personal = rng.random() < SKAPA_PERSONAL_SHARE
        level, planned = rng.uniform(2.0, 6.0), []
        for timepoint, day in occasions:
            for instrument_id in ("skapa", "skapa-personal")[:1 + with_personal]:
                items = [item.id for item in self.instruments[instrument_id].items]
                planned.append(PlannedResponse(instrument_id, timepoint, day, {
                    item: [str(clamp(round(rng.gauss(level, 1.2)), 1, 10))] for item in items}))
            level += rng.uniform(-0.3, 1.0)
        return planned

    def processtrappan(self, course: Course) -> list[PlannedResponse]:
        if self.rng.random() >= PROCESSTRAPPAN_SHARE:
            return []
        planned = [PlannedResponse("processtrappan", "start", course.started_on,
                                   {"steg": [self.code("processtrappan", "steg")]})]
        if course.ended_on is not None:
            planned.append(PlannedResponse("processtrappan", "avslut", course.ended_on,
                                           {"steg": [self.code("processtrappan", "steg")]}))
        return planned

    def code(self, instrument_id: str, item_id: str) -> str:
        return self.rng.choice(self.options(instrument_id, item_id))

    def options(self, instrument_id: str, item_id: str) -> list[str]:
        item = next(i for i in self.instruments[instrument_id].items if i.id == item_id)
        return [option.code for option in item.options]

    def check(self, planned: PlannedResponse) -> None:
        """Refuse to write what `record_response` would refuse."""
        instrument = self.instruments[planned.instrument_id]
        if not instrument.matches_timepoint(planned.timepoint):
            raise ValueError(f"{planned.timepoint} is not a timepoint of {instrument.id}")
        _, problems = check_answers(instrument, planned.answers, timepoint=planned.timepoint)
        if problems:
            raise ValueError(f"{instrument.id}: {problems}")


def active_on(course: Course, day: dt.date) -> bool:
    return course.started_on <= day <= TODAY and (course.ended_on is None
                                                  or day <= course.ended_on)


def clamp(value, low, high):
    return max(low, min(high, value))


# --- writing: bulk inserts in one transaction -------------------------------------------


class BulkWriter:
    """Buffers rows per table with ids given here, and writes them in chunks, parents first."""

    TABLES: tuple[Table, ...] = (Participant.__table__, Enrolment.__table__,
                                 Response.__table__, Answer.__table__)

    def __init__(self, connection: Connection):
        self.connection = connection
        self.rows: dict[Table, list[dict]] = {table: [] for table in self.TABLES}
        self.next_id = dict.fromkeys(self.TABLES, 1)

    def add(self, table: Table, **row) -> int:
        row["id"] = self.next_id[table]
        self.next_id[table] += 1
        self.rows[table].append(row)
        if len(self.rows[Answer.__table__]) >= CHUNK:
            self.flush()
        return row["id"]

    def flush(self) -> None:
        for table in self.TABLES:
            if self.rows[table]:
                self.write(table, self.rows[table])
                self.rows[table] = []

    def write(self, table: Table, rows: list[dict]) -> None:
        if table is Answer.__table__ and self.connection.dialect.name == "postgresql":
            self.copy(table, rows)
        else:
            self.connection.execute(insert(table), rows)

    def copy(self, table: Table, rows: list[dict]) -> None:
        """PostgreSQL's COPY: several times faster than executemany for plain columns."""
        columns = list(rows[0])
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])


def build(answers_target: int, seed: int, forbund_count: int = 1) -> Totals:
    """Write `forbund_count` förbund with about `answers_target` answers in all, in one
    transaction; `Totals` counts the first förbund's (the one the bench reports on).

    Call inside an app context.
    """
    instruments = {i: resolve_instrument(i) for i in INSTRUMENT_IDS}
    version_ids = {i: register_version(instrument).id for i, instrument in instruments.items()}
    insatser = [insats for number in range(forbund_count) for insats in _forbund(number)]
    db.session.add_all(insatser)
    db.session.flush()
    totals, everywhere = Totals(insatser=INSATSER), Totals(insatser=len(insatser))
    writer = BulkWriter(db.session.connection())
    for course in Planner(instruments, seed, len(insatser)).courses():
        insats = insatser[course.insats_index]
        counted = (totals, everywhere) if insats.forbund.slug == FORBUND_SLUG else (everywhere,)
        write_course(writer, course, insats.forbund.id, insats.id, version_ids, counted)
        if everywhere.answers >= answers_target:
            break
    writer.flush()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:  # committed: statistics are transactional
            connection.exec_driver_sql("ANALYZE")  # as autovacuum would, soon after a load
    totals.everywhere = everywhere
    return totals


def _forbund(number: int) -> list[Insats]:
    """The insatser of one förbund: the first is the one measured, the others its country."""
    slug = FORBUND_SLUG if number == 0 else f"{FORBUND_SLUG}-{number:02d}"
    forbund = Forbund(slug=slug, name=f"Samordningsförbundet {slug.capitalize()}")
    return [Insats(forbund=forbund, slug=f"insats-{n:02d}", name=f"Insats {n:02d}",
                   kind=InsatsKind.INDIVID, starts_on=FIRST_DAY) for n in range(INSATSER)]


def write_course(writer: BulkWriter, course: Course, forbund_id: int, insats_id: int,
                 version_ids: dict[str, int], counted: tuple[Totals, ...]) -> None:
    moment = dt.datetime.combine(course.started_on, dt.time(9), dt.UTC)
    participant_id = writer.add(Participant.__table__, forbund_id=forbund_id, code=course.code,
                                created_at=moment)
    writer.add(Enrolment.__table__, participant_id=participant_id, insats_id=insats_id,
               started_on=course.started_on, ended_on=course.ended_on)
    for totals in counted:
        totals.participants += 1
    for planned in course.responses:
        submitted = dt.datetime.combine(planned.answered_on, dt.time(10), dt.UTC)
        response_id = writer.next_id[Response.__table__]
        writer.add(
            Response.__table__, forbund_id=forbund_id, external_id=f"bench-{response_id}",
            instrument_version_id=version_ids[planned.instrument_id], insats_id=insats_id,
            participant_id=participant_id if planned.about_participant else None,
            timepoint=planned.timepoint, answered_on=planned.answered_on,
            started_at=submitted, submitted_at=submitted,
            source=ResponseSource.STAFF if planned.about_participant else ResponseSource.KIOSK,
            language="sv", invitation_id=None,
        )
        for item_id, values in planned.answers.items():
            for position, value in enumerate(values):
                writer.add(Answer.__table__, response_id=response_id, item_id=item_id,
                           position=position, value=value)
        count = sum(len(values) for values in planned.answers.values())
        for totals in counted:
            totals.add_response(planned.instrument_id, count)
