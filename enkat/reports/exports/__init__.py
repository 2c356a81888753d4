"""Outgoing formats of a report: JSON and XLSX of its tables; HTML, PDF and Word of a
laid-out document (`enkat.reports.document.Document`).

Each renders what it is given as it is; none computes a figure. A suppressed figure
leaves only as its mark (`Figure.shown`): never its value, n or interval. Numbers people
read are written by `numbers` (Swedish style) and the words around them by `texts` and
`views`, so every format says the same thing. The PDF is the HTML page printed.

Word and Excel are imported from their modules (`docx_export`, `xlsx_export`) by what
writes them, not from here: python-docx, Pillow and openpyxl take some 40 MB, and every
page that shows a table as HTML imports this package.
"""

from enkat.reports.exports.html_export import to_html
from enkat.reports.exports.json_export import report_dict, to_json
from enkat.reports.exports.pdf_export import PdfUnavailable, to_pdf

__all__ = ["PdfUnavailable", "report_dict", "to_html", "to_json", "to_pdf"]
