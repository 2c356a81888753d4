"""A filed document downloads in Word, PDF and HTML: the same document in each."""

from __future__ import annotations

import io

import docx
import pypdf

from enkat.services.documents import create_document, render_document, save_text, send

from .conftest import HALF_YEAR


def test_a_document_renders_in_every_format(forbund, insats, writer):
    document = create_document(forbund, insats, "delrapport", HALF_YEAR, writer)
    save_text(document, "syfte", "Fler ska gå till arbete eller studier.", writer, revision=0)
    send(document, writer)

    word = docx.Document(io.BytesIO(render_document(document, "docx")))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "3.2 Syfte" in headings and "6 Ekonomisk rapport" in headings
    assert "Fler ska gå till arbete eller studier." in [p.text for p in word.paragraphs]
    assert word.tables

    pdf = pypdf.PdfReader(io.BytesIO(render_document(document, "pdf")))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Siffrorna är låsta" in text and "3.2 Syfte" in text

    html = render_document(document, "html").decode("utf-8")
    assert "Delrapport: Steget vidare" in html and "Fler ska gå till arbete" in html
