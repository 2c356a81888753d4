"""Which instrument plays which part in enkat's own logic, read from the instruments'
``results`` declarations: the one place that finds them.

Instruments are data, and what they mean for results is data too: a registration form
says that it starts, ends or follows up an enrolment, and which of its items give kön,
the background, the exit reason and the situation; ORS and SRS say which line of the
samtalsunderlag they draw; every instrument may say where its tables come and what
they are called. The layers that work with instruments (reports, scoring, services,
web) ask the functions below and never spell an instrument or item id. A unit test
(tests/unit/instruments/test_roles.py) greps them for the ids of the bundled instruments
and their items.

Pure Python over `Instrument` objects; nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from enkat.instruments.model import (
    EnrolmentRole,
    Instrument,
    Item,
    ReportedItem,
    Score,
    SessionChart,
)

#: The registration forms in the order of a deltagare's course, first in every list.
COURSE_ORDER = (EnrolmentRole.STARTS, EnrolmentRole.ENDS, EnrolmentRole.FOLLOW_UP)


class AmbiguousRole(ValueError):
    """Two instruments declare the same part, which only one may play."""


def with_enrolment_role(instruments: Iterable[Instrument],
                        role: EnrolmentRole) -> Instrument | None:
    return _only(instruments, lambda i: i.results.enrolment == role, f"enrolment {role}")


def with_session_chart(instruments: Iterable[Instrument],
                       line: SessionChart) -> Instrument | None:
    return _only(instruments, lambda i: i.results.session_chart == line, f"session_chart {line}")


def _only(instruments: Iterable[Instrument], plays: Callable[[Instrument], bool],
          part: str) -> Instrument | None:
    found = [instrument for instrument in instruments if plays(instrument)]
    if len(found) > 1:
        names = ", ".join(sorted(instrument.id for instrument in found))
        raise AmbiguousRole(f"{part} is declared by more than one instrument: {names}")
    return found[0] if found else None


def course_position(instrument: Instrument) -> int | None:
    """Where a registration form comes in a deltagare's course (0 first); None for others."""
    role = instrument.results.enrolment
    return None if role is None else COURSE_ORDER.index(role)


def in_report_order(instruments: Iterable[Instrument]) -> list[Instrument]:
    """The instruments in the order their tables come: by declared order, then id."""
    return sorted(instruments, key=lambda i: (i.results.order, i.id))


def table_id(instrument: Instrument) -> str:
    """The id of the instrument's (first) table: declared, or the instrument's own id."""
    return instrument.results.table or instrument.id


def kon_item(instrument: Instrument) -> Item | None:
    """The item giving kön, when the instrument declares one."""
    kon = instrument.results.kon
    return None if kon is None else instrument.item(kon.item)


def known_kon_codes(instrument: Instrument) -> tuple[str, ...]:
    """The kön codes of the instrument's kön item that say a kön (not the unknown one)."""
    item, kon = kon_item(instrument), instrument.results.kon
    if item is None or kon is None:
        return ()
    return tuple(code for code in item.codes
                 if code != kon.unknown and code not in item.missing_codes)


def split_items(instrument: Instrument) -> tuple[Item, ...]:
    """The items the results are split by (the respondent's organisation or role)."""
    return tuple(instrument.item(item_id) for item_id in instrument.results.split_by)


def rated_items(instrument: Instrument) -> tuple[Item, ...]:
    """The items with positive codes: a row each in the instrument's indicator tables
    (NNS q3 has positive codes and no indicator of its own, and is a row all the same)."""
    return tuple(item for item in instrument.items if item.positive_codes)


def has_indicators(instrument: Instrument) -> bool:
    """Whether the instrument gives indicator tables: it has an item with positive codes."""
    return bool(rated_items(instrument))


def progression_score(instrument: Instrument) -> Score | None:
    """The instrument's first score when it is a mean over several areas (SKAPA), whose
    areas a deltagare's page shows first against latest; None otherwise."""
    score = instrument.scores[0] if instrument.scores else None
    return score if score is not None and score.has_areas else None


@dataclass(frozen=True)
class RegistrationForms:
    """The registration forms (Finsam): the form that starts an enrolment, the one that
    ends it and the follow-up, with the items their declarations name."""

    starts: Instrument
    ends: Instrument
    follow_up: Instrument | None = None

    @classmethod
    def among(cls, instruments: Iterable[Instrument]) -> RegistrationForms | None:
        """The forms among `instruments`, or None without a starting and an ending form."""
        found = list(instruments)
        starts = with_enrolment_role(found, EnrolmentRole.STARTS)
        ends = with_enrolment_role(found, EnrolmentRole.ENDS)
        if starts is None or ends is None:
            return None
        return cls(starts, ends, with_enrolment_role(found, EnrolmentRole.FOLLOW_UP))

    @property
    def in_course_order(self) -> tuple[Instrument, ...]:
        return tuple(form for form in (self.starts, self.ends, self.follow_up) if form)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(form.id for form in self.in_course_order)

    def role_of(self, instrument_id: str) -> EnrolmentRole | None:
        for form in self.in_course_order:
            if form.id == instrument_id:
                return form.results.enrolment
        return None

    @cached_property
    def kon(self) -> Item | None:
        """Kön, as the starting form asks it (asked once per enrolment and table)."""
        return kon_item(self.starts)

    @property
    def kon_unknown(self) -> str | None:
        kon = self.starts.results.kon
        return None if kon is None else kon.unknown

    @property
    def background(self) -> tuple[ReportedItem, ...]:
        return self.starts.results.background

    @property
    def before_after(self) -> tuple[ReportedItem, ...]:
        """The items asked at the start and again at the end, compared."""
        return tuple(entry for entry in self.ends.results.before_after
                     if entry.item in {item.id for item in self.starts.items})

    @property
    def exit_reason(self) -> Item | None:
        declared = self.ends.results.exit_reason
        return None if declared is None else self.ends.item(declared.item)

    @property
    def to_work_or_studies(self) -> tuple[str, ...]:
        """The exit reasons that count as to work or studies."""
        declared = self.ends.results.exit_reason
        return () if declared is None else declared.to_work_or_studies

    def support_item(self, form: Instrument) -> Item | None:
        """The item of `form` that gives the deltagare's försörjning sources, if declared."""
        declared = form.results.support
        return None if declared is None else form.item(declared)

    @property
    def support_sources(self) -> tuple[str, ...]:
        """Every försörjning source the forms can register, in the order the forms list
        them: what a samhällsnytta price list prices (or marks as not priced)."""
        sources: dict[str, None] = {}
        for form in self.in_course_order:
            item = self.support_item(form)
            if item is not None:
                sources.update((code, None) for code in item.codes
                               if code not in item.missing_codes)
        return tuple(sources)
