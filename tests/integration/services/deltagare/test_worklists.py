"""The rules of an insats' lists, over rows as the services make them: the due list
grouped by deltagare with the overdue first, and the deltagare list's filters and sorts."""

from __future__ import annotations

import datetime as dt

from enkat.models import Enrolment, Participant
from enkat.services.deltagare.overview import DeltagareRow, DueRow
from enkat.services.deltagare.worklists import (
    DeltagareSort,
    DueSort,
    DueState,
    deltagare_list,
    due_groups,
    matches_code,
)
from enkat.services.instruments.versions import resolve_instrument

TODAY = dt.date(2025, 6, 1)


def due_row(code: str, instrument_id: str, days_ago: int) -> DueRow:
    return DueRow(Participant(id=hash(code), code=code), resolve_instrument(instrument_id),
                  "start", TODAY - dt.timedelta(days=days_ago), days_ago, days_ago > 14)


def test_the_overdue_come_first_each_deltagare_once_with_all_they_are_due_for(db_session):
    rows = [due_row("B", "ors", 0), due_row("A", "ors", 0), due_row("A", "skapa", 40),
            due_row("C", "skapa", 20)]
    groups = due_groups(rows)
    assert [(group.participant.code, group.overdue) for group in groups] == [
        ("A", True), ("C", True), ("B", False)]
    assert [row.instrument.id for row in groups[0].rows] == ["skapa", "ors"]
    assert groups[0].waiting == 40
    by_code = due_groups(rows, sort=DueSort.CODE, descending=True)
    assert [group.participant.code for group in by_code] == ["C", "A", "B"]
    now = due_groups(rows, state=DueState.NOW)
    assert [group.participant.code for group in now] == ["B"]
    ors = due_groups(rows, instrument_id="ors", search="a")
    assert [(group.participant.code, group.overdue) for group in ors] == [("A", False)]


def deltagare_row(code: str, started: int, ended: bool = False, ors: float | None = None,
                  flagged: bool = False) -> DeltagareRow:
    enrolment = Enrolment(started_on=dt.date(2025, 1, started),
                          ended_on=dt.date(2025, 5, 1) if ended else None)
    return DeltagareRow(Participant(code=code), enrolment, None, ors,
                        ("flagga",) if flagged else (), None)


def test_deltagare_are_filtered_and_sorted_with_those_without_ors_last(db_session):
    rows = [deltagare_row("A1", 5, ors=20.0), deltagare_row("B2", 1, ended=True),
            deltagare_row("C3", 9, ors=10.0, flagged=True), deltagare_row("D4", 9)]
    codes = lambda found: [row.participant.code for row in found]  # noqa: E731
    assert codes(deltagare_list(rows)) == ["A1", "B2", "C3", "D4"]
    assert codes(deltagare_list(rows, sort=DeltagareSort.ORS)) == ["C3", "A1", "B2", "D4"]
    assert codes(deltagare_list(rows, sort=DeltagareSort.ORS, descending=True)) == [
        "A1", "C3", "B2", "D4"]
    assert codes(deltagare_list(rows, sort=DeltagareSort.START, descending=True)) == [
        "C3", "D4", "A1", "B2"]  # the same day: by code
    assert codes(deltagare_list(rows, status="avslutade")) == ["B2"]
    assert codes(deltagare_list(rows, status="pagaende", flags="med")) == ["C3"]
    assert codes(deltagare_list(rows, flags="utan", search="d")) == ["D4"]


def test_a_code_is_found_by_any_part_in_either_case():
    assert matches_code("ABC123", " bc1 ") and matches_code("ABC123", "")
    assert not matches_code("ABC123", "x")
