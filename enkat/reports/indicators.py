"""NNS indicator shares ("indikatorandel") and their tables: per item and timepoint,
the share of positive answers.

The one home of the share (`IndicatorTally.share`): positive answers among the answers
that are neither missing ("vet ej") nor unanswered (docs/instruments.md, Indicators),
with a Wilson 95 % interval; "vet ej" is counted beside it. An indicator measured by
several items (NNS ``planering-efter-avslut``: q8, q9, q10) pools their tallies. By
kön when the respondents gave it, and against the previous period of equal length
(Newcombe interval of the difference). A share resting on fewer than k answers is not
shown (`Suppression`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from enkat.instruments import Instrument, Item
from enkat.instruments.roles import KON_ITEM, NNS_DELTAGARE_AVSLUT, NNS_DELTAGARE_PAGAENDE
from enkat.scoring import (
    IndicatorAnswer,
    Proportion,
    difference_in_proportions,
    indicator_answer,
    proportion,
)
from enkat.scoring.suppression import Suppression

from .figures import small_count
from .inputs import AnswerCount
from .model import ChartKind, Column, Figure, Kind, Row, Table

KON_COLUMNS = (("kvinna", "Andel kvinnor"), ("man", "Andel män"))
#: The indicator tables' ids (docs/formats.md), by the NNS deltagare survey each shows.
INDICATOR_TABLE_IDS = {NNS_DELTAGARE_PAGAENDE: "nns-pagaende", NNS_DELTAGARE_AVSLUT: "nns-avslut"}


@dataclass(frozen=True)
class IndicatorTally:
    """Positive, not positive and missing answers to one item: its NNS share."""

    positive: int = 0
    other: int = 0
    missing: int = 0

    @property
    def n(self) -> int:
        return self.positive + self.other

    @property
    def share(self) -> Proportion:
        """The indikatorandel: positive of positive + other, with its Wilson interval."""
        return proportion(self.positive, self.n)

    def plus(self, other: IndicatorTally) -> IndicatorTally:
        return IndicatorTally(self.positive + other.positive, self.other + other.other,
                     self.missing + other.missing)


Tallies = dict[tuple[str, str, str | None], IndicatorTally]  # (instrument, item, kön) -> tally


def tally(counts: Iterable[AnswerCount], instruments: dict[str, Instrument]) -> Tallies:
    """Tally answer counts per instrument, item and kön (None: all respondents)."""
    tallies: Tallies = defaultdict(IndicatorTally)
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


def _classified(item: Item, value: str, count: int) -> IndicatorTally:
    """`count` answers of `value`, classified by the scoring layer's indicator rule."""
    answer = indicator_answer(item, {item.id: (value,)})
    if answer is IndicatorAnswer.MISSING:
        return IndicatorTally(missing=count)
    if answer is IndicatorAnswer.POSITIVE:
        return IndicatorTally(positive=count)
    return IndicatorTally(other=count)


def share_figure(counted: IndicatorTally, suppression: Suppression) -> Figure:
    """The positive share with its interval, or a suppression mark below k answers."""
    estimate = counted.share
    if suppression.too_few(counted.n):
        return Figure(estimate.share, n=counted.n,
                      suppressed=suppression.mark if counted.n else None)
    return Figure(estimate.share, n=counted.n, low=estimate.low, high=estimate.high)


def difference_figure(now: IndicatorTally, before: IndicatorTally,
                      suppression: Suppression) -> Figure:
    """This period's share minus the previous one's, with its Newcombe interval."""
    difference = difference_in_proportions(now.positive, now.n, before.positive, before.n)
    estimate = difference.difference
    if suppression.too_few(now.n) or suppression.too_few(before.n):
        return Figure(estimate.value,
                      suppressed=suppression.mark if now.n and before.n else None)
    return Figure(estimate.value, n=now.n, low=estimate.low, high=estimate.high)


def indicator_table(instrument: Instrument, current: Tallies, previous: Tallies,
                    suppression: Suppression) -> Table:
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
        now = current.get((instrument.id, item.id, None), IndicatorTally())
        before = previous.get((instrument.id, item.id, None), IndicatorTally())
        rows.append(Row(f"{item.id}: {item.text.get('sv')}", (
            small_count(now.n, suppression),
            share_figure(now, suppression),
            small_count(now.missing, suppression),
            *(share_figure(current.get((instrument.id, item.id, kon), IndicatorTally()),
                           suppression)
              for kon, _ in KON_COLUMNS),
            share_figure(before, suppression),
            difference_figure(now, before, suppression),
        )))
    positive = _positive_labels(instrument)
    table_id = INDICATOR_TABLE_IDS.get(instrument.id, instrument.id)
    return Table(table_id, instrument.title.get("sv"), columns, tuple(rows),
                 chart=ChartKind.INDICATOR_BARS, notes=(
        f"Andel positiva: svaren {positive} av alla svar utom vet ej, med 95 % "
        "konfidensintervall (Wilson).",
        f"Andelar som vilar på färre än {suppression.k} svar visas inte.",
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
