"""A filed report as a `Document`: the template's sections in order, people's words with
their quoted figures, the report's tables, the goal table with comments, and the entered
figures with their computed sum.

Pure: the caller passes the report (live for a draft, thawed from the snapshot for a
sent one) and what people wrote; nothing here looks anything up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from enkat.reports.document import Block, Document, Heading, TableBlock, Text
from enkat.reports.goals import UNDECIDED
from enkat.reports.model import Column, Figure, Kind, Report, Row, Table
from enkat.reports.numbers import format_decimal

from .markers import render_markers
from .templates import DocumentTemplate, SectionSpec

#: The statuses of a document in Swedish, as its page and its lines say them.
STATUS_NAMES = {"draft": "Utkast", "sent": "Skickad till förbundet",
                "returned": "Återsänd för komplettering", "approved": "Godkänd"}
PROGNOS = "Prognos"
NO_DATA = "enkat har inga uppgifter till det här avsnittet för perioden."
NO_GOALS = "Insatsen har inga mål i enkat."
GOALS_TABLE = "mal"


@dataclass(frozen=True)
class DocumentFacts:
    """What a document says about itself. `as_of` is the day its figures are from (today
    for a draft, the day it was sent for a sent one); `frozen_at` the local time its
    figures were frozen, None while they are live."""

    forbund: str
    insats: str | None
    huvudman: str
    period_start: dt.date
    period_end: dt.date
    granted_kronor: int | None
    as_of: dt.date
    version: int = 1
    frozen_at: dt.datetime | None = None

    @property
    def subject(self) -> str:
        return self.insats or self.forbund


@dataclass(frozen=True)
class EnteredFigure:
    """One row of an entered-figures section: whole kronor or empty, and a remark."""

    budget: int | None = None
    utfall: int | None = None
    remark: str = ""


#: What a section nobody wrote says in a document sent to the förbund.
NOT_WRITTEN = "Ej ifyllt."


def compose(template: DocumentTemplate, facts: DocumentFacts, texts: Mapping[str, str],
            figures: Mapping[str, Mapping[str, EnteredFigure]],
            goal_comments: Mapping[int, str], report: Report, status: str) -> Document:
    """The document: `texts` by section key, `figures` by section and row key,
    `goal_comments` by the goal's row in the report's goal table (0, 1, ...)."""
    prognos = is_prognos(template, facts)
    blocks: list[Block] = []
    for number, section in zip(_numbers(template), template.sections, strict=True):
        blocks.append(Heading(f"{number} {section.heading}" if number else section.heading,
                              section.level))
        blocks += _section_blocks(section, facts, texts, figures, goal_comments, report,
                                  prognos)
    return Document(f"{template.title}: {facts.subject}",
                    _lines(template, facts, report, status, prognos), tuple(blocks))


def is_prognos(template: DocumentTemplate, facts: DocumentFacts) -> bool:
    """A template that allows it (the delrapport), for a period that has not ended."""
    return template.prognos and facts.period_end >= facts.as_of


def _numbers(template: DocumentTemplate) -> list[str]:
    """"1", "2", "2.1", ... by level; empty strings for an unnumbered template."""
    if not template.numbered:
        return [""] * len(template.sections)
    numbers, major, minor = [], 0, 0
    for section in template.sections:
        if section.level == 2:
            major, minor = major + 1, 0
            numbers.append(str(major))
        else:
            minor += 1
            numbers.append(f"{major}.{minor}" if major else str(minor))
    return numbers


def _lines(template: DocumentTemplate, facts: DocumentFacts, report: Report, status: str,
           prognos: bool) -> tuple[str, ...]:
    lines = [facts.forbund if facts.insats is None else f"{facts.insats}, {facts.forbund}",
             f"Period {facts.period_start.isoformat()}–{facts.period_end.isoformat()}",
             f"Version {facts.version} · {STATUS_NAMES.get(status, status)}"]
    if facts.frozen_at is not None:
        lines.append(f"Siffrorna är låsta {facts.frozen_at:%Y-%m-%d %H:%M}")
    else:
        lines.append(f"Siffrorna hämtas ur enkat ({facts.as_of.isoformat()}) och låses när "
                     "rapporten skickas.")
    if prognos:
        lines.append(f"{PROGNOS}: perioden slutar {facts.period_end.isoformat()}. Mål som "
                     "inte går att avgöra än visas som prognos.")
    lines.append(f"Antal under {report.suppression_threshold} visas inte.")
    return tuple(lines)


def _section_blocks(section: SectionSpec, facts: DocumentFacts, texts: Mapping[str, str],
                    figures: Mapping[str, Mapping[str, EnteredFigure]],
                    goal_comments: Mapping[int, str], report: Report,
                    prognos: bool) -> list[Block]:
    if section.kind == "text":
        # the guidance helps while writing; a sent document says what was left empty
        unwritten = section.guidance if facts.frozen_at is None else NOT_WRITTEN
        return [Text(render_markers(texts.get(section.key, ""), report), unwritten)]
    if section.kind == "data":
        tables = data_tables(section, report)
        return [TableBlock(t) for t in tables] if tables else [Text(NO_DATA)]
    if section.kind == "insats":
        return [TableBlock(facts_table(section.key, facts))]
    if section.kind == "goals":
        table = goals_table(section.key, report, goal_comments, prognos)
        return [TableBlock(table)] if table else [Text(NO_GOALS)]
    if section.kind == "figures":
        return [TableBlock(figures_table(section, figures.get(section.key, {})))]
    return []  # a heading over its subsections


def data_tables(section: SectionSpec, report: Report) -> list[Table]:
    """The report's tables a data section names, each once: by id or glob pattern, then
    those of the parts it names, in the order the section names them."""
    chosen: dict[str, Table] = {}
    for pattern in section.tables:
        for table in report.tables:
            if fnmatchcase(table.id, pattern):
                chosen.setdefault(table.id, table)
    for pattern in section.parts:
        for part in report.parts:
            if fnmatchcase(part.id, pattern):
                for table in report.tables_of(part):
                    chosen.setdefault(table.id, table)
    return list(chosen.values())


def facts_table(table_id: str, facts: DocumentFacts) -> Table:
    """The insats (or förbund) and the period, as the template's first section shows them."""
    period = f"{facts.period_start.isoformat()}–{facts.period_end.isoformat()}"
    if facts.insats is None:
        rows = [("Förbund", facts.forbund), ("Tidsperiod", period)]
    else:
        granted = ("uppgift saknas" if facts.granted_kronor is None
                   else f"{format_decimal(facts.granted_kronor, 0)} kr")
        rows = [("Insats", facts.insats), ("Huvudman", facts.huvudman or "uppgift saknas"),
                ("Förbund", facts.forbund), ("Tidsperiod", period), ("Beviljat medel", granted)]
    return Table(table_id, "Uppgifter", (Column("uppgift", "Uppgift", Kind.TEXT),),
                 tuple(Row(label, (Figure(value),)) for label, value in rows))


