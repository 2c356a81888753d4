"""Which instruments exist, and the exact versions responses were answered with.

An instrument version is written to the database the first time something uses it
(a response, an invitation). From then on its content may never change: a file edited
under the same id and version is refused, with the advice to raise the version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from enkat.extensions import db
from enkat.instruments import (
    Instrument,
    bundled_directory,
    load_directory,
    load_text,
)
from enkat.instruments.model import SessionChart
from enkat.instruments.roles import RegistrationForms, with_session_chart
from enkat.models import InstrumentVersion
from enkat.services import ServiceError


class UnknownInstrument(ServiceError):
    pass


class InstrumentChanged(ServiceError):
    pass


def instruments_directory() -> Path:
    configured = current_app.config.get("INSTRUMENTS_DIR")
    return Path(configured) if configured else bundled_directory()


def bundled_instruments() -> dict[str, Instrument]:
    """The instrument files shipped with (or configured for) this installation, by id."""
    return _load_directory(instruments_directory())


@lru_cache(maxsize=4)
def _load_directory(directory: Path) -> dict[str, Instrument]:
    return load_directory(directory)


@lru_cache(maxsize=256)
def _parse_stored(definition: str, instrument_id: str, version: int) -> Instrument:
    return load_text(definition, origin=f"database:{instrument_id}@{version}")


def registration_forms() -> RegistrationForms | None:
    """The registration forms, as the bundled instruments declare them (a förbund's own
    instrument may not take an enrolment role: `uploads`)."""
    return RegistrationForms.among(bundled_instruments().values())


def session_chart(line: SessionChart) -> Instrument | None:
    """The instrument that draws this line of the samtalsunderlag (ORS, SRS)."""
    return with_session_chart(bundled_instruments().values(), line)


def stored_instrument(row: InstrumentVersion) -> Instrument:
    """The instrument exactly as stored with a version row."""
    return _parse_stored(row.definition, row.instrument_id, row.version)


def resolve_instrument(instrument_id: str, version: int | None = None) -> Instrument:
    """An instrument by id, at a given version or (None) the current, highest one.

    Bundled instruments and published uploads resolve; an unpublished preview never does.
    """
    candidates = _candidates([instrument_id], version).get(instrument_id, {})
    if version is not None and version in candidates:
        return candidates[version][0]
    if version is None and candidates:
        return candidates[max(candidates)][0]
    known = f" version {version}" if version is not None else ""
    raise UnknownInstrument(f'okänt instrument "{instrument_id}"{known}')


def resolve_instruments(instrument_ids: Iterable[str]) -> dict[str, Instrument]:
    """`resolve_instrument` for several ids at once, in one statement: the current
    version of each that resolves, by id; an id that does not resolve is left out."""
    return {instrument_id: instrument
            for instrument_id, (instrument, _) in resolve_versions(instrument_ids).items()}


def resolve_versions(instrument_ids: Iterable[str]
                     ) -> dict[str, tuple[Instrument, InstrumentVersion | None]]:
    """`resolve_instruments`, each instrument with its version's row as the same statement
    read it (None: not stored yet), for `register_read_version`."""
    return {instrument_id: versions[max(versions)]
            for instrument_id, versions in _candidates(set(instrument_ids)).items()}


def _candidates(instrument_ids: Collection[str], version: int | None = None
                ) -> dict[str, dict[int, tuple[Instrument, InstrumentVersion | None]]]:
    """The versions of these instruments that resolve (at `version` only, when given),
    with their rows where stored; a bundled file goes before a row of the same version."""
    if not instrument_ids:
        return {}
    candidates: dict[str, dict[int, tuple[Instrument, InstrumentVersion | None]]] = (
        defaultdict(dict))
    bundled = bundled_instruments()
    for instrument_id in instrument_ids:
        if instrument_id in bundled:
            candidates[instrument_id][bundled[instrument_id].version] = (
                bundled[instrument_id], None)
    query = select(InstrumentVersion).where(
        InstrumentVersion.instrument_id.in_(instrument_ids), _usable_version()
    )
    if version is not None:
        query = query.where(InstrumentVersion.version == version)
    for row in db.session.scalars(query):
        versions = candidates[row.instrument_id]
        instrument, _ = versions.get(row.version) or (stored_instrument(row), None)
        versions[row.version] = (instrument, row)
    return candidates


def instrument_title(instrument_id: str, version: int | None = None) -> str:
    """The instrument's Swedish title, as pages name it; an id no longer known (an
    unpublished or removed upload) stands as itself."""
    try:
        return resolve_instrument(instrument_id, version).title.get("sv")
    except UnknownInstrument:
        return instrument_id


def _usable_version():
    """Rows that may be used: bundled ones (no förbund) and published uploads."""
    return or_(InstrumentVersion.forbund_id.is_(None), InstrumentVersion.published_at.is_not(None))


def register_version(instrument: Instrument) -> InstrumentVersion:
    """Keep this exact instrument version in the database (once) and return its row."""
    return register_read_version(instrument, _stored_row(instrument.id, instrument.version))


def register_read_version(instrument: Instrument, stored: InstrumentVersion | None
                          ) -> InstrumentVersion:
    """`register_version` with the version's row as this transaction read it
    (`resolve_versions`; None: not stored then): no statement when it is stored, the
    INSERT alone when not."""
    row = stored
    if row is None:
        row = InstrumentVersion(
            instrument_id=instrument.id,
            version=instrument.version,
            sha256=instrument.sha256,
            definition=instrument.canonical_json,
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # registered at the same moment by another request
            row = _stored_row(instrument.id, instrument.version)
    problem = change_since_first_use(instrument, row)
    if problem:
        raise InstrumentChanged(problem)
    return row


def change_since_first_use(
    instrument: Instrument, row: InstrumentVersion | None = None
) -> str | None:
    """Why this instrument may not be used as it is, or None when it may."""
    row = row or _stored_row(instrument.id, instrument.version)
    if row is None or row.sha256 == instrument.sha256:
        return None
    return (
        f'instrumentet "{instrument.id}" version {instrument.version} har ändrats sedan det '
        f"först användes (sparat {row.sha256[:12]}, nu {instrument.sha256[:12]}): "
        f'höj "version" till {_next_version(instrument.id)} för att använda det nya innehållet'
    )


def _stored_row(instrument_id: str, version: int) -> InstrumentVersion | None:
    return db.session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument_id, InstrumentVersion.version == version
        )
    )


def _next_version(instrument_id: str) -> int:
    highest = db.session.scalar(
        select(func.max(InstrumentVersion.version)).where(
            InstrumentVersion.instrument_id == instrument_id
        )
    )
    return (highest or 0) + 1


def uploaded_by(instrument: Instrument) -> int | None:
    """The id of the förbund that uploaded this version, None for a bundled one."""
    return db.session.scalar(
        select(InstrumentVersion.forbund_id).where(
            InstrumentVersion.instrument_id == instrument.id,
            InstrumentVersion.version == instrument.version,
        )
    )
