"""A report frozen as JSON-able data, and thawed back, without losing anything.

Unlike the report JSON (`enkat.reports.exports.json_export`, which writes only what may
leave the system), a snapshot keeps every field of every figure: value, n, interval,
suppression mark and kind, the chart kind, scale and left-out columns of each table.
A document sent to the förbund is shown from its snapshot, so it must compose exactly
as the live report did. `report_from_snapshot(report_snapshot(r)) == r` holds for every
report whose `sections` are JSON (they are: lists, dicts, strings and numbers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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

#: The snapshot format's version, so a later change of it can still read old ones.
FORMAT = 1


def report_snapshot(report: Report) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "subject": {"scope": report.subject.scope, "slug": report.subject.slug,
                    "name": report.subject.name, "forbund_name": report.subject.forbund_name},
        "from": report.period_from.isoformat(),
        "to": report.period_to.isoformat(),
        "suppression_threshold": report.suppression_threshold,
        "tables": [_table(table) for table in report.tables],
        "sections": report.sections,
        "parts": [{"id": p.id, "title": p.title, "tables": list(p.table_ids)}
                  for p in report.parts],
    }


def report_from_snapshot(data: dict[str, Any]) -> Report:
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown snapshot format {data.get('format')!r}")
    return Report(
        subject=Subject(**data["subject"]),
        period_from=dt.date.fromisoformat(data["from"]),
        period_to=dt.date.fromisoformat(data["to"]),
        suppression_threshold=data["suppression_threshold"],
        tables=tuple(_table_from(table) for table in data["tables"]),
        sections=data["sections"],
        parts=tuple(Part(p["id"], p["title"], tuple(p["tables"])) for p in data["parts"]),
    )


def _table(table: Table) -> dict[str, Any]:
    return {
        "id": table.id,
        "title": table.title,
        "columns": [[c.key, c.label, c.kind.value] for c in table.columns],
        "rows": [{"label": row.label, "key": row.key, "is_total": row.is_total,
                  "figures": [_figure(figure) for figure in row.figures]}
                 for row in table.rows],
        "notes": list(table.notes),
        "chart": table.chart.value if table.chart else None,
        "scale": list(table.scale) if table.scale else None,
        "left_out": list(table.left_out),
    }


def _table_from(data: dict[str, Any]) -> Table:
    scale = data["scale"]
    return Table(
        id=data["id"],
        title=data["title"],
        columns=tuple(Column(key, label, Kind(kind)) for key, label, kind in data["columns"]),
        rows=tuple(Row(row["label"], tuple(_figure_from(f) for f in row["figures"]),
                       row["is_total"], row["key"]) for row in data["rows"]),
        notes=tuple(data["notes"]),
        chart=ChartKind(data["chart"]) if data["chart"] else None,
        scale=(scale[0], scale[1]) if scale else None,
        left_out=tuple(data["left_out"]),
    )


def _figure(figure: Figure) -> list[Any]:
    """A figure as a list: value, n, low, high, suppressed, kind (short, as a report holds
    thousands of them)."""
    return [figure.value, figure.n, figure.low, figure.high, figure.suppressed,
            figure.kind.value if figure.kind else None]


def _figure_from(data: list[Any]) -> Figure:
    value, n, low, high, suppressed, kind = data
    return Figure(value, n, low, high, suppressed, Kind(kind) if kind else None)
