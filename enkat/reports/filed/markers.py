"""Key figures quoted in people's text: a marker such as
`{{nyckeltal:andel-till-arbete-eller-studier}}` renders as the figure's words in the
report's `nyckeltal` table ("13 av 41 = 31,7 %"), so a number in a text section is the
same figure as in the table, never typed twice. A sent document renders its markers from
its snapshot, so the words keep the frozen figure.

A marker names a table and a row key; only the key figures are quoted: the rows of the
`nyckeltal` table and of `nyckeltal-samhallsnytta` (their `text` column says each figure
in words), all under the name `nyckeltal`. An unknown marker renders visibly, so a typo shows
instead of vanishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from enkat.reports.model import Report, Table

KEY_FIGURES_TABLE = "nyckeltal"
#: The tables whose rows are quoted as key figures (`enkat.reports.summary`).
QUOTED_TABLES = (KEY_FIGURES_TABLE, "nyckeltal-samhallsnytta")
TEXT_COLUMN = "text"
MARKER = re.compile(r"\{\{\s*([a-z0-9-]+)\s*:\s*([a-z0-9-]+)\s*\}\}")


@dataclass(frozen=True)
class KeyFigure:
    """A figure to insert: its marker, what it is (Swedish), and how it reads now."""

    marker: str
    label: str
    text: str


def marker_of(row_key: str, table_id: str = KEY_FIGURES_TABLE) -> str:
    return "{{" + f"{table_id}:{row_key}" + "}}"


def key_figures(report: Report) -> list[KeyFigure]:
    """The figures a writer may insert, in the tables' order: those with a key and words."""
    return [KeyFigure(marker_of(row.key), row.label, text)
            for table in _key_tables(report) for row in table.rows if row.key is not None
            for text in [_words(table, row.label)] if text]


def render_markers(text: str, report: Report) -> str:
    """`text` with every marker replaced by its figure's words, or by
    "[okänd uppgift: …]" when the report has no such figure."""
    tables = _key_tables(report)

    def replaced(match: re.Match[str]) -> str:
        table_id, row_key = match.group(1), match.group(2)
        words = _figure_words(tables, row_key) if table_id == KEY_FIGURES_TABLE else None
        return words if words else f"[okänd uppgift: {table_id}:{row_key}]"

    return MARKER.sub(replaced, text)


def markers_in(text: str) -> list[str]:
    """The markers a text quotes, as written in the canonical form."""
    return [marker_of(match.group(2), match.group(1)) for match in MARKER.finditer(text)]


def _key_tables(report: Report) -> list[Table]:
    return [table for table in report.tables if table.id in QUOTED_TABLES]


def _figure_words(tables: list[Table], row_key: str) -> str | None:
    for table in tables:
        try:
            row = table.row_about(row_key)
        except KeyError:
            continue
        return _words(table, row.label)
    return None


def _words(table: Table, row_label: str) -> str | None:
    try:
        shown = table.figure(row_label, TEXT_COLUMN).shown
    except KeyError:
        return None
    return None if shown is None or shown == "" else str(shown)
