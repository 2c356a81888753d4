"""A report table as a page shows it (the results page, an utskick's page)."""

from __future__ import annotations

from markupsafe import Markup

from enkat.reports.charted import has_chart
from enkat.reports.exports.html_export import table_html
from enkat.reports.exports.texts import column_explanation
from enkat.reports.model import Kind, Table


class TableOnPage:
    """A report table as a page shows it: the HTML export's markup, then its id and,
    for every column that is not itself a count, the n its figures rest on
    (templates/admin/_report_table.html); and whether it has a chart to show beside it."""

    def __init__(self, table: Table):
        self.id, self.title = table.id, table.title
        self.has_chart = has_chart(table)
        self.html = Markup(table_html(table))
        self.explanations = [f"{column.label}: {column_explanation(table, index)}"
                             for index, column in enumerate(table.columns)
                             if column.kind is not Kind.COUNT]
