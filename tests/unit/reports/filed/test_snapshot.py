"""A report frozen as JSON and thawed back is the same report, every field of it."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from enkat.reports.filed.snapshot import report_from_snapshot, report_snapshot
from enkat.reports.model import (
    ChartKind,
    Column,
    Figure,
    Kind,
    Part,
    Report,
    Row,
    Subject,
    Table,
)

from .made import made_report


def through_json(report: Report) -> Report:
    """Frozen, stored as JSON text (as the database keeps it), read and thawed."""
    text = json.dumps(report_snapshot(report), allow_nan=False)
    return report_from_snapshot(json.loads(text))


def test_the_made_report_comes_back_whole():
    report = made_report()
    assert through_json(report) == report


words = st.text(max_size=8)
numbers = st.one_of(st.none(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False), words)
figures = st.builds(Figure, numbers, st.none() | st.integers(0, 500),
                    st.none() | st.floats(0, 1), st.none() | st.floats(0, 1),
                    st.none() | st.sampled_from(["<5", "–"]), st.none() | st.sampled_from(Kind))


@st.composite
def tables(draw, table_id: str) -> Table:
    columns = draw(st.lists(st.builds(Column, words, words, st.sampled_from(Kind)),
                            min_size=1, max_size=3))
    rows = draw(st.lists(st.builds(Row, words, st.tuples(*[figures] * len(columns)),
                                   st.booleans(), st.none() | words), max_size=3))
    return Table(table_id, draw(words), tuple(columns), tuple(rows),
                 tuple(draw(st.lists(words, max_size=2))),
                 draw(st.none() | st.sampled_from(ChartKind)),
                 draw(st.none() | st.tuples(st.integers(0, 3), st.integers(4, 10))),
                 tuple(draw(st.lists(words, max_size=2))))


@st.composite
def reports(draw) -> Report:
    made = [draw(tables(f"t{index}")) for index in range(draw(st.integers(0, 3)))]
    json_values = st.recursive(st.none() | st.booleans() | st.integers() | words,
                               lambda inner: st.lists(inner, max_size=3)
                               | st.dictionaries(words, inner, max_size=3), max_leaves=6)
    return Report(
        Subject(draw(st.sampled_from(["insats", "forbund"])), "s", draw(words), draw(words)),
        draw(st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1))),
        draw(st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1))),
        draw(st.integers(1, 10)), tuple(made),
        draw(st.dictionaries(st.sampled_from(["goals", "indicators", "coverage"]),
                             json_values, max_size=3)),
        tuple(Part(f"p{index}", draw(words), (table.id,)) for index, table in enumerate(made)))


@given(reports())
def test_any_small_report_comes_back_whole(report):
    assert through_json(report) == report
