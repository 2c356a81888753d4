"""The data report laid out as a document: parts as headings in order, each table under
its part, tables in no part last; and each table's chart right after it when rendered."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.document import Heading, TableBlock
from enkat.reports.exports.texts import suppression_text
from enkat.reports.indicators import indicator_tables, tally
from enkat.reports.inputs import AnswerCount
from enkat.reports.layout import OTHER_TABLES, report_document
from enkat.reports.model import Part
from enkat.reports.rendering import render_document
from enkat.scoring import Suppression

from .test_exports import sample_report


def parted(*parts: Part):
    return replace(sample_report(), parts=parts)


def outline(document) -> list[tuple[str, str]]:
    return [("heading", block.text) if isinstance(block, Heading) else ("table", block.table.id)
            for block in document.blocks]


def test_the_title_block_names_the_subject_period_and_suppression():
    document = report_document(sample_report())
    assert document.title == "Steget, Finsam Nord"
    assert document.lines == ("2025-01-01 – 2025-12-31",
                              suppression_text(sample_report().suppression))


def test_parts_become_level_2_headings_over_their_tables_in_their_order():
    document = report_document(parted(Part("resultat", "Resultat", ("avslutsanledning",)),
                                       Part("vilka", "Vilka deltog", ("bedomning", "deltagare"))))
    assert outline(document) == [("heading", "Resultat"), ("table", "avslutsanledning"),
                                 ("heading", "Vilka deltog"), ("table", "bedomning"),
                                 ("table", "deltagare")]
    assert {block.level for block in document.blocks if isinstance(block, Heading)} == {2}


def test_tables_in_no_part_come_last_under_a_heading_of_their_own():
    document = report_document(parted(Part("vilka", "Vilka deltog", ("deltagare",))))
    assert outline(document) == [("heading", "Vilka deltog"), ("table", "deltagare"),
                                 ("heading", OTHER_TABLES), ("table", "avslutsanledning"),
                                 ("table", "bedomning")]


def test_a_report_without_parts_is_its_tables_in_order():
    assert outline(report_document(sample_report())) == [
        ("table", "deltagare"), ("table", "avslutsanledning"), ("table", "bedomning")]


def test_a_part_whose_tables_the_report_does_not_hold_is_left_out():
    narrowed = replace(parted(Part("vilka", "Vilka deltog", ("deltagare",)),
                              Part("resultat", "Resultat", ("avslutsanledning",))),
                       tables=(sample_report().tables[1],))
    assert outline(report_document(narrowed)) == [("heading", "Resultat"),
                                                  ("table", "avslutsanledning")]


@pytest.fixture(scope="module")
def indicators():
    survey = load_directory(bundled_directory())["nns-deltagare-pagaende"]
    counts = [AnswerCount(survey.id, "pagaende", "q1", value, count)
              for value, count in (("6", 9), ("2", 4))]
    [table] = indicator_tables(survey, tally(counts, {survey.id: survey}), {},
                               Suppression(5))
    return table


def test_a_tables_chart_follows_it_before_the_next_table(indicators):
    report = replace(sample_report(), tables=(indicators, *sample_report().tables),
                     parts=(Part("nns", "Vad tycker du om stödet?", (indicators.id,)),
                            Part("vilka", "Vilka deltog", ("deltagare",))))
    document = report_document(report)
    assert isinstance(document.blocks[1], TableBlock) and document.blocks[1].table is indicators
    page = render_document(document, "html").decode()
    table = page.index(f'<table id="{indicators.id}"')
    image = page.index("<img ")
    assert page.count("<img ") == 1
    assert table < image < page.index("<h2>Vilka deltog</h2>")
    assert re.search(r'alt="Diagram: [^"]+\. Samma siffror som i tabellen\."', page)
