"""The data report laid out as a document: its title block, then each part as a heading
over its tables, each table with its chart beside it. HTML, PDF and Word render this
one layout (`rendering.render_document`), so they say the same things in the same order.
"""

from __future__ import annotations

from .document import Block, Document, Heading, TableBlock
from .exports.texts import period_text, subject_heading, suppression_text
from .model import Report

#: The heading over tables that belong to no part, when other tables are in parts.
OTHER_TABLES = "Övriga tabeller"


def report_document(report: Report) -> Document:
    """Title: whom the report is about; under it the period and the suppression rule.
    Each part is a level-2 heading over its tables; tables in no part come last.

    A part names tables by id; one naming only tables the report does not hold (a report
    narrowed to some of its tables) is left out, as an empty table is."""
    held = {table.id: table for table in report.tables}
    blocks: list[Block] = []
    placed: set[str] = set()
    for part in report.parts:
        tables = [held[table_id] for table_id in part.table_ids if table_id in held]
        if tables:
            blocks += [Heading(part.title, 2), *(TableBlock(table) for table in tables)]
            placed.update(table.id for table in tables)
    rest = [TableBlock(table) for table in report.tables if table.id not in placed]
    if rest and blocks:
        blocks.append(Heading(OTHER_TABLES, 2))
    return Document(
        title=subject_heading(report.subject),
        lines=(period_text(report), suppression_text(report.suppression)),
        blocks=(*blocks, *rest),
    )
