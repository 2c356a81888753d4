"""Importing responses from the tidy CSV (one row per answer; `enkat import responses`).

The format is a public interface, documented in docs/formats.md; the file is read by
`enkat.formats.tidy_csv`, and exported by `services.results.answer_exports`. An import
applies whole or not at all: every problem of the file is collected,
each with its line and in Swedish, and if there is any, nothing is written.

An import runs in three passes, so that its cost grows with the file and not with one
statement per row (`bench/import_export.py`). The first reads the file, resolves every
response's förbund, insats, deltagare code and instrument and checks its answers. The
second reads, in a few statements per förbund, what is stored about the file's responses
(responses imported before, deltagare, open enrolments) and goes through the responses
in date order in memory, with the rules `record_response` applies to one response
(`frame_problems`, `owner_problems`, `check_start`, `check_end`), so a response is
accepted or refused exactly as from a form. Only when neither pass found a problem does
the third write, in bulk (`services.bulk`: COPY on PostgreSQL) inside a savepoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sqlalchemy import bindparam, select, update

from enkat.extensions import db
from enkat.formats.tidy_csv import (
    FRAME_COLUMNS,
    MUST_NOT_BE_EMPTY,
    CsvProblem,
    TidyRow,
    read_rows,
    row_answers,
)
from enkat.instruments import Instrument
from enkat.instruments.answers import AnswerProblem, check_answers, is_blank
from enkat.instruments.model import EnrolmentRole, not_a_date, parse_date
from enkat.models import (
    Answer,
    Enrolment,
    Forbund,
    Insats,
    InstrumentVersion,
    Participant,
    Response,
    ResponseSource,
    utcnow,
)
from enkat.reports.numbers import format_count
from enkat.services import ServiceError
from enkat.services.answering.responses import (
    ContextProblem,
    answer_values,
    frame_problems,
    owner_problems,
)
from enkat.services.bulk import insert_rows, select_in
from enkat.services.deltagare.participants import (
    EnrolmentError,
    InvalidCode,
    check_code,
    check_end,
    check_start,
)
from enkat.services.instruments.versions import (
    UnknownInstrument,
    change_since_first_use,
    register_version,
    resolve_instrument,
    uploaded_by,
)
from enkat.services.organisation.forbund import check_slug, create_forbund, find_forbund
from enkat.services.organisation.insatser import create_insats, find_insats


class ImportFailed(ServiceError):
    """Nothing was imported; `problems` lists everything wrong, in file order."""

    def __init__(self, problems: Iterable[CsvProblem]):
        self.problems = tuple(sorted(problems, key=attrgetter("line")))
        count = len(self.problems)
        listing = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"inget importerades: {format_count(count)} problem i filen\n{listing}")


@dataclass(frozen=True)
class ImportSummary:
    responses_created: int = 0
    responses_unchanged: int = 0
    participants_created: int = 0
    insatser_created: int = 0
    forbund_created: int = 0
    #: every förbund the file's responses belong to, with the responses created in it
    created_per_forbund: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass
class _Planned:
    """A response of the file, checked and resolved as far as possible without writing."""

    forbund_slug: str
    external_id: str
    rows: list[TidyRow]
    instrument: Instrument
    insats_slug: str | None
    participant_code: str | None
    timepoint: str
    answered_on: dt.date
    #: the answers as they are stored (`check_answers`)
    answers: dict[str, tuple[str, ...]]

    @property
    def line(self) -> int:
        return self.rows[0].line


def import_responses(
    data: bytes, *, forbund_slug: str | None = None, create_missing: bool = False
) -> ImportSummary:
    """Import a tidy CSV file whole, or raise `ImportFailed` having written nothing.

    `forbund_slug` names the förbund the file is for: rows with an empty forbund column
    belong to it, rows naming another förbund are refused. `create_missing` creates
    unknown förbund and insatser (named by their slug) instead of refusing them.
    Responses already imported with identical content are skipped, so a file can be
    imported again.
    """
    run = _ImportRun(forbund_slug, create_missing)
    new = run.check(run.plan(data))
    if run.problems:
        raise ImportFailed(run.problems)
    if new:
        with db.session.begin_nested():
            run.write(new)
    return run.summary()


def _application_order(response: _Planned) -> tuple[dt.date, int, int]:
    """By date; on one date inskrivning first and avslut last, so a year's file works."""
    rank = {EnrolmentRole.STARTS: 0, EnrolmentRole.ENDS: 2}.get(
        response.instrument.results.enrolment, 1)
    return (response.answered_on, rank, response.line)


