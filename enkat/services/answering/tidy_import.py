"""Importing responses from the tidy CSV (one row per answer; `enkat import responses`).

The format is a public interface, documented in docs/formats.md; the file is read by
`enkat.formats.tidy_csv`, and exported by `services.results.answer_exports`. An import
applies whole or not at all: every problem of the file is collected,
each with its line, and if there is any, nothing is written.

An import runs in two passes. The first reads the file, resolves every response's
förbund, insats, deltagare code and instrument and checks its answers, without writing.
The second applies the responses in date order inside a savepoint, through
`record_response` (which checks them again, with the frame, and moves enrolments), so a
response is accepted or refused exactly as from a form. The savepoint is rolled back
when either pass found a problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import select

from enkat.extensions import db
from enkat.formats.tidy_csv import (
    FRAME_COLUMNS,
    CsvProblem,
    TidyRow,
    read_rows,
    row_answers,
)
from enkat.instruments import Instrument
from enkat.instruments.answers import AnswerProblem, check_answers
from enkat.instruments.model import EnrolmentRole, parse_date
from enkat.models import Forbund, Insats, Participant, Response, ResponseSource
from enkat.services import ServiceError
from enkat.services.answering.responses import (
    ContextProblem,
    ResponseContext,
    ResponseRefused,
    answers_of,
    record_response,
)
from enkat.services.deltagare.participants import (
    EnrolmentError,
    InvalidCode,
    check_code,
    find_participant,
    get_or_create_participant,
)
from enkat.services.instruments.versions import (
    InstrumentChanged,
    UnknownInstrument,
    resolve_instrument,
)
from enkat.services.organisation.forbund import check_slug, create_forbund, find_forbund
from enkat.services.organisation.insatser import create_insats, find_insats


class ImportFailed(ServiceError):
    """Nothing was imported; `problems` lists everything wrong, in file order."""

    def __init__(self, problems: Iterable[CsvProblem]):
        self.problems = tuple(sorted(problems, key=attrgetter("line")))
        count = len(self.problems)
        listing = "\n".join(str(problem) for problem in self.problems)
        super().__init__(
            f"nothing was imported: {count} problem{'s' if count != 1 else ''} in the file\n"
            f"{listing}"
        )


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
    planned = run.plan(data)
    with db.session.begin_nested():
        for response in sorted(planned, key=_application_order):
            run.apply(response)
        if run.problems:
            raise ImportFailed(run.problems)
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
        if not first["timepoint"]:
            self.problem(first.line, "timepoint", "must not be empty")
        elif instrument is not None and rows_agree:
            self._check_values(instrument, first["timepoint"], rows)
        if self._refusals > before or instrument is None or answered_on is None:
            return None
        return _Planned(slug, external_id, rows, instrument, insats_slug, participant_code,
                        first["timepoint"], answered_on)

    def _check_rows_agree(self, external_id: str, rows: list[TidyRow]) -> bool:
        first, agree = rows[0], True
        for row in rows[1:]:
            for column in FRAME_COLUMNS:
                if row[column] != first[column]:
                    agree = False
                    self.problem(
                        row.line, column,
                        f'"{row[column]}" here but "{first[column]}" on line {first.line}; '
                        f'all rows of response "{external_id}" must have the same {column}',
                    )
        return agree

    def _check_values(self, instrument: Instrument, timepoint: str, rows: list[TidyRow]) -> None:
        """Check the answers already here, so that they are reported even for a response
        that cannot be applied (say, of an unknown förbund)."""
        _, problems = check_answers(instrument, row_answers(rows), timepoint=timepoint)
        self.report(instrument, rows, problems)

    def report(self, instrument: Instrument, rows: list[TidyRow],
               problems: Iterable[AnswerProblem]) -> None:
        for problem in problems:
            self.add(_located(instrument, rows, problem))

    def _check_forbund(self, slug: str, row: TidyRow) -> bool:
        """Whether the response's förbund exists or may be created; report why not."""
        if not slug:
            self.problem(
                row.line, "forbund", "must not be empty (or name the förbund for the import)"
            )
            return False
        if self.forbund_slug and slug != self.forbund_slug:
            self.problem(
                row.line, "forbund",
                f'the row is for förbund "{slug}", but this import is for "{self.forbund_slug}"',
            )
            return False
        if self.existing_forbund(slug) is not None:
            return True
        return self._may_create(("forbund", slug), row, "forbund", f'unknown förbund "{slug}"')

    def _may_create(self, key: tuple[str, ...], row: TidyRow, column: str, unknown: str) -> bool:
        """Whether an unknown förbund or insats (its slug last in `key`) may be created."""
        if not self.create_missing:
            self.problem_once(key, row.line, column,
                              f"{unknown} (import with --create-missing to create it)")
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
                self.problem(row.line, "insats", "a response about a deltagare needs an insats")
            return None
        if forbund_usable and self.existing_insats(forbund_slug, slug) is None:
            self._may_create(("insats", forbund_slug, slug), row, "insats",
                             f'unknown insats "{slug}" in förbund "{forbund_slug}"')
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
            self.problem(
                row.line, "answered_on", f'"{row["answered_on"]}" is not a date (YYYY-MM-DD)'
            )
        return answered_on

    def _instrument(self, row: TidyRow) -> Instrument | None:
        instrument_id, version = row["instrument"], row["instrument_version"]
        if not instrument_id:
            self.problem(row.line, "instrument", "must not be empty")
            return None
        if version and not (version.isascii() and version.isdigit() and int(version) > 0):
            self.problem(row.line, "instrument_version", f'"{version}" is not a version number')
            return None
        key = (instrument_id, version)
        if key not in self._instruments:
            self._instruments[key] = _resolve(instrument_id, version, row.line)
        found = self._instruments[key]
        if isinstance(found, CsvProblem):
            self.problem_once(("instrument", *key), found.line, found.column, found.message)
            return None
        return found

    # --- second pass: write, inside the caller's savepoint ------------------------------

    def apply(self, planned: _Planned) -> None:
        self._created_per_forbund.setdefault(planned.forbund_slug, 0)
        forbund = self._forbund_named(planned.forbund_slug)
        existing = db.session.scalar(
            select(Response).where(
                Response.forbund_id == forbund.id, Response.external_id == planned.external_id
            )
        )
        if existing is not None:
            self._compare(existing, planned)
            return
        context = ResponseContext(
            forbund=forbund,
            instrument=planned.instrument,
            insats=self._insats_named(forbund, planned.insats_slug),
            participant=self._participant(forbund, planned.participant_code),
            timepoint=planned.timepoint,
            answered_on=planned.answered_on,
        )
        try:
            record_response(context, row_answers(planned.rows), source=ResponseSource.IMPORT,
                            external_id=planned.external_id)
        except ResponseRefused as refused:
            self.report(planned.instrument, planned.rows, refused.problems)
        except InstrumentChanged as changed:
            self.problem(planned.line, "instrument", str(changed))
        except EnrolmentError as refused:
            self.problem(planned.line, None, str(refused))
        else:
            self.count("responses_created")
            self._created_per_forbund[planned.forbund_slug] += 1

    def _compare(self, existing: Response, planned: _Planned) -> None:
        """Skip a response imported before; refuse one whose content has changed."""
        normalized, _ = check_answers(  # without problems: checked in the first pass
            planned.instrument, row_answers(planned.rows), timepoint=planned.timepoint
        )
        differing = _differences(existing, planned, normalized)
        if differing:
            self.problem(
                planned.line, None,
                f'response "{planned.external_id}" was already imported with other content '
                f"(different {', '.join(differing)}); an imported response is never overwritten",
            )
        else:
            self.count("responses_unchanged")

    def _forbund_named(self, slug: str) -> Forbund:
        """The förbund of a planned response, created now if the plan allowed it."""
        forbund = self.existing_forbund(slug)
        if forbund is None:
            forbund = self._forbund[slug] = create_forbund(slug, slug)
            self.count("forbund_created")
        return forbund

    def _insats_named(self, forbund: Forbund, slug: str | None) -> Insats | None:
        if slug is None:
            return None
        insats = self.existing_insats(forbund.slug, slug)
        if insats is None:
            insats = self._insatser[(forbund.slug, slug)] = create_insats(forbund, slug, slug)
            self.count("insatser_created")
        return insats

    def _participant(self, forbund: Forbund, code: str | None) -> Participant | None:
        if code is None:
            return None
        participant = find_participant(forbund, code)
        if participant is None:
            participant = get_or_create_participant(forbund, code)
            self.count("participants_created")
        return participant


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


