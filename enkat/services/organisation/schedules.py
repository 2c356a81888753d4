"""An insats' measurement schedule: which instrument is due at which mätpunkt, as the
förbund's administrator sets it, starting from the standard schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.schedules import PlannedMeasurement, bundled_schedules
from enkat.instruments.timepoints import timepoint_words
from enkat.models import (
    Forbund,
    Insats,
    ScheduleEntry,
    ScheduleTrigger,
    User,
)
from enkat.services import FieldProblem, refuse_if
from enkat.services.audit.events import Action
from enkat.services.instruments.uploads import usable_instruments
from enkat.services.organisation.insatser import record_list_change

#: The longest a schedule may wait: ten years in days.
MAX_SCHEDULE_DAYS = 3650
SCHEDULE_AUDIENCE = "deltagare"
REPEATING = (ScheduleTrigger.EVERY_SESSION, ScheduleTrigger.EVERY_DAYS)
NEEDS_DAYS = (ScheduleTrigger.AFTER_DAYS, ScheduleTrigger.EVERY_DAYS,
              ScheduleTrigger.AFTER_EXIT_DAYS)
TRIGGER_NAMES = {
    ScheduleTrigger.AT_START: "vid start",
    ScheduleTrigger.EVERY_SESSION: "varje träff",
    ScheduleTrigger.AFTER_DAYS: "efter N dagar",
    ScheduleTrigger.EVERY_DAYS: "var N:e dag",
    ScheduleTrigger.AT_EXIT: "vid avslut",
    ScheduleTrigger.AFTER_EXIT_DAYS: "N dagar efter avslut",
}


@dataclass(frozen=True)
class ScheduleRow:
    instrument_id: str
    timepoint: str
    trigger: ScheduleTrigger | None
    days: int | None = None

    def entry(self) -> ScheduleEntry:
        return ScheduleEntry(instrument_id=self.instrument_id, timepoint=self.timepoint,
                             trigger=self.trigger, days=self.days)


def schedule_rows(planned: Iterable[PlannedMeasurement]) -> tuple[ScheduleRow, ...]:
    """Measurements planned in a schedule file (`enkat.instruments.schedules`) as rows."""
    return tuple(ScheduleRow(entry.instrument_id, entry.timepoint, ScheduleTrigger(entry.trigger),
                             entry.days)
                 for entry in planned)


def standard_schedule() -> tuple[ScheduleRow, ...]:
    """The NNS standard: inskrivning at the start; ORS and SRS every session; NNS
    pågående after 90 days; SKAPA at the start, every 90 days and at the exit; NNS
    avslut and finsam-avslut at the exit; uppföljning 6 and 18 months after the exit
    (`instruments/schedules/standard.json`)."""
    return schedule_rows(bundled_schedules().standard)


def schedulable_instruments(forbund: Forbund) -> list[Instrument]:
    """Instruments a schedule may name: those answered about or by a deltagare. The
    surveys for personal, chefer, styrelse and remittenter go out as utskick instead."""
    found = [instrument for instrument in usable_instruments(forbund)
             if instrument.audience == SCHEDULE_AUDIENCE]
    return sorted(found, key=lambda instrument: instrument.title.get("sv") or instrument.id)


def replace_schedule(insats: Insats, rows: Sequence[ScheduleRow], *,
                     by: User | None) -> list[ScheduleEntry]:
    """Make `rows` the insats' schedule, or refuse with every problem and change nothing."""
    instruments = {instrument.id: instrument
                   for instrument in schedulable_instruments(insats.forbund)}
    problems = [problem for index, row in enumerate(rows)
                for problem in _schedule_row_problems(index, row, instruments)]
    problems += _repeated_rows(rows)
    refuse_if(problems)
    before = [_schedule_line(entry) for entry in insats.schedule]
    # The old rows are deleted before the new ones are written: within one flush the unit
    # of work inserts before it deletes, so a row saved again unchanged would meet itself
    # in the unique (insats, instrument, timepoint) constraint. Writing the rows anew keeps
    # them in the order the administrator gave; nothing refers to a row's id.
    insats.schedule.clear()
    db.session.flush()
    insats.schedule = [row.entry() for row in rows]
    db.session.flush()
    record_list_change(Action.SCHEDULE_CHANGED, insats, by, before,
                       [_schedule_line(entry) for entry in insats.schedule])
    return insats.schedule