class _ImportRun:
    """The state of one import: problems found, names resolved, things created."""

    def __init__(self, forbund_slug: str | None, create_missing: bool):
        self.forbund_slug = forbund_slug
        self.create_missing = create_missing
        self.problems: list[CsvProblem] = []
        self._refusals = 0  # problems found, including those reported on an earlier line
        self._reported: set[tuple[str, ...]] = set()
        self._instruments: dict[tuple[str, str], Instrument | CsvProblem] = {}
        self._forbund: dict[str, Forbund | None] = {}
        self._insatser: dict[tuple[str, str], Insats | None] = {}
        self._counts: dict[str, int] = {}
        self._created_per_forbund: dict[str, int] = {}
        self._uploaders: dict[tuple[str, int], int | None] = {}
        self._changes: dict[tuple[str, int], str | None] = {}
        self.known = _Known()

    def add(self, problem: CsvProblem) -> None:
        self.problems.append(problem)
        self._refusals += 1

    def problem(self, line: int, column: str | None, message: str) -> None:
        self.add(CsvProblem(line, column, message))

    def problem_once(
        self, key: tuple[str, ...], line: int, column: str | None, message: str
    ) -> None:
        """Report an unknown name at its first line only, not on every row using it."""
        if key in self._reported:
            self._refusals += 1
        else:
            self._reported.add(key)
            self.problem(line, column, message)

    def count(self, what: str) -> None:
        self._counts[what] = self._counts.get(what, 0) + 1

    def summary(self) -> ImportSummary:
        return ImportSummary(**self._counts, created_per_forbund=self._created_per_forbund)

    def existing_forbund(self, slug: str) -> Forbund | None:
        if slug not in self._forbund:
            self._forbund[slug] = find_forbund(slug)
        return self._forbund[slug]

    def existing_insats(self, forbund_slug: str, slug: str) -> Insats | None:
        key = (forbund_slug, slug)
        if key not in self._insatser:
            forbund = self.existing_forbund(forbund_slug)
            self._insatser[key] = find_insats(forbund, slug) if forbund else None
        return self._insatser[key]

    # --- first pass: read and resolve, without writing ----------------------------------

    def plan(self, data: bytes) -> list[_Planned]:
        rows = read_rows(data, self.problems)
        planned = []
        for (slug, external_id), group in self._group(rows).items():
            response = self._plan_response(slug, external_id, group)
            if response is not None:
                planned.append(response)
        return planned

    def _group(self, rows: list[TidyRow]) -> dict[tuple[str, str], list[TidyRow]]:
        """The rows of each response, by förbund and response_id (unique per förbund)."""
        groups: dict[tuple[str, str], list[TidyRow]] = {}
        for row in rows:
            slug = row["forbund"] or self.forbund_slug or ""
            groups.setdefault((slug, row["response_id"]), []).append(row)
        return groups

    def _plan_response(self, slug: str, external_id: str, rows: list[TidyRow]) -> _Planned | None:
        before = self._refusals
        rows_agree = self._check_rows_agree(external_id, rows)
        first = rows[0]
        forbund_usable = self._check_forbund(slug, first)
        instrument = self._instrument(first)
        answered_on = self._answered_on(first)
        participant_code = self._participant_code(first)
        insats_slug = self._insats_slug(slug, first, forbund_usable)
        answers: dict[str, tuple[str, ...]] = {}
        if not first["timepoint"]:
            self.problem(first.line, "timepoint", MUST_NOT_BE_EMPTY)
        elif instrument is not None and rows_agree:
            answers = self._check_values(instrument, first["timepoint"], rows)
        if self._refusals > before or instrument is None or answered_on is None:
            return None
        return _Planned(slug, external_id, rows, instrument, insats_slug, participant_code,
                        first["timepoint"], answered_on, answers)

    def _check_rows_agree(self, external_id: str, rows: list[TidyRow]) -> bool:
        first, agree = rows[0], True
        for row in rows[1:]:
            for column in FRAME_COLUMNS:
                if row[column] != first[column]:
                    agree = False
                    self.problem(row.line, column,
                                 self._disagreement(external_id, column, row, first))
        return agree

    @staticmethod
    def _disagreement(external_id: str, column: str, row: TidyRow, first: TidyRow) -> str:
        """Why a row's frame differs from its response's first row: a date mistyped in
        one row is said to be no date, as it would be in the first."""
        if column == "answered_on" and parse_date(row[column]) is None:
            return not_a_date(row[column])
        return (f'"{row[column]}" här men "{first[column]}" på rad {first.line}; '
                f'alla rader i svaret "{external_id}" ska ha samma {column}')

    def _check_values(self, instrument: Instrument, timepoint: str,
                      rows: list[TidyRow]) -> dict[str, tuple[str, ...]]:
        """The answers as they are stored; checked here, so that they are reported even
        for a response that cannot be applied (say, of an unknown förbund). A response
        whose every value is empty answers nothing (an empty value is a question not
        answered): it is refused, not counted as a response given."""
        if all(is_blank(row["value"]) for row in rows):
            self.problem(rows[0].line, "value", nothing_answered(rows[0]["response_id"]))
            return {}
        answers, problems = check_answers(instrument, row_answers(rows), timepoint=timepoint)
        self.report(instrument, rows, problems)
        return answers

    def report(self, instrument: Instrument, rows: list[TidyRow],
               problems: Iterable[AnswerProblem | ContextProblem]) -> None:
        for problem in problems:
            self.add(_located(instrument, rows, problem))

    def _check_forbund(self, slug: str, row: TidyRow) -> bool:
        """Whether the response's förbund exists or may be created; report why not."""
        if not slug:
            self.problem(
                row.line, "forbund", f"{MUST_NOT_BE_EMPTY} när importen inte anger förbundet"
            )
            return False
        if self.forbund_slug and slug != self.forbund_slug:
            self.problem(
                row.line, "forbund",
                f'raden gäller förbundet "{slug}", men importen gäller "{self.forbund_slug}"',
            )
            return False
        if self.existing_forbund(slug) is not None:
            return True
        return self._may_create(("forbund", slug), row, "forbund", f'okänt förbund "{slug}"')

    def _may_create(self, key: tuple[str, ...], row: TidyRow, column: str, unknown: str) -> bool:
        """Whether an unknown förbund or insats (its slug last in `key`) may be created."""
        if not self.create_missing:
            self.problem_once(key, row.line, column,
                              f"{unknown} (importera med --create-missing för att skapa "
                              "det som saknas)")
            return False
        try:
            check_slug(key[-1])
        except ServiceError as invalid:
            self.problem_once(key, row.line, column, str(invalid))
            return False
        return True

    def _insats_slug(self, forbund_slug: str, row: TidyRow, forbund_usable: bool) -> str | None:
        slug = row["insats"]
        if not slug:
            if row["participant"]:
                self.problem(row.line, "insats", "ett svar om en deltagare måste ha en insats")
            return None
        if forbund_usable and self.existing_insats(forbund_slug, slug) is None:
            self._may_create(("insats", forbund_slug, slug), row, "insats",
                             f'okänd insats "{slug}" i förbundet "{forbund_slug}"')
        return slug

    def _participant_code(self, row: TidyRow) -> str | None:
        if not row["participant"]:
            return None
        try:
            return check_code(row["participant"])
        except InvalidCode as invalid:
            self.problem(row.line, "participant", str(invalid))
            return None

    def _answered_on(self, row: TidyRow) -> dt.date | None:
        answered_on = parse_date(row["answered_on"])
        if answered_on is None:
            self.problem(row.line, "answered_on", not_a_date(row["answered_on"]))
        return answered_on

    def _instrument(self, row: TidyRow) -> Instrument | None:
        instrument_id, version = row["instrument"], row["instrument_version"]
        if not instrument_id:
            self.problem(row.line, "instrument", MUST_NOT_BE_EMPTY)
            return None
        if version and not (version.isascii() and version.isdigit() and int(version) > 0):
            self.problem(row.line, "instrument_version", f'"{version}" är inget versionsnummer')
            return None
        key = (instrument_id, version)
        if key not in self._instruments:
            self._instruments[key] = _resolve(instrument_id, version, row.line)
        found = self._instruments[key]
        if isinstance(found, CsvProblem):
            self.problem_once(("instrument", *key), found.line, found.column, found.message)
            return None
        return found

    # --- second pass: against the database, in memory -----------------------------------

    def check(self, planned: list[_Planned]) -> list[_Planned]:
        """The responses to create, in the order they apply. Each is checked against what
        is stored and against the file's earlier responses as recording them one by one
        would check it (frame, instrument, enrolment), but in memory: nothing is written."""
        self.known = _Known.read(planned, self.existing_forbund)
        new = []
        for response in sorted(planned, key=_application_order):
            self._created_per_forbund.setdefault(response.forbund_slug, 0)
            stored = self.known.stored.get((response.forbund_slug, response.external_id))
            if stored is not None:
                self._compare(stored, response)
            elif self._may_record(response):
                new.append(response)
                self.count("responses_created")
                self._created_per_forbund[response.forbund_slug] += 1
        return new

    def _compare(self, stored: dict[str, object], planned: _Planned) -> None:
        """Skip a response imported before; refuse one whose content has changed."""
        differing = [_CONTENT_NAMES.get(name, name) for name, value in _content(planned).items()
                     if stored[name] != value]
        if differing:
            self.problem(
                planned.line, None,
                f'svaret "{planned.external_id}" är redan importerat med annat innehåll '
                f"(det som skiljer: {', '.join(differing)}); ett importerat svar skrivs "
                "aldrig över",
            )
        else:
            self.count("responses_unchanged")

    def _may_record(self, planned: _Planned) -> bool:
        """Whether `record_response` would take the response, reporting why not."""
        forbund = self.existing_forbund(planned.forbund_slug)
        instrument = planned.instrument
        problems = frame_problems(instrument, planned.timepoint,
                                  with_participant=planned.participant_code is not None)
        problems += owner_problems(instrument, self._uploader(instrument),
                                   forbund.id if forbund else None)
        if problems:
            self.report(instrument, planned.rows, problems)
            return False
        changed = self._change_since_first_use(instrument)
        if changed:
            self.problem(planned.line, "instrument", changed)
            return False
        try:
            self.known.enrolments.move(planned)
        except EnrolmentError as refused:
            self.problem(planned.line, None, str(refused))
            return False
        return True

    def _uploader(self, instrument: Instrument) -> int | None:
        key = _version_key(instrument)
        if key not in self._uploaders:
            self._uploaders[key] = uploaded_by(instrument)
        return self._uploaders[key]

    def _change_since_first_use(self, instrument: Instrument) -> str | None:
        key = _version_key(instrument)
        if key not in self._changes:
            self._changes[key] = change_since_first_use(instrument)
        return self._changes[key]

    # --- third pass: write in bulk, inside the caller's savepoint ------------------------

    def write(self, new: list[_Planned]) -> None:
        """Create what the checked responses need, then the responses and their answers,
        a statement or two per table whatever the size of the file."""
        forbund_ids = {slug: self._forbund_named(slug).id
                       for slug in dict.fromkeys(response.forbund_slug for response in new)}
        insats_ids = {
            (slug, insats): self._insats_named(slug, insats).id
            for slug, insats in dict.fromkeys(
                (response.forbund_slug, response.insats_slug) for response in new)
            if insats is not None
        }
        instruments = {_version_key(response.instrument): response.instrument
                       for response in new}
        version_ids = {key: register_version(instrument).id
                       for key, instrument in instruments.items()}
        participant_ids = self._write_participants(new, forbund_ids)
        self.known.enrolments.write(participant_ids, insats_ids)
        _write_responses(new, _Ids(forbund_ids, insats_ids, version_ids, participant_ids))
        db.session.expire_all()  # rows written past the unit of work: read them afresh

    def _write_participants(
        self, new: list[_Planned], forbund_ids: dict[str, int]
    ) -> dict[tuple[str, str | None], int]:
        """The ids of the deltagare the responses name, creating those not yet known."""
        known = self.known.participants
        missing = list(dict.fromkeys(
            (response.forbund_slug, response.participant_code) for response in new
            if response.participant_code is not None
            and (response.forbund_slug, response.participant_code) not in known))
        insert_rows(Participant.__table__, [
            {"forbund_id": forbund_ids[slug], "code": code, "created_at": utcnow()}
            for slug, code in missing
        ])
        self._counts["participants_created"] = len(missing)
        return {**known, **_ids_by_key(Participant.code, forbund_ids, missing)}

    def _forbund_named(self, slug: str) -> Forbund:
        """The förbund of a checked response, created now if the plan allowed it."""
        forbund = self.existing_forbund(slug)
        if forbund is None:
            forbund = self._forbund[slug] = create_forbund(slug, slug)
            self.count("forbund_created")
        return forbund

    def _insats_named(self, forbund_slug: str, slug: str) -> Insats:
        insats = self.existing_insats(forbund_slug, slug)
        if insats is None:
            forbund = self._forbund_named(forbund_slug)
            insats = self._insatser[(forbund_slug, slug)] = create_insats(forbund, slug, slug)
            self.count("insatser_created")
        return insats