def _differences(
    existing: Response, planned: _Planned, normalized: dict[str, tuple[str, ...]]
) -> list[str]:
    """The columns in which a stored response differs from the file's (order of codes aside)."""
    version = existing.instrument_version
    stored = {
        "instrument": version.instrument_id,
        "instrument_version": version.version,
        "insats": existing.insats.slug if existing.insats else None,
        "participant": existing.participant.code if existing.participant else None,
        "timepoint": existing.timepoint,
        "answered_on": existing.answered_on,
        "answers": _canonical(answers_of(existing)),
    }
    in_file = {
        "instrument": planned.instrument.id,
        "instrument_version": planned.instrument.version,
        "insats": planned.insats_slug,
        "participant": planned.participant_code,
        "timepoint": planned.timepoint,
        "answered_on": planned.answered_on,
        "answers": _canonical(normalized),
    }
    return [name for name in stored if stored[name] != in_file[name]]


def _canonical(answers: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {item_id: sorted(values) for item_id, values in answers.items()}


def _located(instrument: Instrument, rows: list[TidyRow],
             problem: AnswerProblem | ContextProblem) -> CsvProblem:
    """Place a problem with a response's answers or frame on the line and column it is about."""
    first_line = rows[0].line
    if isinstance(problem, ContextProblem):
        return CsvProblem(first_line, problem.field, problem.message)
    item_rows = [row for row in rows if row["item"] == problem.item_id]
    if not item_rows:  # a required item without a row
        return CsvProblem(first_line, None, f"{problem.item_id}: {problem.message}")
    known = {item.id: item for item in instrument.items}
    if problem.item_id not in known or not known[problem.item_id].answerable:
        return CsvProblem(item_rows[0].line, "item", problem.message)
    at_fault = [row for row in item_rows if row["value"] == problem.value]
    row = at_fault[-1] if at_fault else item_rows[0]  # a repeated value: its repetition
    return CsvProblem(row.line, "value", f"{problem.item_id}: {problem.message}")
