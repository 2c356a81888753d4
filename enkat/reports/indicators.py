"""Indicator shares ("indikatorandel") and their tables, for any instrument whose items
have positive codes: per item and timepoint, the share of positive answers.

The one home of the share (`IndicatorTally.share`): positive answers among the answers
that are neither missing ("vet ej") nor unanswered (docs/instruments.md, Indicators),
with a Wilson 95 % interval; "vet ej" is counted beside it. An indicator measured by
several items (NNS ``planering-efter-avslut``) pools their tallies. By kön where the
instrument declares its kön item and the respondents gave it, split by the items it
declares in ``results.split_by`` (the respondent's organisation or role), and against the
previous period of equal length (Newcombe interval of the difference). A share resting
on fewer than k answers is not shown (`Suppression`).

One table per timepoint of the instrument (a pattern such as ``session-{n}`` is one);
its id is the instrument's declared table id, with the timepoint added when the
instrument has more than one (docs/formats.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enkat.instruments import Instrument, Item, timepoint_matches
from enkat.instruments.roles import (
    known_kon_codes,
    kon_item,
    rated_items,
    split_items,
    table_id,
)
from enkat.instruments.timepoints import timepoint_slug, timepoint_words
from enkat.scoring import (
    IndicatorAnswer,
    Proportion,
    difference_in_proportions,
    indicator_answer,
    proportion,
)
from enkat.scoring.suppression import Suppression

from .figures import small_count
from .goals import Share
from .inputs import AnswerCount
from .model import ChartKind, Column, Figure, Kind, Row, Table


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


#: A group of respondents within a table: those who gave `code` to the item `item`
#: (kön, or an item the results are split by); None is every respondent.
Group = tuple[str, str] | None
#: (instrument, timepoint as declared, item, group) -> tally
Tallies = dict[tuple[str, str, str, Group], IndicatorTally]


def grouping_items(instrument: Instrument) -> tuple[Item, ...]:
    """The items `AnswerCount.groups` follow: the kön item, then those split by."""
    kon = kon_item(instrument)
    return (*([kon] if kon else []), *split_items(instrument))


def declared_timepoint(instrument: Instrument, timepoint: str) -> str:
    """The instrument's timepoint (or pattern) that a concrete timepoint falls under."""
    return next((declared for declared in instrument.timepoints
                 if timepoint_matches(declared, timepoint)), timepoint)


def tally(counts: Iterable[AnswerCount], instruments: Mapping[str, Instrument]) -> Tallies:
    """Tally answer counts per instrument, timepoint, item and group."""
    tallies: Tallies = defaultdict(IndicatorTally)
    for row in counts:
        instrument = instruments.get(row.instrument_id)
        if instrument is None:
            continue
        item = next((i for i in rated_items(instrument) if i.id == row.item_id), None)
        if item is None:
            continue
        counted = _classified(item, row.value, row.count)
        timepoint = declared_timepoint(instrument, row.timepoint)
        groups: list[Group] = [None]
        groups += [(grouping.id, code) for grouping, code
                   in zip(grouping_items(instrument), row.groups, strict=False) if code]
        for group in groups:
            key = (instrument.id, timepoint, item.id, group)
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


def pooled_share(instruments: Iterable[Instrument], tallies: Tallies,
                 indicator: str | None = None) -> Share:
    """Positive answers among all answers to the items measuring `indicator` (every
    indicator when None), at every timepoint of the instruments, all respondents."""
    positive = n = 0
    for instrument in instruments:
        measuring = {item.id for item in rated_items(instrument)
                     if item.indicator is not None
                     and (indicator is None or item.indicator == indicator)}
        for (instrument_id, _, item_id, group), counted in tallies.items():
            if instrument_id == instrument.id and item_id in measuring and group is None:
                positive, n = positive + counted.positive, n + counted.n
    return Share(positive, n)


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


def indicator_tables(instrument: Instrument, current: Tallies, previous: Tallies,
                     suppression: Suppression) -> list[Table]:
    """The instrument's indicator tables: one per timepoint answered in either period,
    each followed by a table per item the results are split by."""
    answered = {key[1] for key in (*current, *previous) if key[0] == instrument.id}
    tables = []
    for timepoint in instrument.timepoints:
        if timepoint in answered:
            tables.append(_timepoint_table(instrument, timepoint, current, previous,
                                           suppression))
            tables += [_split_table(instrument, timepoint, item, current, suppression)
                       for item in split_items(instrument)]
    return tables


