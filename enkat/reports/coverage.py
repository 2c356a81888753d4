"""Where every response of the period went: into the report's tables, or into a stated
exclusion with its count. No answer leaves the results without a word.

An instrument's responses are in the tables when its file declares something to report
(an enrolment role, items with positive codes, a score); one that declares nothing (a
survey of free text only) is listed with its count and the reason. A score follows a
deltagare over time, so a scored response without a deltagare code is left out and
counted. Deltagare who answered in the period without an enrolment in the insats are
counted in the tables of the instruments they answered (their course runs over their
answers), and the report says how many they are.

Its counts leave the system as every count does: below k a mark, with the count that
would reveal it marked too, and in a sentence "färre än k".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from enkat.instruments import Instrument
from enkat.instruments.roles import has_indicators, in_report_order
from enkat.scoring.suppression import Suppression

from .figures import counted_grid, small_count
from .inputs import ResponseTally, Unenrolled
from .model import Column, Figure, Kind, Row, Table

NO_RESULTS = "instrumentet redovisar inga resultat (inga indikatorer, poäng eller roll)"
WITHOUT_CODE = "svar utan deltagarkod kan inte följas över tid"
UNKNOWN = "instrumentet finns inte längre i enkat"
COLUMNS = (
    Column("svar", "Svar under perioden", Kind.COUNT),
    Column("i-tabellerna", "I tabellerna", Kind.COUNT),
    Column("utelamnade", "Utelämnade", Kind.COUNT),
    Column("anledning", "Anledning", Kind.TEXT),
    Column("deltagare-utan-inskrivning", "Deltagare utan inskrivning", Kind.COUNT),
    Column("svar-utan-inskrivning", "Deras svar", Kind.COUNT),
)


def coverage_table(instruments: Mapping[str, Instrument], responses: Sequence[ResponseTally],
                   unenrolled: Unenrolled, suppression: Suppression
                   ) -> tuple[Table, dict[str, Any]]:
    """The table "Svar under perioden" and the JSON section of the same figures."""
    by_id = {tally.instrument_id: tally for tally in responses}
    titled = [*((i.id, i.title.get("sv")) for i in in_report_order(instruments.values())
                if i.id in by_id),
              *((i, i) for i in by_id if i not in instruments)]
    left_out = [_left_out(instruments.get(instrument_id), by_id[instrument_id])
                for instrument_id, _ in titled]
    grid = counted_grid([[by_id[instrument_id].responses - count, count]
                         for (instrument_id, _), (count, _) in zip(titled, left_out,
                                                                    strict=True)],
                        suppression)
    rows, records = [], []
    for index, (instrument_id, title) in enumerate(titled):
        tally, reason = by_id[instrument_id], left_out[index][1]
        total = grid.row_totals[index]
        # of the instrument's responses: "0 utelämnade" of 226 is a result, and stays
        included, excluded = (cell if cell.suppressed else replace(cell, n=tally.responses)
                              for cell in grid.cells[index])
        people = small_count(tally.participants_without_enrolment, suppression)
        answered = small_count(tally.responses_without_enrolment, suppression)
        rows.append(Row(title, (total, included, excluded, Figure(reason or ""), people,
                                answered)))
        records.append({
            "instrument": instrument_id, "responses": total.shown, "in_tables": included.shown,
            "left_out": excluded.shown, "reason": reason,
            "participants_without_enrolment": people.shown,
            "responses_without_enrolment": answered.shown,
        })
    people = small_count(unenrolled.participants, suppression)
    answered = small_count(unenrolled.responses, suppression)
    statements = _statements(people, answered, suppression)
    table = Table("svar-i-perioden", "Svar under perioden", COLUMNS, tuple(rows), notes=(
        *statements,
        "Varje inskickat svar under perioden ingår i tabellerna eller räknas här som "
        "utelämnat, med anledningen.",
        "Deltagare utan inskrivning i insatsen under perioden räknas i tabellerna för de "
        "instrument de har besvarat; deras förlopp går över deras svar.",
    ))
    return table, {"instruments": records, "statements": list(statements),
                   "participants_without_enrolment": people.shown,
                   "responses_without_enrolment": answered.shown}


def _left_out(instrument: Instrument | None, tally: ResponseTally) -> tuple[int, str | None]:
    """How many of the responses no table holds, and why."""
    if instrument is None:
        return tally.responses, UNKNOWN
    if not (instrument.results.enrolment or has_indicators(instrument) or instrument.scores):
        return tally.responses, NO_RESULTS
    if instrument.scores and not has_indicators(instrument) and tally.without_code:
        return tally.without_code, WITHOUT_CODE
    return 0, None


def _statements(people: Figure, answered: Figure, suppression: Suppression) -> tuple[str, ...]:
    """"12 deltagare har svar men ingen inskrivning": said once for the whole report."""
    if not people.value:
        return ()
    return (f"{_said(people, suppression)} deltagare har svar men ingen inskrivning under "
            f"perioden i insatsen där de svarade ({_said(answered, suppression)} svar).",)


def _said(count: Figure, suppression: Suppression) -> str:
    return f"färre än {suppression.k}" if count.suppressed else str(count.value)
