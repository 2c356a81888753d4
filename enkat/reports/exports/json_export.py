"""The report as JSON: a public format (docs/report-json.md), stable for scripts.

Only what may leave the system is written: a suppressed figure appears as its mark,
with neither its n nor its interval.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from enkat.reports.model import Figure, Report, Subject, Table

SECTIONS = ("indicators", "prepost", "goals", "coverage", "samhallsnytta")


def to_json(report: Report) -> str:
    """Deterministic text: sorted keys, lists in report order, UTF-8 letters kept."""
    text = json.dumps(
        report_dict(report), ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False
    )
    return text + "\n"


def report_dict(report: Report) -> dict[str, Any]:
    return {
        **_subject_dict(report.subject),
        "from": report.period_from.isoformat(),
        "to": report.period_to.isoformat(),
        "suppression_threshold": report.suppression_threshold,
        "tables": [_table_dict(table) for table in report.tables],
        "parts": [{"id": part.id, "title": part.title, "tables": list(part.table_ids)}
                  for part in report.parts],
        **{section: report.sections.get(section) for section in SECTIONS},
    }


def _subject_dict(subject: Subject) -> dict[str, Any]:
    named = {"slug": subject.slug, "name": subject.name}
    if subject.scope == "insats":
        return {"insats": {**named, "forbund": subject.forbund_name}}
    if subject.scope == "forbund":
        return {"forbund": named}
    raise ValueError(f"unknown report scope {subject.scope!r} (insats or forbund)")


def _table_dict(table: Table) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": table.id,
        "title": table.title,
        "columns": [
            {"key": column.key, "label": column.label, "kind": str(column.kind)}
            for column in table.columns
        ],
        "rows": _grid(table, _shown),
        "n": _grid(table, _n),
        "notes": list(table.notes),
    }
    if any(figure.kind for row in table.rows for figure in row.figures):
        result["kinds"] = [[row.label, *(str(figure.kind_in(column)) for figure, column
                                         in zip(row.figures, table.columns, strict=True))]
                           for row in table.rows]
    if any(row.key for row in table.rows):
        result["keys"] = [row.key for row in table.rows]
    intervals = _grid(table, _interval)
    if any(cell is not None for row in intervals for cell in row[1:]):
        result["intervals"] = intervals
    return result


def _grid(table: Table, cell: Callable[[Figure], Any]) -> list[list[Any]]:
    """One list per row: the row's label, then one cell per figure."""
    return [[row.label, *(cell(figure) for figure in row.figures)] for row in table.rows]


def _shown(figure: Figure) -> Any:
    return figure.shown


def _n(figure: Figure) -> int | None:
    return None if figure.suppressed is not None else figure.n


def _interval(figure: Figure) -> list[float | None] | None:
    if figure.suppressed is not None or (figure.low is None and figure.high is None):
        return None
    return [figure.low, figure.high]
