"""A document as an accessible A4 PDF: the HTML page (`html_export`) printed by
WeasyPrint, so the PDF says what the page says, laid out by the page's print CSS.

The PDF is tagged (PDF/UA-1): headings, tables with their header cells, and charts as
figures with alternative text, in reading order, with the title and the language (sv)
set, so a screen reader reads it. Text is set in DejaVu Sans, the TTF that ships with
matplotlib, so å, ä, ö and the typographic minus render on every server. The bytes
depend on the document only: no clock, and a fixed file identifier.

WeasyPrint draws text with pango, a system library (Debian: libpango-1.0-0). Where it
is missing, `to_pdf` raises `PdfUnavailable` with a message saying so, in Swedish.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from enkat.reports.document import Document
from enkat.reports.exports.html_export import to_html

#: Names the file, not the moment: two PDFs of the same document are the same bytes.
_IDENTIFIER = b"enkat-rapport"
_MISSING_PANGO = (
    "PDF kan inte skapas på den här servern: systembiblioteket pango saknas "
    "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). "
    "Rapporten finns också som HTML, Word och Excel."
)


class PdfUnavailable(RuntimeError):
    """The PDF cannot be made here (a system library is missing); says so in Swedish."""


def to_pdf(document: Document, charts: Mapping[str, str] | None = None) -> bytes:
    """The PDF; `charts` maps a table's id to its chart as SVG text, as for the page."""
    weasyprint = _weasyprint()
    fonts = _Fonts(weasyprint)
    pdf: bytes = weasyprint.HTML(string=to_html(document, charts)).write_pdf(
        stylesheets=[fonts.stylesheet], font_config=fonts.config,
        pdf_variant="pdf/ua-1", pdf_identifier=_IDENTIFIER,
    )
    return pdf


class _Fonts:
    """DejaVu Sans from matplotlib's files, named as the page's CSS names it. Made for
    each PDF: WeasyPrint's font configuration is not shared between threads."""

    def __init__(self, weasyprint: Any) -> None:
        import matplotlib  # its font files only: loaded when a PDF is made
        from weasyprint.text.fonts import FontConfiguration

        directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        faces = "\n".join(
            f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{(directory / name).as_uri()}"); }}'
            for name, weight, style in (
                ("DejaVuSans.ttf", "normal", "normal"),
                ("DejaVuSans-Bold.ttf", "bold", "normal"),
                ("DejaVuSans-Oblique.ttf", "normal", "italic"),
                ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
            )
        )
        self.config = FontConfiguration()
        self.stylesheet = weasyprint.CSS(string=faces, font_config=self.config)


@functools.cache
def _weasyprint() -> Any:
    """WeasyPrint, imported on first use: it loads pango when imported, and a server
    without pango still serves every other format."""
    # WeasyPrint logs what it ignores in a page (CSS it does not know) as warnings, and
    # its steps in English (the user agent's stylesheets already while it is imported).
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        import weasyprint
    except OSError as missing:  # cffi cannot open the library
        raise PdfUnavailable(_MISSING_PANGO) from missing
    return weasyprint