@dataclass(frozen=True)
class _Ids:
    """The database ids of what the new responses name, by the names the file uses."""

    forbund: dict[str, int]
    insatser: dict[tuple[str, str | None], int]
    versions: dict[tuple[str, int], int]
    participants: dict[tuple[str, str | None], int]


def _write_responses(new: list[_Planned], ids: _Ids) -> None:
    """The responses, as `record_response` stores one, then their answers."""
    now = utcnow()
    insert_rows(Response.__table__, [
        {
            "forbund_id": ids.forbund[response.forbund_slug],
            "external_id": response.external_id,
            "instrument_version_id": ids.versions[_version_key(response.instrument)],
            "insats_id": ids.insatser.get((response.forbund_slug, response.insats_slug)),
            "participant_id": ids.participants.get((response.forbund_slug,
                                                    response.participant_code)),
            "timepoint": response.timepoint,
            "answered_on": response.answered_on,
            "started_at": now,
            "submitted_at": now,
            "source": ResponseSource.IMPORT,
            "language": "sv",
        }
        for response in new
    ])
    response_ids = _ids_by_key(Response.external_id, ids.forbund,
                               [(response.forbund_slug, response.external_id)
                                for response in new])
    insert_rows(Answer.__table__, [
        {"response_id": response_ids[(response.forbund_slug, response.external_id)],
         "item_id": item_id, "position": position, "value": value}
        for response in new
        for item_id, position, value in answer_values(response.answers)
    ])


