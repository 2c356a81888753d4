"""A filed document composed: the template's sections, numbered, with people's words,
the report's tables, the goal table with comments and the entered figures with a sum."""

from __future__ import annotations

import dataclasses
import datetime as dt

from enkat.reports.document import Heading, TableBlock, Text
from enkat.reports.filed.compose import NOT_WRITTEN, DocumentFacts, EnteredFigure, compose
from enkat.reports.filed.templates import bundled_template

from .made import made_report

FACTS = DocumentFacts(forbund="Samordningsförbundet Test", insats="Steget vidare",
                      huvudman="Kommunen", period_start=dt.date(2025, 1, 1),
                      period_end=dt.date(2025, 6, 30), granted_kronor=1_250_000,
                      as_of=dt.date(2025, 8, 1))


def composed(kind="delrapport", facts=FACTS, texts=None, figures=None, comments=None,
             status="draft"):
    return compose(bundled_template(kind), facts, texts or {}, figures or {}, comments or {},
                   made_report(), status)


def section(document, heading):
    """The blocks under a heading, up to the next heading."""
    blocks = list(document.blocks)
    start = blocks.index(next(b for b in blocks if isinstance(b, Heading) and b.text == heading))
    after = []
    for block in blocks[start + 1:]:
        if isinstance(block, Heading):
            break
        after.append(block)
    return after


def test_sections_are_numbered_and_text_shows_its_guidance_until_written():
    document = composed(texts={"bakgrund": "Behovet är stort: {{nyckeltal:deltagare}}."})
    headings = [(b.text, b.level) for b in document.blocks if isinstance(b, Heading)]
    assert headings[:5] == [("1 Insatsen", 2), ("2 Förbundsmedlemmar som sökt medel", 2),
                            ("3 Insatsbeskrivning", 2), ("3.1 Bakgrund", 3), ("3.2 Syfte", 3)]
    assert section(document, "3.1 Bakgrund") == [Text(
        "Behovet är stort: 41 deltagare.", "Varför startades insatsen? Vilket behov finns?")]
    assert section(document, "3.2 Syfte") == [Text("", "Vilken förändring ville man uppnå?")]
    assert section(document, "3 Insatsbeskrivning") == []
    assert document.title == "Delrapport: Steget vidare"


def test_a_sent_document_says_a_section_was_left_empty_instead_of_its_guidance():
    sent = dataclasses.replace(FACTS, frozen_at=dt.datetime(2026, 12, 5, 14, 3))
    document = composed(facts=sent, status="sent", texts={"bakgrund": "Behovet är stort."})
    assert section(document, "3.2 Syfte") == [Text("", NOT_WRITTEN)]
    assert section(document, "3.1 Bakgrund") == [Text("Behovet är stort.", NOT_WRITTEN)]


def test_data_sections_hold_the_report_tables_they_name():
    document = composed()
    report = made_report()
    assert section(document, "4.2 Deltagare och resultat i siffror") == [
        TableBlock(report.table("nyckeltal"))]
    assert section(document, "4.3 Deltagare") == [TableBlock(report.table("deltagare"))]
    indicators = section(document, "4.7 Indikatorer och skattningar")
    assert [block.table.id for block in indicators] == ["nns-pagaende", "skapa-omraden"]
    assert all(block.table is report.table(block.table.id) for block in indicators)


def test_a_data_section_without_tables_says_so():
    document = composed("helarsrapport", facts=dataclasses.replace(FACTS, insats=None))
    assert section(document, "3.6 Förflyttning enligt processtrappan") == [
        Text("enkat har inga uppgifter till det här avsnittet för perioden.")]
    facts = section(document, "1 Förbundet och perioden")[0].table
    assert [row.label for row in facts.rows] == ["Förbund", "Tidsperiod"]


def test_the_goal_table_takes_the_report_goals_and_the_comments():
    table = section(composed("slutrapport", comments={1: "Mäts i höst."}),
                    "4.1 Insatsens mål")[0].table
    assert [c.label for c in table.columns] == ["Har målet uppnåtts?", "Utfall", "Kommentar"]
    assert [[f.value for f in row.figures] for row in table.rows] == [
        ["Nej", "13 av 41 = 31,7 %; målet 40 %", ""],
        ["Går inte att avgöra", "för få svar (färre än 5)", "Mäts i höst."]]


def test_a_delrapport_before_its_period_ends_is_a_prognos():
    running = dataclasses.replace(FACTS, as_of=dt.date(2025, 6, 30))
    document = composed(facts=running)
    table = section(document, "4.1 Insatsens mål")[0].table
    assert [row.figures[0].value for row in table.rows] == ["Nej", "Prognos"]
    assert any(line.startswith("Prognos: perioden slutar 2025-06-30") for line in document.lines)
    assert table.notes[-1].startswith("Prognos")
    ended = composed()
    assert "Prognos" not in " ".join(ended.lines)
    slut = composed("slutrapport", facts=running)
    assert "Prognos" not in " ".join(slut.lines)


def test_entered_figures_have_a_computed_sum():
    table = section(composed(figures={"ekonomi": {
        "lonekostnader": EnteredFigure(500_000, 480_000, "en tjänst"),
        "material": EnteredFigure(20_000, None, "")}}), "6 Ekonomisk rapport")[0].table
    assert [c.label for c in table.columns] == ["Budget (kr)", "Utfall (kr)", "Anmärkning"]
    assert table.figure("Lönekostnader", "anmarkning").value == "en tjänst"
    assert table.figure("Aktiviteter", "budget").value is None
    summa = table.rows[-1]
    assert summa.label == "Summa" and summa.is_total
    assert [f.value for f in summa.figures] == [520_000, 480_000, ""]


def test_the_lines_say_what_the_document_is_and_when_its_figures_froze():
    frozen = dataclasses.replace(FACTS, frozen_at=dt.datetime(2026, 12, 5, 14, 3), version=2)
    lines = composed(facts=frozen, status="approved").lines
    assert lines[:4] == ("Steget vidare, Samordningsförbundet Test", "Period 2025-01-01–2025-06-30",
                         "Version 2 · Godkänd", "Siffrorna är låsta 2026-12-05 14:03")
    facts = section(composed(), "1 Insatsen")[0].table
    assert facts.figure("Beviljat medel", "uppgift").value == "1\u00a0250\u00a0000 kr"
