"""A förbund's own instruments: upload, preview, publish; and the instruments a förbund
sees (the bundled ones and its own published uploads).

An uploaded version is kept at once, as a preview that nothing can use
(`versions.resolve_instrument` never finds it), until an administrator publishes it.
Instrument ids are unique across enkat: an upload may not take the id of a bundled
instrument or of another förbund's, so resolving by id alone stays unambiguous.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from enkat.extensions import db
from enkat.instruments import (
    Instrument,
    InstrumentError,
    Problem,
    load_text,
)
from enkat.instruments.problems import pointer_of
from enkat.models import Forbund, InstrumentVersion, Response, User, utcnow
from enkat.services import ServiceError
from enkat.services.audit.events import Action, record_event
from enkat.services.instruments.versions import bundled_instruments, stored_instrument

#: The largest instrument file a förbund may upload; the bundled ones are under 20 KB.
MAX_UPLOAD_BYTES = 1024 * 1024
_UPLOAD = "upload"  # the origin named in the loader's problems; not shown
_UTF8_BOM = b"\xef\xbb\xbf"
_JSON_AT = re.compile(r"ogiltig JSON på rad (\d+), kolumn (\d+): (.*)", re.DOTALL)


@dataclass(frozen=True)
class UploadProblem:
    """One thing wrong with an uploaded file. ``line`` and ``column`` count from 1 in the
    file as uploaded; ``place`` is the JSON pointer, "" for the file as a whole."""

    message: str
    place: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = [f"rad {self.line}, kolumn {self.column}" if self.line else "", self.place]
        located = " ".join(part for part in where if part)
        return f"{located}: {self.message}" if located else self.message


class UploadRefused(ServiceError):
    """An uploaded instrument that is not kept; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[UploadProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class PublishRefused(ServiceError):
    pass


@dataclass(frozen=True)
class VersionSummary:
    """One version of an instrument as a förbund sees it."""

    instrument: Instrument
    #: None for a bundled version that nothing has used yet.
    row: InstrumentVersion | None
    #: Submitted responses of this förbund with this version.
    responses: int = 0
    uploaded_by: str | None = None

    @property
    def version(self) -> int:
        return self.instrument.version

    @property
    def bundled(self) -> bool:
        return self.row is None or self.row.forbund_id is None

    @property
    def published(self) -> bool:
        return self.bundled or self.row.published_at is not None

    @property
    def published_at(self) -> dt.datetime | None:
        return None if self.bundled else self.row.published_at

    @property
    def uploaded_at(self) -> dt.datetime | None:
        return None if self.bundled else self.row.registered_at


@dataclass(frozen=True)
class InstrumentSummary:
    """An instrument with every version a förbund sees, the highest first."""

    id: str
    versions: tuple[VersionSummary, ...]

    @property
    def bundled(self) -> bool:
        return any(version.bundled for version in self.versions)

    @property
    def current(self) -> VersionSummary | None:
        """The version new responses get: the highest published one."""
        return next((version for version in self.versions if version.published), None)

    @property
    def latest(self) -> VersionSummary:
        return self.versions[0]

    def version(self, number: int) -> VersionSummary | None:
        return next((version for version in self.versions if version.version == number), None)


def upload_instrument(forbund: Forbund, user: User | None, text: str | bytes) -> InstrumentVersion:
    """Keep an uploaded instrument file as an unpublished preview of `forbund`.

    Refused (`UploadRefused`, every problem with its line and column) when the file is
    not a valid instrument, when its id is a bundled instrument's or another förbund's,
    or when its version is not higher than every published version of the id. A preview
    with the same id and version is replaced: it has never been used.
    """
    text = _decoded(text)
    instrument = _parsed(text)
    problems = _claim_problems(forbund, instrument)
    if problems:
        raise UploadRefused(_located(problems, text))
    row = _preview_row(forbund, instrument.id, instrument.version) or InstrumentVersion(
        instrument_id=instrument.id, version=instrument.version, forbund_id=forbund.id
    )
    row.sha256, row.definition = instrument.sha256, instrument.canonical_json
    row.uploaded_by_id = user.id if user else None
    row.registered_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same id and version, uploaded at the same moment
        raise UploadRefused([UploadProblem(
            f"{_named(row)} laddades upp av någon annan samtidigt. Ladda upp filen igen."
        )]) from None
    record_event(Action.INSTRUMENT_UPLOADED, user=user, forbund_id=forbund.id, subject=_named(row),
                 detail={"sha256": row.sha256})
    return row


def publish_instrument(row: InstrumentVersion, user: User | None) -> InstrumentVersion:
    """Make an uploaded preview usable: from now on it resolves, for links and schedules."""
    if row.forbund_id is None:
        raise PublishRefused(f"{_named(row)} följer med enkat och behöver inte publiceras.")
    if row.published_at is not None:
        raise PublishRefused(f"{_named(row)} är redan publicerad.")
    highest = _highest_published(row.instrument_id)
    if highest is not None and highest >= row.version:
        raise PublishRefused(
            f"Version {highest} av {row.instrument_id} är redan publicerad. Ladda upp filen "
            f"med version {highest + 1} och publicera den i stället."
        )
    row.published_at = utcnow()
    db.session.flush()
    record_event(Action.INSTRUMENT_PUBLISHED, user=user, forbund_id=row.forbund_id,
                 subject=_named(row),
                 detail={"sha256": row.sha256})
    return row


def instruments_for(forbund: Forbund) -> list[InstrumentSummary]:
    """The bundled instruments and the förbund's own uploads, bundled first, by id."""
    return _summaries(forbund)


def usable_instruments(forbund: Forbund) -> list[Instrument]:
    """The current version of every instrument the förbund may use: the bundled ones and
    its own published uploads (what a choice of instrument should offer). Their response
    counts are not needed, so not counted: that count reads every response of the förbund,
    a tenth of a second for a million answers, on every report."""
    return [summary.current.instrument for summary in _summaries(forbund, counted=False)
            if summary.current]


def instrument_for(forbund: Forbund, instrument_id: str) -> InstrumentSummary | None:
    """One instrument the förbund sees (bundled, or its own upload), or None."""
    return next(iter(_summaries(forbund, instrument_id)), None)


def _summaries(forbund: Forbund, instrument_id: str | None = None, *,
               counted: bool = True) -> list[InstrumentSummary]:
    """The summaries of the förbund's instruments (of one, `instrument_id`), with each
    version's response count unless not `counted` (then 0)."""
    query = select(InstrumentVersion).where(
        or_(InstrumentVersion.forbund_id.is_(None), InstrumentVersion.forbund_id == forbund.id)
    )
    bundled = list(bundled_instruments().values())
    if instrument_id is not None:
        query = query.where(InstrumentVersion.instrument_id == instrument_id)
        bundled = [instrument for instrument in bundled if instrument.id == instrument_id]
    rows = db.session.scalars(query).all()
    counts = _response_counts(forbund) if counted else {}
    names = _uploader_names(rows)
    versions: dict[str, dict[int, VersionSummary]] = {}
    for row in rows:
        versions.setdefault(row.instrument_id, {})[row.version] = VersionSummary(
            stored_instrument(row), row, counts.get(row.id, 0), names.get(row.uploaded_by_id)
        )
    for instrument in bundled:  # the installed file wins over what was stored for it
        found = versions.setdefault(instrument.id, {}).get(instrument.version)
        versions[instrument.id][instrument.version] = dataclasses.replace(
            found or VersionSummary(instrument, None), instrument=instrument
        )
    summaries = [
        InstrumentSummary(key, tuple(sorted(by_number.values(), key=lambda v: -v.version)))
        for key, by_number in versions.items()
    ]
    return sorted(summaries, key=lambda summary: (not summary.bundled, summary.id))


def _response_counts(forbund: Forbund) -> dict[int, int]:
    query = (
        select(Response.instrument_version_id, func.count())
        .where(Response.forbund_id == forbund.id, Response.submitted_at.is_not(None))
        .group_by(Response.instrument_version_id)
    )
    return {version_id: count for version_id, count in db.session.execute(query)}


def _uploader_names(rows: Sequence[InstrumentVersion]) -> dict[int, str]:
    ids = {row.uploaded_by_id for row in rows if row.uploaded_by_id is not None}
    if not ids:
        return {}
    query = select(User.id, User.display_name).where(User.id.in_(ids))
    return {user_id: name for user_id, name in db.session.execute(query)}


def _named(row: InstrumentVersion) -> str:
    return f"{row.instrument_id} version {row.version}"


def _decoded(content: str | bytes) -> str:
    """The text of an upload, without the byte order mark some editors add."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    content = content.removeprefix(_UTF8_BOM)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UploadRefused([_not_utf8(content, error.start)]) from None


def _not_utf8(content: bytes, start: int) -> UploadProblem:
    line_start = content.rfind(b"\n", 0, start) + 1
    line = content.count(b"\n", 0, start) + 1
    column = len(content[line_start:start].decode("utf-8", errors="replace")) + 1
    return UploadProblem(
        f"Filen är inte UTF-8-text: byte 0x{content[start]:02x} kan inte läsas. Spara filen "
        "som UTF-8 (i många redigerare: Spara som → Kodning: UTF-8) och ladda upp den igen.",
        line=line, column=column,
    )


def _parsed(text: str) -> Instrument:
    try:
        return load_text(text, origin=_UPLOAD)
    except InstrumentError as error:
        raise UploadRefused(_located(error.problems, text)) from None


def _claim_problems(forbund: Forbund, instrument: Instrument) -> list[Problem]:
    """Whether the id is free for this förbund and the version comes after the published."""
    taken = _id_taken(forbund, instrument.id)
    if taken:
        return [Problem(_UPLOAD, "/id", taken)]
    highest = _highest_published(instrument.id)
    if highest is not None and instrument.version <= highest:
        lower = (f"version {instrument.version} är inte högre än den publicerade versionen "
                 f'{highest}: höj "version" till {highest + 1}')
        return [Problem(_UPLOAD, "/version", lower)]
    return _role_problems(instrument)


def _role_problems(instrument: Instrument) -> list[Problem]:
    """The parts only the bundled instruments play: starting and ending an enrolment (the
    registration forms) and the lines of the samtalsunderlag (ORS, SRS). A second
    instrument claiming one would make every report and staff page ambiguous."""
    results = instrument.results
    problems = []
    claimed = (("enrolment", results.enrolment), ("session_chart", results.session_chart))
    for key, declared in claimed:
        if declared is not None:
            said = (f'"{key}": "{declared}" spelas av ett instrument som följer med enkat; '
                    f'ett eget instrument kan inte ta den rollen. Ta bort "{key}".')
            problems.append(Problem(_UPLOAD, f"/results/{key}", said))
    return problems


def _id_taken(forbund: Forbund, instrument_id: str) -> str | None:
    owners = set(db.session.scalars(
        select(InstrumentVersion.forbund_id).where(InstrumentVersion.instrument_id == instrument_id)
    ))
    if instrument_id in bundled_instruments() or None in owners:
        return (f'id "{instrument_id}" används redan av ett instrument som följer med enkat; '
                "välj ett annat id")
    if owners - {forbund.id}:
        return (f'id "{instrument_id}" används redan av ett annat samordningsförbund; '
                "välj ett annat id")
    return None


def _highest_published(instrument_id: str) -> int | None:
    return db.session.scalar(
        select(func.max(InstrumentVersion.version)).where(
            InstrumentVersion.instrument_id == instrument_id,
            InstrumentVersion.published_at.is_not(None),
        )
    )


def _preview_row(forbund: Forbund, instrument_id: str, version: int) -> InstrumentVersion | None:
    return db.session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument_id,
            InstrumentVersion.version == version,
            InstrumentVersion.forbund_id == forbund.id,
            InstrumentVersion.published_at.is_(None),
        )
    )


def _located(problems: Sequence[Problem], text: str) -> list[UploadProblem]:
    """The loader's problems with the line and column a person editing the file needs."""
    positions = _value_positions(text) if any(problem.pointer for problem in problems) else {}
    return [_locate(problem, text, positions) for problem in problems]


def _locate(problem: Problem, text: str, positions: dict[str, int]) -> UploadProblem:
    """The problem with the line and column of the place it names."""
    message = problem.message
    if not problem.pointer:  # the file as a whole; invalid JSON says where
        found = _JSON_AT.fullmatch(message)
        if found:
            line, column, words = found.groups()
            return UploadProblem(f"ogiltig JSON: {words}", "", int(line), int(column))
        return UploadProblem(message)
    pointer = problem.pointer
    while pointer not in positions and pointer != "/":  # a missing key: its object
        pointer = pointer.rsplit("/", 1)[0] or "/"
    if pointer not in positions:
        return UploadProblem(message, problem.pointer)
    line, column = _line_and_column(text, positions[pointer])
    return UploadProblem(message, problem.pointer, line, column)


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _value_positions(text: str) -> dict[str, int]:
    """Where each value of a JSON document starts, by JSON pointer (the document is "/")."""
    positions: dict[str, int] = {}
    try:
        _scan_value(text, 0, (), positions)
    except (ValueError, IndexError, RecursionError):
        pass  # not JSON after all: the problems keep their pointers without a line
    return positions


def _skip_space(text: str, index: int) -> int:
    return _SPACE.match(text, index).end()


def _scan_value(text: str, index: int, path: tuple, positions: dict[str, int]) -> int:
    index = _skip_space(text, index)
    positions[pointer_of(path)] = index
    if text[index] == "{":
        return _scan_members(text, index + 1, path, positions)
    if text[index] == "[":
        return _scan_elements(text, index + 1, path, positions)
    return _DECODER.raw_decode(text, index)[1]


def _scan_members(text: str, index: int, path: tuple, positions: dict[str, int]) -> int:
    index = _skip_space(text, index)
    while text[index] != "}":
        key, index = json.decoder.scanstring(text, _skip_space(text, index) + 1)
        index = _skip_space(text, index) + 1  # past the colon
        index = _skip_space(text, _scan_value(text, index, (*path, key), positions))
        index = _skip_space(text, index + 1) if text[index] == "," else index
    return index + 1


def _scan_elements(text: str, index: int, path: tuple, positions: dict[str, int]) -> int:
    index = _skip_space(text, index)
    position = 0
    while text[index] != "]":
        index = _skip_space(text, _scan_value(text, index, (*path, position), positions))
        index = _skip_space(text, index + 1) if text[index] == "," else index
        position += 1
    return index + 1
