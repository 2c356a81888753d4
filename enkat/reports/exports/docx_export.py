"""A document as a Word file (.docx) that a förbund edits and files as its own.

Word's built-in styles carry the structure, so the förbund's own style sheet applies
when it pastes or attaches its template: "Title" for the document's title, "Heading 1"
for a part or section (level 2 in the document), "Heading 2" below it, and so on. Tables
are real Word tables (style "Table Grid") whose header row repeats on every page; a
chart is a PNG picture right after its table, with alternative text. A4, language
Swedish. The bytes depend on the document only: no dates, fixed times in the archive.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from docx import Document as new_word_document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table as WordTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph
from PIL import Image

from enkat.reports.document import Document, Heading, TableBlock, Text
from enkat.reports.exports.views import TableView, chart_alt, outline, paragraphs, table_view

LANGUAGE = "sv-SE"
_PAGE = (Cm(21), Cm(29.7))  # A4
_MARGIN = Cm(2)
_TEXT_WIDTH = _PAGE[0] - 2 * _MARGIN
_CHART_WIDTH = Cm(16)
_CHART_HEIGHT_LIMIT = Cm(21)
_LABEL_WIDTH = Cm(6)
_TABLE_FONT = Pt(9)
_WIDE_TABLE_FONT = Pt(7.5)  # a table of more than `_WIDE` figure columns
_WIDE = 6
_PLACEHOLDER_GREY = RGBColor(0x59, 0x59, 0x59)
_ARCHIVE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip archive can say


def to_docx(document: Document, charts: Mapping[str, bytes] | None = None) -> bytes:
    """The Word file; `charts` maps a table's id to its chart as PNG, placed after it."""
    word = new_word_document()
    _set_up(word, document.title)
    word.add_heading(document.title, level=0)
    for line in document.lines:
        word.add_paragraph(line)
    for block, level in outline(document):
        if isinstance(block, Heading):
            word.add_heading(block.text, level=_word_level(level))
        elif isinstance(block, Text):
            _add_text(word, block)
        else:
            _add_table_block(word, block, level, (charts or {}).get(block.table.id))
    buffer = io.BytesIO()
    word.save(buffer)
    return _with_fixed_times(buffer.getvalue())


def _word_level(level: int) -> int:
    """Word's heading level of a document's: the title is Word's "Title", so a part
    (level 2) is "Heading 1"."""
    return max(level - 1, 1)


def _set_up(word: WordDocument, title: str) -> None:
    """A4 with 2 cm margins, Swedish, titled; none of the template's own traces."""
    section = word.sections[0]
    section.page_width, section.page_height = _PAGE
    section.left_margin = section.right_margin = _MARGIN
    section.top_margin = section.bottom_margin = _MARGIN
    _number_pages(section.footer.paragraphs[0])
    properties = word.core_properties
    properties.title, properties.language = title, LANGUAGE
    properties.author, properties.last_modified_by = "enkat", "enkat"
    properties.comments = properties.subject = properties.keywords = ""
    for name in ("created", "modified"):  # the template's date, not this document's
        for element in properties._element.findall(qn(f"dcterms:{name}")):
            properties._element.remove(element)
    package = word.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:  # python-docx's picture
            del package.rels[key]
    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    language.set(qn("w:val"), LANGUAGE)


def _number_pages(paragraph: Paragraph) -> None:
    """"Sida 3 av 12" in the footer of every page, as fields Word fills in (PAGE and
    NUMPAGES), so the numbers stay right when the förbund edits the document."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Sida ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" av ")
    _add_field(paragraph, "NUMPAGES")


def _add_field(paragraph: Paragraph, code: str) -> None:
    """A field Word computes when it shows the page: begin, instruction, end."""
    for kind, text in (("begin", None), (None, code), ("end", None)):
        run = paragraph.add_run()._r
        if kind:
            character = OxmlElement("w:fldChar")
            character.set(qn("w:fldCharType"), kind)
            run.append(character)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = f" {text} "
            run.append(instruction)


def _add_text(word: WordDocument, block: Text) -> None:
    texts = paragraphs(block.text)
    for text in texts:
        word.add_paragraph(text)
    if not texts and block.placeholder:
        run = word.add_paragraph().add_run(block.placeholder)
        run.italic = True
        run.font.color.rgb = _PLACEHOLDER_GREY


def _add_table_block(word: WordDocument, block: TableBlock, level: int,
                     chart: bytes | None) -> None:
    view = table_view(block.table)
    word.add_heading(view.title, level=_word_level(level))
    _add_table(word, view)
    for note in view.notes:
        word.add_paragraph(note)
    if chart is not None:
        _add_chart(word, chart, chart_alt(view.title))


def _add_table(word: WordDocument, view: TableView) -> None:
    table = word.add_table(rows=1 + len(view.rows), cols=1 + len(view.columns))
    table.style = word.styles["Table Grid"]
    size = _WIDE_TABLE_FONT if len(view.columns) > _WIDE else _TABLE_FONT
    header = table.rows[0]
    _repeat_as_header(header)
    _write(header.cells[0], "", size)
    for cell, column in zip(header.cells[1:], view.columns, strict=True):
        _write(cell, column.text, size, bold=True, right=column.right_aligned)
    for word_row, row in zip(table.rows[1:], view.rows, strict=True):
        _write(word_row.cells[0], row.label, size, bold=row.is_total)
        for cell, figure in zip(word_row.cells[1:], row.cells, strict=True):
            _write(cell, figure.text, size, bold=row.is_total, right=figure.right_aligned)
    _set_widths(table, len(view.columns))


def _repeat_as_header(row: _Row) -> None:
    """Mark a table's first row as its header: Word repeats it on every page, and a
    screen reader reads it as the column headings."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _write(cell: _Cell, text: str, size: Pt, *, bold: bool = False,
           right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold, run.font.size = bold, size
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _set_widths(table: WordTable, figure_columns: int) -> None:
    """The label column wide enough for a label on a line or two; the figures share
    the rest of the page's width."""
    label = min(_LABEL_WIDTH, Emu(_TEXT_WIDTH // 2)) if figure_columns else _TEXT_WIDTH
    figure = Emu((_TEXT_WIDTH - label) // max(figure_columns, 1))
    for index, column in enumerate(table.columns):
        width = label if index == 0 else figure
        column.width = width
        for cell in column.cells:
            cell.width = width


def _add_chart(word: WordDocument, png: bytes, alt: str) -> None:
    with Image.open(io.BytesIO(png)) as image:
        pixels_wide, pixels_high = image.size
    width = min(_CHART_WIDTH, Emu(_CHART_HEIGHT_LIMIT * pixels_wide // pixels_high))
    paragraph = word.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    picture = paragraph.add_run().add_picture(io.BytesIO(png), width=width)
    picture._inline.docPr.set("descr", alt)


def _with_fixed_times(data: bytes) -> bytes:
    """The archive with every file dated alike: the bytes depend on the content only."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ARCHIVE_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()