class _Known:
    """What the database holds about the file's responses, read in a few statements per
    förbund: responses already imported, deltagare, and open enrolments (moved in memory
    as the responses apply)."""

    def __init__(self) -> None:
        #: (förbund slug, response_id) -> the stored response's content (`_content`)
        self.stored: dict[tuple[str, str], dict[str, object]] = {}
        self.participants: dict[tuple[str, str | None], int] = {}
        self.enrolments = _Enrolments()

    @classmethod
    def read(cls, planned: list[_Planned],
             existing_forbund: Callable[[str], Forbund | None]) -> _Known:
        known = cls()
        by_forbund: dict[str, list[_Planned]] = {}
        for response in planned:
            by_forbund.setdefault(response.forbund_slug, []).append(response)
        for slug, responses in by_forbund.items():
            forbund = existing_forbund(slug)
            if forbund is not None:
                known._read_forbund(forbund, responses)
        return known

    def _read_forbund(self, forbund: Forbund, responses: list[_Planned]) -> None:
        slug = forbund.slug
        for external_id, content in _stored_contents(
                forbund.id, [response.external_id for response in responses]).items():
            self.stored[(slug, external_id)] = content
        codes = {(slug, response.participant_code) for response in responses
                 if response.participant_code is not None}
        self.participants.update(_ids_by_key(Participant.code, {slug: forbund.id}, codes))
        moving = {response.participant_code for response in responses
                  if response.instrument.results.enrolment is not None} - {None}
        self.enrolments.read(forbund, moving)