def _names(instrument: Instrument, timepoint: str) -> tuple[str, str]:
    """The id and title of the instrument's table at a timepoint."""
    base, title = table_id(instrument), instrument.title.get("sv")
    if len(instrument.timepoints) == 1:
        return base, title
    return f"{base}-{timepoint_slug(timepoint)}", f"{title}: {timepoint_words(timepoint).lower()}"


def _timepoint_table(instrument: Instrument, timepoint: str, current: Tallies,
                     previous: Tallies, suppression: Suppression) -> Table:
    """One row per item with positive codes, in the instrument's order."""
    kon = kon_item(instrument)
    kon_codes = known_kon_codes(instrument)
    columns = (
        Column("n", "Antal svar", Kind.COUNT),
        Column("andel", "Andel positiva", Kind.SHARE),
        Column("vet-ej", "Vet ej", Kind.COUNT),
        *(Column(f"andel-{code}", f"Andel {kon.code_label(code).lower()}",
                 Kind.SHARE) for code in kon_codes if kon),
        Column("andel-foregaende", "Andel föregående period", Kind.SHARE),
        Column("skillnad", "Skillnad", Kind.SHARE),
    )
    rows = []
    for item in rated_items(instrument):
        key = (instrument.id, timepoint, item.id)
        now = current.get((*key, None), IndicatorTally())
        before = previous.get((*key, None), IndicatorTally())
        by_kon = [current.get((*key, (kon.id, code)), IndicatorTally())
                  for code in kon_codes if kon]
        rows.append(Row(_row_label(instrument, item), (
            small_count(now.n, suppression),
            share_figure(now, suppression),
            small_count(now.missing, suppression),
            *(share_figure(counted, suppression) for counted in by_kon),
            share_figure(before, suppression),
            difference_figure(now, before, suppression),
        ), key=item.id))
    table, title = _names(instrument, timepoint)
    compared = any(previous.get((instrument.id, timepoint, item.id, None), IndicatorTally()).n
                   for item in rated_items(instrument))
    return Table(table, title, columns, tuple(rows), chart=ChartKind.INDICATOR_BARS, notes=(
        f"Andel positiva: svaren {_positive_labels(instrument)} av alla svar utom vet ej, "
        "med 95 % konfidensintervall (Wilson).",
        f"Andelar som vilar på färre än {suppression.k} svar visas inte.",
        *(["Skillnad: andelen nu minus andelen föregående period lika lång "
           "(Newcombes intervall)."] if compared else []),
    ))


def _split_table(instrument: Instrument, timepoint: str, split: Item, current: Tallies,
                 suppression: Suppression) -> Table:
    """The positive share of each item per answer to `split` (organisation, role)."""
    codes = [code for code in split.codes if code not in split.missing_codes]
    columns = tuple(Column(f"andel-{code}", split.code_label(code), Kind.SHARE)
                    for code in codes)
    rows = tuple(
        Row(_row_label(instrument, item), tuple(
            share_figure(current.get((instrument.id, timepoint, item.id, (split.id, code)),
                                     IndicatorTally()), suppression)
            for code in codes), key=item.id)
        for item in rated_items(instrument))
    table, title = _names(instrument, timepoint)
    return Table(f"{table}-per-{split.id}", f"{title}: per svar på ”{split.text.get('sv')}”",
                 columns, rows, notes=(
        "Andel positiva bland dem som gav svaret i kolumnens rubrik.",
        f"Andelar som vilar på färre än {suppression.k} svar visas inte.",
    ))


def _row_label(instrument: Instrument, item: Item) -> str:
    """The question as the respondent read it, with its number among the questions."""
    asked = [question.id for question in instrument.items if question.answerable]
    return f"{asked.index(item.id) + 1}. {item.text.get('sv')}"


def _positive_labels(instrument: Instrument) -> str:
    """The positive answers in words, when every row counts the same ones."""
    said = {" och ".join(f"”{item.code_label(code).lower()}”" for code in item.positive_codes)
            for item in rated_items(instrument)}
    return said.pop() if len(said) == 1 else "som räknas som positiva"


def indicator_records(tables: Sequence[Table]) -> list[dict[str, Any]]:
    """The indicator section of the report JSON: shown figures only."""
    records = []
    for table in tables:
        if table.chart is not ChartKind.INDICATOR_BARS:
            continue
        for row in table.rows:
            share = table.figure(row.label, "andel")
            records.append({
                "table": table.id,
                "item": row.key,
                "n": table.figure(row.label, "n").shown,
                "share": share.shown,
                "low": None if share.suppressed else share.low,
                "high": None if share.suppressed else share.high,
                "vet_ej": table.figure(row.label, "vet-ej").shown,
            })
    return records