def _schedule_row_problems(index: int, row: ScheduleRow,
                           instruments: Mapping[str, Instrument]) -> list[FieldProblem]:
    here = f"Rad {index + 1}"
    instrument = instruments.get(row.instrument_id)
    problems = []
    if instrument is None:
        problems.append(FieldProblem("instrument_id", f"{here}: välj en enkät i listan.", index))
    elif not row.timepoint:
        problems.append(FieldProblem("timepoint", f"{here}: välj mätpunkt, "
                                                  f"{_timepoints_said(instrument)}.", index))
    else:
        problems += _timepoint_problems(here, index, row, instrument)
    if row.trigger is None:
        problems.append(FieldProblem("trigger", f"{here}: välj när enkäten ska besvaras.", index))
    else:
        problems += _days_problems(here, index, row)
    return problems


def _timepoint_problems(here: str, index: int, row: ScheduleRow,
                        instrument: Instrument) -> list[FieldProblem]:
    title = instrument.title.get("sv") or instrument.id
    if row.timepoint not in instrument.timepoints and not instrument.matches_timepoint(
            row.timepoint):
        return [FieldProblem("timepoint", f"{here}: {title} har inte mätpunkten "
                                          f"”{timepoint_words(row.timepoint)}”; "
                                          f"{_timepoints_said(instrument)}.", index)]
    numbered = "{n}" in row.timepoint
    if row.trigger in REPEATING and not numbered:
        return [FieldProblem("timepoint", f"{here}: ”{TRIGGER_NAMES[row.trigger]}” återkommer "
                             "och behöver en mätpunkt som räknas upp: ”Varje samtal” eller "
                             "”Uppföljning efter N månader”.", index)]
    if row.trigger is not None and row.trigger not in REPEATING and numbered:
        return [FieldProblem("timepoint", f"{here}: ”{TRIGGER_NAMES[row.trigger]}” sker en gång "
                             "och behöver en bestämd mätpunkt, till exempel ”Vid start”, "
                             "”Vid avslut” eller ”Efter 6 månader”.", index)]
    return []


def _timepoints_said(instrument: Instrument) -> str:
    quoted = ", ".join(f"”{timepoint_words(timepoint)}”" for timepoint in instrument.timepoints)
    return f"den har {quoted}" if len(instrument.timepoints) > 1 else f"den har bara {quoted}"


def _days_problems(here: str, index: int, row: ScheduleRow) -> list[FieldProblem]:
    name = TRIGGER_NAMES[row.trigger]
    if row.trigger in NEEDS_DAYS:
        if row.days is None:
            return [FieldProblem("days", f"{here}: skriv antal dagar för ”{name}”.", index)]
        if not 1 <= row.days <= MAX_SCHEDULE_DAYS:
            return [FieldProblem("days", f"{here}: antal dagar ska vara från 1 till "
                                         f"{MAX_SCHEDULE_DAYS}.", index)]
    elif row.days is not None:
        return [FieldProblem("days", f"{here}: lämna dagar tomt för ”{name}”; den tiden bestäms "
                                     "av deltagarens start, träffar eller avslut.", index)]
    return []


def _repeated_rows(rows: Sequence[ScheduleRow]) -> list[FieldProblem]:
    """A deltagare answers an instrument once at a timepoint, so a pair appears once."""
    first: dict[tuple[str, str], int] = {}
    problems = []
    for index, row in enumerate(rows):
        key = (row.instrument_id, row.timepoint)
        if key in first:
            words = timepoint_words(row.timepoint)
            problems.append(FieldProblem("timepoint", f"Rad {index + 1}: {row.instrument_id} vid "
                                                      f"”{words}” står redan på rad "
                                                      f"{first[key] + 1}.", index))
        else:
            first[key] = index
    return problems


def _schedule_line(entry: ScheduleEntry) -> str:
    days = f" {entry.days}" if entry.days is not None else ""
    return f"{entry.instrument_id} {entry.timepoint} {entry.trigger.value}{days}"


def schedule_said(entry: ScheduleEntry | ScheduleRow) -> str:
    """"efter 90 dagar", "vid avslut": when a schedule line falls due, in Swedish."""
    name = TRIGGER_NAMES[entry.trigger]
    return name.replace("N", str(entry.days)) if entry.days is not None else name
