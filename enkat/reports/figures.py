"""Figures as they may leave the system: counts suppressed with `enkat.scoring`'s rules.

Table builders count first, then turn counts into `Figure`s here, so that every table
applies primary and secondary suppression the same way and shares never reveal a
suppressed count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from enkat.scoring import count_share
from enkat.scoring.suppression import (
    SECONDARY_MARK,
    Link,
    Shown,
    SuppressedTable,
    Suppression,
)

from .model import Figure


def figure_of(value: int, shown: Shown) -> Figure:
    """A count as shown after suppression; the true value stays inside enkat only."""
    return Figure(value, n=value, suppressed=shown if isinstance(shown, str) else None)


def share_of(part: int, whole: int, shown_part: Shown, shown_whole: Shown) -> Figure:
    """A share that is suppressed whenever its count or its denominator is."""
    shown = count_share(shown_part, shown_whole).share
    return Figure(part / whole if whole else None, n=whole,
                  suppressed=shown if isinstance(shown, str) else None)


@dataclass(frozen=True)
class CountedColumn:
    """One column of counts with its total, suppressed, and each count's share."""

    counts: tuple[Figure, ...]
    total: Figure
    shares: tuple[Figure, ...]
    total_share: Figure


def counted_column(counts: Sequence[int], suppression: Suppression) -> CountedColumn:
    total = sum(counts)
    shown = suppression.column(list(counts))
    assert shown.total is not None  # asked with its total
    return CountedColumn(
        counts=tuple(figure_of(c, s) for c, s in zip(counts, shown.counts, strict=True)),
        total=figure_of(total, shown.total),
        shares=tuple(share_of(c, total, s, shown.total)
                     for c, s in zip(counts, shown.counts, strict=True)),
        total_share=share_of(total, total, shown.total, shown.total),
    )


@dataclass(frozen=True)
class Grid:
    """Counts in rows × columns with row totals, column totals and the grand total."""

    cells: tuple[tuple[Figure, ...], ...]
    row_totals: tuple[Figure, ...]
    column_totals: tuple[Figure, ...]
    grand_total: Figure
    row_shares: tuple[Figure, ...]  # each row total's share of the grand total


def counted_grid(counts: Sequence[Sequence[int]], suppression: Suppression) -> Grid:
    return _grid(counts, suppression.table([list(row) for row in counts]))


def counted_grids(tables: Sequence[Sequence[Sequence[int]]], links: Sequence[Link],
                  suppression: Suppression) -> tuple[Grid, ...]:
    """Grids published together, suppressed as one (`Suppression.tables`): where the
    same people are counted in several tables, linked by their equations."""
    shown = suppression.tables([[list(row) for row in table] for table in tables], links)
    return tuple(_grid(counts, each) for counts, each in zip(tables, shown, strict=True))


def _grid(counts: Sequence[Sequence[int]], shown: SuppressedTable) -> Grid:
    # asked with its totals, so they are there
    assert shown.row_totals is not None and shown.column_totals is not None
    assert shown.grand_total is not None
    row_sums = [sum(row) for row in counts]
    column_sums = [sum(column) for column in zip(*counts, strict=True)] if counts else []
    grand = sum(row_sums)
    return Grid(
        cells=tuple(tuple(figure_of(c, s) for c, s in zip(row, shown_row, strict=True))
                    for row, shown_row in zip(counts, shown.cells, strict=True)),
        row_totals=tuple(figure_of(t, s) for t, s in zip(row_sums, shown.row_totals,
                                                          strict=True)),
        column_totals=tuple(figure_of(t, s) for t, s in zip(column_sums, shown.column_totals,
                                                             strict=True)),
        grand_total=figure_of(grand, shown.grand_total),
        row_shares=tuple(share_of(t, grand, s, shown.grand_total)
                         for t, s in zip(row_sums, shown.row_totals, strict=True)),
    )


def count_of(figure: Figure) -> int:
    """The value of a count (a figure made by `figure_of` or `small_count`)."""
    assert isinstance(figure.value, int)
    return figure.value


def shown_count(figure: Figure) -> Shown:
    """A count as shown: the count, or its suppression mark."""
    shown = figure.shown
    assert isinstance(shown, int | str)
    return shown


def derived(value: int | float | None, parts: Sequence[Figure], n: int | None = None) -> Figure:
    """A figure computed from other figures (a sum of rows, a change, a change in %).

    It is suppressed when any part it comes from is: shown beside its other parts it
    would give the suppressed one away. Parts that are all shown are never small counts
    (those are suppressed), so a sum of them needs no rule of its own.
    """
    if any(part.suppressed for part in parts):
        return Figure(value, n=n, suppressed=SECONDARY_MARK)
    return Figure(value, n=n)


def small_count(value: int, suppression: Suppression) -> Figure:
    """A count that no total depends on: only the primary rule applies."""
    return Figure(value, n=value,
                  suppressed=suppression.mark if suppression.hides(value) else None)