@dataclass
class _Enrolment:
    """An enrolment the import moves: one stored (with its id) or one it starts."""

    forbund_slug: str
    code: str
    insats_slug: str
    started_on: dt.date
    ended_on: dt.date | None = None
    id: int | None = None


class _Enrolments:
    """The open enrolments of the file's deltagare, moved by inskrivning and avslut in
    the order the responses apply, with the rules of `start_enrolment` and
    `end_enrolment`; then written in two statements."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str, str], _Enrolment] = {}
        self._changed: list[_Enrolment] = []

    def read(self, forbund: Forbund, codes: set[str]) -> None:
        query = (select(Enrolment.id, Participant.code, Insats.slug, Enrolment.started_on)
                 .join(Participant, Enrolment.participant_id == Participant.id)
                 .join(Insats, Enrolment.insats_id == Insats.id)
                 .where(Participant.forbund_id == forbund.id, Enrolment.ended_on.is_(None)))
        for enrolment_id, code, insats_slug, started_on in select_in(
                query, Participant.code, codes):
            self._open.setdefault((forbund.slug, code, insats_slug), _Enrolment(
                forbund.slug, code, insats_slug, started_on, id=enrolment_id))

    def move(self, response: _Planned) -> None:
        """Start or end the enrolment as the response says, or raise `EnrolmentError`."""
        role, code, insats_slug = (response.instrument.results.enrolment,
                                   response.participant_code, response.insats_slug)
        if role is None or code is None or insats_slug is None:
            return
        key = (response.forbund_slug, code, insats_slug)
        current = self._open.get(key)
        since = current.started_on if current else None
        if role is EnrolmentRole.STARTS:
            check_start(code, insats_slug, since)
            self._open[key] = _Enrolment(*key, response.answered_on)
            self._changed.append(self._open[key])
        elif role is EnrolmentRole.ENDS:
            check_end(code, insats_slug, since, response.answered_on)
            assert current is not None  # check_end refuses otherwise
            current.ended_on = response.answered_on
            del self._open[key]
            if current.id is not None:
                self._changed.append(current)

    def write(self, participant_ids: dict[tuple[str, str | None], int],
              insats_ids: dict[tuple[str, str | None], int]) -> None:
        ended = [enrolment for enrolment in self._changed if enrolment.id is not None]
        if ended:
            db.session.execute(
                update(Enrolment.__table__).where(Enrolment.id == bindparam("enrolment_id"))
                .values(ended_on=bindparam("new_ended_on")),
                [{"enrolment_id": enrolment.id, "new_ended_on": enrolment.ended_on}
                 for enrolment in ended],
            )
        insert_rows(Enrolment.__table__, [
            {"participant_id": participant_ids[(enrolment.forbund_slug, enrolment.code)],
             "insats_id": insats_ids[(enrolment.forbund_slug, enrolment.insats_slug)],
             "started_on": enrolment.started_on, "ended_on": enrolment.ended_on}
            for enrolment in self._changed if enrolment.id is None
        ])


def _stored_contents(forbund_id: int, external_ids: list[str]) -> dict[str, dict[str, object]]:
    """The content (`_content`) of the förbund's responses with these response_ids."""
    query = (
        select(Response.external_id,
               InstrumentVersion.instrument_id.label("instrument"),
               InstrumentVersion.version.label("instrument_version"),
               Insats.slug.label("insats"), Participant.code.label("participant"),
               Response.timepoint, Response.answered_on, Answer.item_id, Answer.value)
        .join(InstrumentVersion, Response.instrument_version_id == InstrumentVersion.id)
        .outerjoin(Insats, Response.insats_id == Insats.id)
        .outerjoin(Participant, Response.participant_id == Participant.id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.forbund_id == forbund_id)
    )
    frames: dict[str, dict[str, object]] = {}
    given: dict[str, list[tuple[str, str]]] = {}
    for row in select_in(query, Response.external_id, external_ids):
        *frame, item_id, value = row
        if row.external_id not in frames:
            frames[row.external_id] = dict(zip(_CONTENT[:-1], frame[1:], strict=True))
            given[row.external_id] = []
        if item_id is not None:  # a response may have no answer at all
            given[row.external_id].append((item_id, value))
    return {external_id: {**frame, "answers": frozenset(given[external_id])}
            for external_id, frame in frames.items()}


