"""A small report made by hand, with the tables filed documents read: the key figures
(`nyckeltal`, as enkat.reports.summary builds it), the goal table and a deltagare part."""

from __future__ import annotations

import datetime as dt

from enkat.reports.model import (
    ChartKind,
    Column,
    Figure,
    Kind,
    Part,
    Report,
    Row,
    Subject,
    Table,
)

KEY_FIGURES = Table("nyckeltal", "Nyckeltal", (
    Column("varde", "Värde", Kind.NUMBER), Column("n", "Antal", Kind.COUNT),
    Column("text", "I ord", Kind.TEXT)), (
    Row("Deltagare", (Figure(41, n=41), Figure(41, n=41), Figure("41 deltagare")),
        key="deltagare"),
    Row("Andel till arbete eller studier", (
        Figure(13 / 41, n=41, low=0.19, high=0.47), Figure(41, n=41),
        Figure("13 av 41 = 31,7 %")), key="andel-till-arbete-eller-studier"),
    Row("Aktivt arbetssökande", (Figure(3, n=3, suppressed="<5"), Figure(3, suppressed="<5"),
                                 Figure("färre än 5")), key="aktivt-arbetssokande"),
))

GOALS = Table("mal", "Mål", (
    Column("uppnatt", "Har målet uppnåtts?", Kind.TEXT), Column("utfall", "Utfall", Kind.TEXT),
    Column("n", "Antal", Kind.COUNT)), (
    Row("Minst 40 % till arbete eller studier", (
        Figure("Nej"), Figure("13 av 41 = 31,7 %; målet 40 %"), Figure(41, n=41))),
    Row("Fler känner sig redo att arbeta", (
        Figure("Går inte att avgöra"), Figure("för få svar (färre än 5)"),
        Figure(3, n=3, suppressed="<5"))),
), notes=("Går inte att avgöra: färre än 5 svar, eller indikatorn mäts inte.",))

DELTAGARE = Table("deltagare", "Deltagare", (
    Column("unika", "Unika", Kind.COUNT), Column("andel", "Andel", Kind.SHARE)), (
    Row("Kvinna", (Figure(28, n=28), Figure(28 / 41, n=41))),
    Row("Man", (Figure(13, n=13), Figure(13 / 41, n=41))),
    Row("Slutsumma", (Figure(41, n=41), Figure(1.0, n=41)), is_total=True),
))

NNS = Table("nns-pagaende", "NNS under insatsen", (
    Column("andel", "Andel", Kind.SHARE), Column("andel-foregaende", "Förra", Kind.SHARE)), (
    Row("Jag har fått stöd", (Figure(0.8, n=20, low=0.6, high=0.9), Figure(None)), key="q1"),
), chart=ChartKind.INDICATOR_BARS, left_out=("kvinna",))

SKAPA = Table("skapa-omraden", "SKAPA per område", (
    Column("forsta", "Första", Kind.NUMBER), Column("senaste", "Senaste", Kind.NUMBER)), (
    Row("Boende", (Figure(2.5, n=12), Figure(3.0, n=12, kind=Kind.NUMBER))),
), chart=ChartKind.AREA_CHANGES, scale=(1, 5))


def made_report(period_to: dt.date = dt.date(2025, 6, 30)) -> Report:
    tables = (GOALS, KEY_FIGURES, DELTAGARE, NNS, SKAPA)
    return Report(
        Subject("insats", "steget", "Steget vidare", "Samordningsförbundet Test"),
        dt.date(2025, 1, 1), period_to, 5, tables,
        sections={"goals": [{"goal": "x", "target": 0.4, "achieved": "Nej"}],
                  "indicators": [{"table": "nns-pagaende", "item": "q1", "share": 0.8}]},
        parts=(Part("mal", "Mål", ("mal",)), Part("deltagare", "Deltagare", ("deltagare",)),
               Part("nns-deltagare", "NNS", ("nns-pagaende",)),
               Part("skapa", "SKAPA", ("skapa-omraden",))))
