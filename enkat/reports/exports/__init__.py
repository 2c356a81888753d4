"""Outgoing formats of a report: JSON, XLSX, HTML and PDF.

Each renders a `enkat.reports.model.Report` as it is; none computes a figure. A
suppressed figure leaves only as its mark (`Figure.shown`): never its value, n or
interval. Numbers people read are written by `numbers` (Swedish style) and the words
around them by `texts`, so every format says the same thing.
"""

from enkat.reports.exports.html_export import to_html
from enkat.reports.exports.json_export import report_dict, to_json
from enkat.reports.exports.pdf_export import to_pdf
from enkat.reports.exports.xlsx_export import to_xlsx

__all__ = ["report_dict", "to_html", "to_json", "to_pdf", "to_xlsx"]