def goals_table(table_id: str, report: Report, comments: Mapping[int, str],
                prognos: bool) -> Table | None:
    """Mål · Har målet uppnåtts? · Utfall · Kommentar, from the report's goal table. In a
    prognos, a goal not yet decided says "Prognos"."""
    try:
        goals = report.table(GOALS_TABLE)
    except KeyError:
        return None
    rows = []
    for index, row in enumerate(goals.rows):
        verdict = goals.figure(row.label, "uppnatt")
        if prognos and verdict.value == UNDECIDED:
            verdict = Figure(PROGNOS)
        rows.append(Row(row.label, (verdict, goals.figure(row.label, "utfall"),
                                    Figure(comments.get(index, ""))), key=row.key))
    notes = goals.notes + ((f"{PROGNOS}: perioden har inte slutat; målet avgörs när den "
                            "har gjort det.",) if prognos else ())
    return Table(table_id, goals.title,
                 (Column("uppnatt", "Har målet uppnåtts?", Kind.TEXT),
                  Column("utfall", "Utfall", Kind.TEXT),
                  Column("kommentar", "Kommentar", Kind.TEXT)), tuple(rows), notes=notes)


def figures_table(section: SectionSpec, entered: Mapping[str, EnteredFigure]) -> Table:
    """Budget and utfall per row in kronor with remarks, and the computed Summa."""
    rows = []
    for spec in section.rows:
        figure = entered.get(spec.key, EnteredFigure())
        rows.append(Row(spec.label, (Figure(figure.budget), Figure(figure.utfall),
                                     Figure(figure.remark)), key=spec.key))
    sums = [_sum(entered.get(spec.key, EnteredFigure()).budget for spec in section.rows),
            _sum(entered.get(spec.key, EnteredFigure()).utfall for spec in section.rows)]
    rows.append(Row("Summa", (Figure(sums[0]), Figure(sums[1]), Figure("")), is_total=True))
    return Table(section.key, section.heading,
                 (Column("budget", "Budget (kr)", Kind.COUNT),
                  Column("utfall", "Utfall (kr)", Kind.COUNT),
                  Column("anmarkning", "Anmärkning", Kind.TEXT)), tuple(rows))


def _sum(values: Iterable[int | None]) -> int | None:
    given = [value for value in values if value is not None]
    return sum(given) if given else None
