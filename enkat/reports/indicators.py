"""NNS indicator tables: per item and timepoint, the share of positive answers.

The share is of answers that are neither missing ("vet ej") nor unanswered, with a
Wilson 95 % interval; "vet ej" is counted beside it. By kön when the respondents gave
it, and against the previous period of equal length (Newcombe interval of the
difference). A share resting on fewer than k answers is not shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from enkat.instruments import Instrument, Item
from enkat.scoring import (
    IndicatorAnswer,
    difference_in_proportions,
    indicator_answer,
    proportion,
)
from enkat.scoring.suppression import small_mark

from .figures import small_count
from .inputs import KON_ITEM, AnswerCount
from .model import Column, Figure, Kind, Row, Table

KON_COLUMNS = (("kvinna", "Andel kvinnor"), ("man", "Andel män"))


@dataclass(frozen=True)
class Tally:
    """Positive, not positive and missing answers to one item."""

    positive: int = 0
    other: int = 0
    missing: int = 0

    @property
    def n(self) -> int:
        return self.positive + self.other

    def plus(self, other: Tally) -> Tally:
        return Tally(self.positive + other.positive, self.other + other.other,
                     self.missing + other.missing)


Tallies = dict[tuple[str, str, str | None], Tally]  # (instrument, item, kön) -> tally


def tally(counts: Iterable[AnswerCount], instruments: dict[str, Instrument]) -> Tallies:
    """Tally answer counts per instrument, item and kön (None: all respondents)."""
    tallies: Tallies = defaultdict(Tally)
    for row in counts:
        instrument = instruments.get(row.instrument_id)
        if instrument is None or row.item_id == KON_ITEM:
            continue
        item = instrument.item(row.item_id)
        if not item.positive_codes:
            continue
        counted = _classified(item, row.value, row.count)
        for kon in {None, row.kon}:  # the total, and the kön the respondent gave
            key = (row.instrument_id, row.item_id, kon)
            tallies[key] = tallies[key].plus(counted)
    return tallies


def _classified(item: Item, value: str, count: int) -> Tally:
    """`count` answers of `value`, classified by the scoring layer's indicator rule."""
    answer = indicator_answer(item, {item.id: (value,)})
    if answer is IndicatorAnswer.MISSING:
        return Tally(missing=count)
    if answer is IndicatorAnswer.POSITIVE:
        return Tally(positive=count)
    return Tally(other=count)


def share_figure(counted: Tally, k: int) -> Figure:
    """The positive share with its interval, or a suppression mark below k answers."""
    estimate = proportion(counted.positive, counted.n)
    if counted.n < k:
        return Figure(estimate.share, n=counted.n, suppressed=small_mark(k) if counted.n else None)
    return Figure(estimate.share, n=counted.n, low=estimate.low, high=estimate.high)


def difference_figure(now: Tally, before: Tally, k: int) -> Figure:
    """This period's share minus the previous one's, with its Newcombe interval."""
    difference = difference_in_proportions(now.positive, now.n, before.positive, before.n)
    estimate = difference.difference
    if now.n < k or before.n < k:
        return Figure(estimate.value, suppressed=small_mark(k) if now.n and before.n else None)
    return Figure(estimate.value, n=now.n, low=estimate.low, high=estimate.high)


def indicator_table(instrument: Instrument, current: Tallies, previous: Tallies,
                    k: int) -> Table:
    """One row per item with positive codes (NNS: every question), in the instrument's order."""
    columns = (
        Column("n", "Antal svar", Kind.COUNT),
        Column("andel", "Andel positiva", Kind.SHARE),
        Column("vet-ej", "Vet ej", Kind.COUNT),
        *(Column(f"andel-{kon}", label, Kind.SHARE) for kon, label in KON_COLUMNS),
        Column("andel-foregaende", "Andel föregående period", Kind.SHARE),
        Column("skillnad", "Skillnad", Kind.SHARE),
    )
    rows = []
    for item in instrument.items:
        if not item.positive_codes:
            continue
        now = current.get((instrument.id, item.id, None), Tally())
        before = previous.get((instrument.id, item.id, None), Tally())
        rows.append(Row(f"{item.id}: {item.text.get('sv')}", (
            small_count(now.n, k),
            share_figure(now, k),
            small_count(now.missing, k),
            *(share_figure(current.get((instrument.id, item.id, kon), Tally()), k)
              for kon, _ in KON_COLUMNS),
            share_figure(before, k),
            difference_figure(now, before, k),
        )))
    positive = _positive_labels(instrument)
    return Table(f"nns-{instrument.id.removeprefix('nns-deltagare-')}",
                 instrument.title.get("sv"), columns, tuple(rows), notes=(
        f"Andel positiva: svaren {positive} av alla svar utom vet ej, med 95 % "
        "konfidensintervall (Wilson).",
        f"Andelar som vilar på färre än {k} svar visas inte.",
        "Skillnad: andelen nu minus andelen föregående period lika lång "
        "(Newcombes intervall).",
    ))


def _positive_labels(instrument: Instrument) -> str:
    item = next(item for item in instrument.items if item.positive_codes)
    labels = [f"”{item.code_label(code).lower()}”" for code in item.positive_codes]
    return " och ".join(labels)


def indicator_records(tables: Sequence[Table]) -> list[dict[str, Any]]:
    """The indicator section of the report JSON: shown figures only."""
    records = []
    for table in tables:
        for row in table.rows:
            share = table.figure(row.label, "andel")
            records.append({
                "table": table.id,
                "item": row.label.split(":", 1)[0],
                "n": table.figure(row.label, "n").shown,
                "share": share.shown,
                "low": None if share.suppressed else share.low,
                "high": None if share.suppressed else share.high,
                "vet_ej": table.figure(row.label, "vet-ej").shown,
            })
    return records