def _ids_by_key(column: Any, forbund_ids: Mapping[str, int],
                keys: Iterable[tuple[str, Any]]) -> dict[tuple[str, Any], int]:
    """The ids of the rows named by (förbund slug, value of `column`): deltagare by code,
    responses by response_id, both unique within a förbund."""
    by_forbund: dict[str, list[Any]] = {}
    for slug, value in keys:
        by_forbund.setdefault(slug, []).append(value)
    table = column.class_
    ids = {}
    for slug, values in by_forbund.items():
        query = select(column, table.id).where(table.forbund_id == forbund_ids[slug])
        for value, row_id in select_in(query, column, values):
            ids[(slug, value)] = row_id
    return ids


#: What is compared of a response imported again, in the order a problem names them.
_CONTENT = ("instrument", "instrument_version", "insats", "participant", "timepoint",
            "answered_on", "answers")
#: How a problem names what differs: a column by its name in the file, the answers so.
_CONTENT_NAMES = {"answers": "svaren"}


def _content(planned: _Planned) -> dict[str, object]:
    """What must agree for a response_id imported again to count as unchanged: the frame
    and the answers as a set of (item, value) (values in their stored form, so `6` equals
    `6.0`; the order of a multiple choice's codes does not matter, and a code is never
    given twice)."""
    answers = frozenset(
        (item_id, value) for item_id, _, value in answer_values(planned.answers))
    return dict(zip(_CONTENT, (
        planned.instrument.id, planned.instrument.version, planned.insats_slug,
        planned.participant_code, planned.timepoint, planned.answered_on, answers,
    ), strict=True))


