"""Where every response of the period went: into the report's tables, or into a stated
exclusion with its count. No answer leaves the results without a word.

An instrument's responses are in the tables when its file declares something to report
(an enrolment role, items with positive codes, a score); one that declares nothing (a
survey of free text only) is listed with its count and the reason. A score follows a
deltagare over time, so a scored response without a deltagare code is left out and
counted. Deltagare who answered in the period without an enrolment in the insats are
counted in the tables of the instruments they answered (their course runs over their
answers), and the report says how many they are.

The counts here are of responses and deltagare in the data, not of a group with a given
answer, so they are shown whatever their size: they reveal nothing about anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from enkat.instruments import Instrument
from enkat.instruments.roles import has_indicators, in_report_order

from .inputs import ResponseTally, Unenrolled
from .model import Column, Figure, Kind, Row, Table

NO_RESULTS = "instrumentet redovisar inga resultat (inga indikatorer, poäng eller roll)"
WITHOUT_CODE = "svar utan deltagarkod kan inte följas över tid"
UNKNOWN = "instrumentet finns inte längre i enkat"


def coverage_table(instruments: Mapping[str, Instrument], responses: Sequence[ResponseTally],
                   unenrolled: Unenrolled) -> tuple[Table, dict[str, Any]]:
    """The table "Svar under perioden" and the JSON section of the same figures."""
    by_id = {tally.instrument_id: tally for tally in responses}
    known = [i for i in in_report_order(instruments.values()) if i.id in by_id]
    rows, records = [], []
    for instrument_id, title in [*((i.id, i.title.get("sv")) for i in known),
                                 *((i, i) for i in by_id if i not in instruments)]:
        tally = by_id[instrument_id]
        left_out, reason = _left_out(instruments.get(instrument_id), tally)
        rows.append(Row(title, (
            Figure(tally.responses, n=tally.responses),
            Figure(tally.responses - left_out, n=tally.responses),
            Figure(left_out, n=tally.responses),
            Figure(reason or ""),
            Figure(tally.participants_without_enrolment),
            Figure(tally.responses_without_enrolment),
        )))
        records.append({
            "instrument": instrument_id, "responses": tally.responses,
            "in_tables": tally.responses - left_out, "left_out": left_out, "reason": reason,
            "participants_without_enrolment": tally.participants_without_enrolment,
            "responses_without_enrolment": tally.responses_without_enrolment,
        })
    statements = _statements(unenrolled)
    columns = (
        Column("svar", "Svar under perioden", Kind.COUNT),
        Column("i-tabellerna", "I tabellerna", Kind.COUNT),
        Column("utelamnade", "Utelämnade", Kind.COUNT),
        Column("anledning", "Anledning", Kind.TEXT),
        Column("deltagare-utan-inskrivning", "Deltagare utan inskrivning", Kind.COUNT),
        Column("svar-utan-inskrivning", "Deras svar", Kind.COUNT),
    )
    table = Table("svar-i-perioden", "Svar under perioden", columns, tuple(rows), notes=(
        *statements,
        "Varje inskickat svar under perioden ingår i tabellerna eller räknas här som "
        "utelämnat, med anledningen.",
        "Deltagare utan inskrivning i insatsen under perioden räknas i tabellerna för de "
        "instrument de har besvarat; deras förlopp går över deras svar.",
        "Antalen här är antal svar och deltagare i underlaget och visas oavsett storlek.",
    ))
    return table, {"instruments": records, "statements": list(statements),
                   "participants_without_enrolment": unenrolled.participants,
                   "responses_without_enrolment": unenrolled.responses}


def _left_out(instrument: Instrument | None, tally: ResponseTally) -> tuple[int, str | None]:
    """How many of the responses no table holds, and why."""
    if instrument is None:
        return tally.responses, UNKNOWN
    if not (instrument.results.enrolment or has_indicators(instrument) or instrument.scores):
        return tally.responses, NO_RESULTS
    if instrument.scores and not has_indicators(instrument) and tally.without_code:
        return tally.without_code, WITHOUT_CODE
    return 0, None


def _statements(unenrolled: Unenrolled) -> tuple[str, ...]:
    """"12 deltagare har svar men ingen inskrivning": said once for the whole report."""
    if not unenrolled.participants:
        return ()
    return (f"{unenrolled.participants} deltagare har svar men ingen inskrivning i insatsen "
            f"under perioden ({unenrolled.responses} svar).",)
