"""The words around the figures, in Swedish: headings, the suppression rule, and what
each kind of figure means. Shared by every format a person reads."""

from __future__ import annotations

from enkat.reports.model import Kind, Report, Subject, Table
from enkat.reports.numbers import format_count
from enkat.scoring.suppression import Suppression

KIND_TERMS: dict[Kind, tuple[str, str]] = {
    Kind.COUNT: ("Antal", "Hur många deltagare, svar eller källor som räknats; ett heltal."),
    Kind.SHARE: (
        "Andel",
        "Antalet i cellen delat med n, det antal som andelen räknas på; visas i procent "
        "med en decimal.",
    ),
    Kind.NUMBER: ("Mått", "Ett medelvärde, en median eller en skattning, med en decimal."),
    Kind.CHANGE: (
        "Förändring",
        "Efter minus före. Plustecken betyder en ökning, minustecken en minskning.",
    ),
    Kind.P_VALUE: (
        "p-värde",
        "Hur sannolik en så stor förändring vore om det inte fanns någon verklig förändring; "
        "med tre decimaler, och ”< 0,001” när det är mindre än 0,001.",
    ),
    Kind.TEXT: ("Text", "Ett ord eller en bedömning, t.ex. Ja, Nej, Går inte att avgöra."),
    Kind.KRONOR: ("Kronor", "Ett belopp i hela kronor. Minustecken vid en besparing betyder "
                            "att kostnaden ökade."),
}


def subject_heading(subject: Subject) -> str:
    """The heading: "Steget, Finsam Nord" for an insats, the förbund's name for a förbund."""
    if subject.scope == "insats":
        return f"{subject.name}, {subject.forbund_name}"
    if subject.scope == "forbund":
        return subject.name
    raise ValueError(f"unknown report scope {subject.scope!r} (insats or forbund)")


def period_text(report: Report) -> str:
    return f"{report.period_from.isoformat()} – {report.period_to.isoformat()}"


def suppression_text(suppression: Suppression) -> str:
    """The förbund's threshold and what it does, said once near the start of every format."""
    if suppression.k <= 1:
        return ("Alla uppgifter visas, även de som bygger på en enda deltagare, ett svar eller "
                "en källa: förbundet har valt att inte dölja små antal.")
    return (
        f"Uppgifter som bygger på färre än {suppression.k} deltagare, svar eller källor "
        f"visas inte. I stället står en markering som ”{suppression.mark}”. Det skyddar "
        "enskilda personer från att kunna pekas ut. ”X” står där en större siffra döljs "
        "för att en dold siffra annars skulle kunna räknas fram ur summorna."
    )


def column_explanation(table: Table, index: int) -> str:
    """The kind of figure in a column and the n behind its shown figures. A count is its
    own n, so only other kinds name one."""
    column = table.columns[index]
    name = KIND_TERMS[column.kind][0]
    if column.kind is Kind.COUNT:
        return f"{name}."
    n_values = sorted(
        {
            figure.n
            for figure in (row.figures[index] for row in table.rows)
            if figure.suppressed is None and figure.n is not None
        }
    )
    if not n_values:
        return f"{name}."
    if len(n_values) == 1:
        return f"{name}. n = {format_count(n_values[0])}."
    low, high = format_count(n_values[0]), format_count(n_values[-1])
    return f"{name}. n = {low}–{high}, olika för olika rader."


def glossary(suppression: Suppression) -> list[tuple[str, str]]:
    """Every term the tables use, kinds of figures first."""
    return [
        *KIND_TERMS.values(),
        ("n", "Antalet deltagare, svar eller källor som en siffra bygger på."),
        (suppression.mark, "En uppgift som döljs för att den bygger på för få deltagare, "
                           "svar eller källor; gränsen står under Sekretess överst."),
        ("X", "En siffra som döljs för att en liten siffra i samma rad eller kolumn annars "
              "skulle kunna räknas fram ur summan."),
        ("Tom cell", "Det finns inget värde, t.ex. förändring i procent när före är 0."),
        ("Slutsumma", "Raden som summerar tabellen."),
    ]
