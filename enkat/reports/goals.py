"""The goal table of förbund report templates: Mål · Har målet uppnåtts? · Utfall.

Indicators a goal can name: `till-arbete-eller-studier` (share of those who ended after
the trial period whose exit reason counts as to work or studies, as the avslut form
declares) and every indicator of an instrument answered by deltagare (share of positive
answers to the items that measure it, "vet ej" left out; `goal_instruments`).
Comparisons: `at_least_share` (the share reaches `target`) and
`more_than_previous_period` (the share is higher than in the previous period of equal
length; `more_than_previous_year` is the same for a one-year report). Below k
respondents the answer is "Går inte att avgöra".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enkat.instruments import Instrument
from enkat.instruments.roles import has_indicators, in_report_order
from enkat.scoring.suppression import Suppression

from .figures import small_count
from .model import Column, Figure, Kind, Row, Table
from .numbers import format_share

TO_WORK_OR_STUDIES = "till-arbete-eller-studier"
AT_LEAST = "at_least_share"
MORE_THAN_BEFORE = ("more_than_previous_period", "more_than_previous_year")
YES, NO, UNDECIDED = "Ja", "Nej", "Går inte att avgöra"


@dataclass(frozen=True)
class Share:
    count: int
    n: int

    @property
    def value(self) -> float | None:
        return self.count / self.n if self.n else None

    def written(self, suppression: Suppression) -> str:
        """"13 av 41 = 31,7 %"; a small count is not written, nor its share."""
        if not self.n:
            return "inga svar"
        if suppression.hides(self.count):
            return f"färre än {suppression.k} av {self.n}"
        assert self.value is not None  # n > 0
        return f"{self.count} av {self.n} = {format_share(self.value)}"


@dataclass(frozen=True)
class IndicatorShares:
    """An indicator's share this period and in the period before."""

    now: Share
    before: Share


def goal_row(description: str, indicator: str, comparison: str, target: float | None,
             shares: Mapping[str, IndicatorShares],
             suppression: Suppression) -> tuple[Row, dict[str, Any]]:
    found = shares.get(indicator)
    verdict, outcome = _judge(found, comparison, target, suppression)
    n = found.now.n if found else 0
    row = Row(description, (Figure(verdict), Figure(outcome), small_count(n, suppression)))
    record = {"goal": description, "indicator": indicator, "comparison": comparison,
              "target": target, "achieved": verdict, "outcome": outcome}
    return row, record


def _judge(found: IndicatorShares | None, comparison: str, target: float | None,
           suppression: Suppression) -> tuple[str, str]:
    if found is None:
        return UNDECIDED, "indikatorn mäts inte i rapportens data"
    now, before = found.now, found.before
    if suppression.too_few(now.n):
        return UNDECIDED, f"för få svar (färre än {suppression.k})"
    if comparison == AT_LEAST and target is not None:
        assert now.value is not None  # n ≥ k > 0
        verdict = YES if now.value >= target else NO
        return verdict, f"{now.written(suppression)}; målet {format_share(target, decimals=0)}"
    if comparison in MORE_THAN_BEFORE:
        if suppression.too_few(before.n):
            return UNDECIDED, f"{now.written(suppression)}; föregående period för få svar"
        assert now.value is not None and before.value is not None  # n ≥ k > 0
        verdict = YES if now.value > before.value else NO
        return verdict, (f"{now.written(suppression)}; "
                         f"föregående period {before.written(suppression)}")
    return UNDECIDED, f"okänd jämförelse {comparison!r}"


def goal_table(goals: Sequence[tuple[str, str, str, float | None]],
               shares: Mapping[str, IndicatorShares],
               suppression: Suppression) -> tuple[Table, list[dict[str, Any]]]:
    built = [goal_row(*goal, shares, suppression) for goal in goals]
    columns = (Column("uppnatt", "Har målet uppnåtts?", Kind.TEXT),
               Column("utfall", "Utfall", Kind.TEXT),
               Column("n", "Antal", Kind.COUNT))
    table = Table("mal", "Mål", columns, tuple(row for row, _ in built), notes=(
        f"Går inte att avgöra: färre än {suppression.k} svar, eller indikatorn mäts inte.",
    ))
    return table, [record for _, record in built]


def goal_instruments(instruments: Iterable[Instrument]) -> list[Instrument]:
    """The instruments whose indicators a goal can name: those answered by deltagare
    (NNS deltagare), in report order. The same indicator in a staff survey is another
    group's view and is not pooled with the deltagare's."""
    return [instrument for instrument in in_report_order(instruments)
            if instrument.audience == "deltagare" and has_indicators(instrument)]
