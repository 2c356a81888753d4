"""`enkat report` through the installed console script, as a user runs it: the demo's
förbund report written in every format, the Word file and the PDF opened and read."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
from pypdf import PdfReader

from .command_line import enkat, succeeded


def test_the_demo_report_is_written_in_every_format_and_reads(tmp_path: Path):
    database_url = f"sqlite:///{tmp_path / 'demo.sqlite'}"

    def run(*args: str) -> str:
        return succeeded(enkat(database_url, tmp_path, *args))

    run("db", "upgrade")
    run("demo")
    today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()  # the demo's year ends here
    period = ("--from", (today - dt.timedelta(days=364)).isoformat(), "--to", today.isoformat())
    help_text = run("report", "--help")
    assert "[json|xlsx|html|pdf|docx]" in help_text
    for format in ("json", "xlsx", "html", "pdf", "docx"):
        run("report", "--forbund", "alvdalen", *period, "--format", format,
            "-o", f"rapport.{format}")
    report = json.loads((tmp_path / "rapport.json").read_text(encoding="utf-8"))
    titles = [table["title"] for table in report["tables"]]
    name = "Samordningsförbundet Älvdalen"
    assert openpyxl.load_workbook(tmp_path / "rapport.xlsx").sheetnames[0] == "Om rapporten"
    page = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert f"<h1>{name}</h1>" in page and page.count("<table ") == len(titles)

    opened = docx.Document(str(tmp_path / "rapport.docx"))
    assert opened.paragraphs[0].style.name == "Title" and opened.paragraphs[0].text == name
    headings = [paragraph.text for paragraph in opened.paragraphs
                if paragraph.style.name in ("Heading 1", "Heading 2")]
    # each table titled once: under its part, or as the part when it is the part alone
    parts = {part["title"] for part in report["parts"]} - set(titles)
    assert [heading for heading in headings if heading not in parts] == titles
    assert len(opened.tables) == len(titles) and len(opened.inline_shapes) > 0

    pdf = PdfReader(io.BytesIO((tmp_path / "rapport.pdf").read_bytes()))
    assert "/StructTreeRoot" in pdf.trailer["/Root"]
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert name in text and all(" ".join(title.split()) in text for title in titles[:3])