def nothing_answered(external_id: str) -> str:
    """Said of a response whose rows all have an empty value."""
    return (f'svaret "{external_id}" har inga svar: kolumnen value är tom på alla dess '
            "rader, och tom betyder att frågan inte besvarades; fyll i svaren eller ta bort "
            "svarets rader")


def _version_key(instrument: Instrument) -> tuple[str, int]:
    return (instrument.id, instrument.version)


def _resolve(instrument_id: str, version: str, line: int) -> Instrument | CsvProblem:
    """The instrument a row names, or the problem (at `line`) why it cannot be used."""
    try:
        current = resolve_instrument(instrument_id)
    except UnknownInstrument as unknown:
        return CsvProblem(line, "instrument", str(unknown))
    if not version or int(version) == current.version:
        return current
    try:
        return resolve_instrument(instrument_id, int(version))
    except UnknownInstrument as unknown:
        return CsvProblem(line, "instrument_version", str(unknown))


def _located(instrument: Instrument, rows: list[TidyRow],
             problem: AnswerProblem | ContextProblem) -> CsvProblem:
    """Place a problem with a response's answers or frame on the line and column it is about."""
    first_line = rows[0].line
    if isinstance(problem, ContextProblem):
        return CsvProblem(first_line, problem.field, problem.message)
    item_rows = [row for row in rows if row["item"] == problem.item_id]
    if not item_rows:  # a required item without a row
        return CsvProblem(first_line, None, problem.message, item=problem.item_id)
    known = {item.id: item for item in instrument.items}
    if problem.item_id not in known or not known[problem.item_id].answerable:
        return CsvProblem(item_rows[0].line, "item", problem.message)
    at_fault = [row for row in item_rows if row["value"] == problem.value]
    row = at_fault[-1] if at_fault else item_rows[0]  # a repeated value: its repetition
    return CsvProblem(row.line, "value", problem.message, item=problem.item_id)
