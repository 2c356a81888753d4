"""Small-cell suppression of outgoing tables, primary and secondary.

Rules (DESIGN.md: tables leaving the system suppress cells below a threshold):

* **Primary**: a count of 1..k−1 is shown as ``"<k"`` (k = 5 by default). Totals are
  counts too: a small total is suppressed like any cell.
* **Zero** is shown as 0. In enkat's tables a zero says that no deltagare is in the
  cell; it points at nobody, and the people next to it are protected by their own
  cells. Zeros are never suppressed, not even to protect another cell.
* **Secondary**: a suppressed count must not be recoverable from the totals.

  1. Line rule: a row or column whose equation (cells = total) holds exactly one
     suppressed figure gets a second one: the smallest shown non-zero figure of that
     line, a cell before the total.
  2. Audit: for every suppressed figure, the smallest and largest value a reader can
     infer from everything the table shows (every shown figure, every row and column
     equation, and what the marks say: ``"<k"`` is 1..k−1, the secondary mark is ≥ k).
     A figure whose range has shrunk to one value gets another figure suppressed: the
     first that re-opens its range alone, trying its own rows and columns first. This
     catches what the line rule cannot: a cell pinned by combining several rows and
     columns, or by the bounds the marks reveal (``"<5"`` and ``"X"`` in a line whose
     hidden part sums to 6: 1 and 5).
  3. Repeat until stable.

  The ranges are linear programmes (``scipy.optimize.linprog``, HiGHS); row/column
  constraints are totally unimodular, so the optima are whole numbers. A 10×5 table
  takes about a tenth of a second.
* Secondary suppressions are marked ``"X"`` (a parameter): they are not small, and a
  ``"<5"`` on them would be false.

Guarantees: no suppressed figure follows from the equations; none follows from the
equations and the marks either, except where every figure of its row and column is
already suppressed or zero, so hiding more cannot help (k = 3: two cells of 1 under a
total "<3" must both be 1). With k = 2 the mark ``"<2"`` itself says 1; use k ≥ 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

Shown = int | str
Entry = tuple[int, int]
Line = tuple[Entry, ...]  # the entries of one equation; the last is its total

DEFAULT_K = 5
SECONDARY_MARK = "X"


@dataclass(frozen=True)
class Suppression:
    """The policy for what leaves the system, handed to every table builder: counts of
    1..k−1 are hidden behind ``"<k"``, and so is a figure that rests on fewer than k
    deltagare, answers or sources (the förbund sets k; 5 by default)."""

    k: int = DEFAULT_K

    @property
    def mark(self) -> str:
        """What stands where a small count would: ``"<5"``."""
        return small_mark(self.k)

    def hides(self, count: int) -> bool:
        """Whether a count is small: 1..k−1 (a zero points at nobody and is shown)."""
        return 0 < count < self.k

    def too_few(self, n: int) -> bool:
        """Whether a figure resting on `n` is held back (a share, a mean, a verdict)."""
        return n < self.k

    def column(self, counts: Sequence[int], total: bool = True) -> SuppressedColumn:
        """One column of counts, primary and secondary suppression (`suppress_column`)."""
        return suppress_column(counts, k=self.k, total=total)

    def table(self, counts: Sequence[Sequence[int]]) -> SuppressedTable:
        """A table with its row and column totals (`suppress`)."""
        return suppress(counts, k=self.k)


@dataclass(frozen=True)
class SuppressedTable:
    """What may leave the system: counts, or marks where they are suppressed."""

    cells: tuple[tuple[Shown, ...], ...]
    row_totals: tuple[Shown, ...] | None
    column_totals: tuple[Shown, ...] | None
    grand_total: Shown | None
    k: int

    @property
    def mask(self) -> tuple[tuple[bool, ...], ...]:
        """True where a cell is suppressed."""
        return tuple(tuple(isinstance(cell, str) for cell in row) for row in self.cells)


@dataclass(frozen=True)
class SuppressedColumn:
    counts: tuple[Shown, ...]
    total: Shown | None
    k: int


@dataclass(frozen=True)
class CountShare:
    """A count and its share; the share is suppressed whenever the count or its
    denominator is (a share and a shown count give away the denominator, and the reverse).
    ``share`` is None when the denominator is 0."""

    count: Shown
    share: float | str | None


def small_mark(k: int) -> str:
    return f"<{k}"


def suppress(table: Sequence[Sequence[int]], k: int = DEFAULT_K, row_totals: bool = True,
             col_totals: bool = True, secondary_mark: str = SECONDARY_MARK) -> SuppressedTable:
    """Suppress a table of counts (rows × columns) with its row and column totals.

    The totals are computed here from the cells; the grand total is published when
    both kinds of totals are.
    """
    counts = _counts(table)
    shown = _suppressed_grid(counts, k, row_totals, col_totals, secondary_mark)
    rows, columns = counts.shape
    return SuppressedTable(
        cells=tuple(tuple(row[:columns]) for row in shown[:rows]),
        row_totals=tuple(row[columns] for row in shown[:rows]) if row_totals else None,
        column_totals=tuple(shown[rows][:columns]) if col_totals else None,
        grand_total=shown[rows][columns] if row_totals and col_totals else None,
        k=k,
    )


def suppress_column(counts: Sequence[int], k: int = DEFAULT_K, total: bool = True,
                    secondary_mark: str = SECONDARY_MARK) -> SuppressedColumn:
    """One column of counts (a frequency table), with its total when ``total``."""
    column = _counts([[count] for count in counts]).reshape(-1, 1)
    shown = _suppressed_grid(column, k, False, total, secondary_mark)
    rows = len(counts)
    return SuppressedColumn(tuple(row[0] for row in shown[:rows]),
                            shown[rows][0] if total else None, k)


def count_share(count: Shown, denominator: Shown) -> CountShare:
    """``count`` with its share of ``denominator``, both as shown after suppression.

    A suppressed count lends its mark to the share; a suppressed denominator lends its
    own. The denominator must be a shown figure, or one derived only from shown figures:
    a denominator that leaves out a suppressed count (e.g. all answers minus the
    suppressed "vet ej") must be passed as suppressed.
    """
    if isinstance(count, str):
        return CountShare(count, count)
    if isinstance(denominator, str):
        return CountShare(count, denominator)
    return CountShare(count, count / denominator if denominator else None)


def column_shares(column: SuppressedColumn) -> tuple[CountShare, ...]:
    """Each count with its share of the column total."""
    if column.total is None:
        raise ValueError("shares need the column total; suppress the column with total=True")
    total = column.total
    return tuple(count_share(count, total) for count in column.counts)


def shares_by_column(table: SuppressedTable) -> tuple[tuple[CountShare, ...], ...]:
    """Each cell with its share of its column total (categories in rows, groups in columns)."""
    if table.column_totals is None:
        raise ValueError("shares need the column totals; suppress with col_totals=True")
    totals = table.column_totals
    return tuple(tuple(count_share(cell, total) for cell, total in zip(row, totals, strict=True))
                 for row in table.cells)


def _counts(table: Sequence[Sequence[int]]) -> np.ndarray:
    if not table:
        return np.zeros((0, 0), dtype=np.int64)
    counts = np.asarray(table, dtype=np.int64)
    if counts.ndim != 2 or (counts < 0).any():
        raise ValueError("a table is a rectangle of counts ≥ 0")
    return counts


def _suppressed_grid(counts: np.ndarray, k: int, row_totals: bool, col_totals: bool,
                     secondary_mark: str) -> list[list[Shown]]:
    if k < 1:
        raise ValueError(f"the suppression threshold must be at least 1, got {k}")
    grid = _with_totals(counts, row_totals, col_totals)
    lines = _lines(grid.shape, row_totals, col_totals)
    primary = (grid > 0) & (grid < k)
    hidden = _protect(_Problem(grid, primary, lines, k))
    mark = small_mark(k)
    return [[(mark if primary[i, j] else secondary_mark) if hidden[i, j] else int(grid[i, j])
             for j in range(grid.shape[1])] for i in range(grid.shape[0])]


def _with_totals(counts: np.ndarray, row_totals: bool, col_totals: bool) -> np.ndarray:
    """The table with a total column and/or a total row (the corner is the grand total)."""
    grid = counts
    if row_totals:
        grid = np.column_stack([grid, grid.sum(axis=1)])
    if col_totals:
        grid = np.vstack([grid, grid.sum(axis=0)])
    return grid


def _lines(shape: tuple[int, ...], row_totals: bool, col_totals: bool) -> list[Line]:
    """The equations the published totals give: every row and/or every column of the grid
    with totals (the total row and column included: their sums are the grand total)."""
    rows, columns = shape
    lines: list[Line] = []
    if row_totals:
        lines += [tuple((i, j) for j in range(columns)) for i in range(rows)]
    if col_totals:
        lines += [tuple((i, j) for i in range(rows)) for j in range(columns)]
    return lines


@dataclass(frozen=True)
class _Problem:
    grid: np.ndarray
    primary: np.ndarray
    lines: list[Line]
    k: int

    def candidates(self, hidden: np.ndarray, entries: Sequence[Entry]) -> list[Entry]:
        """Shown non-zero entries, smallest first; a cell before a total of equal size."""
        order = {entry: position for position, entry in enumerate(entries)}
        shown = [entry for entry in order if not hidden[entry] and self.grid[entry] > 0]
        return sorted(shown, key=lambda entry: (self.grid[entry], order[entry]))


def _protect(problem: _Problem) -> np.ndarray:
    hidden = problem.primary.copy()
    accepted: set[Entry] = set()  # pinned by their marks alone, nothing left to hide nearby
    while True:
        entry = _by_line_rule(problem, hidden) or _by_audit(problem, hidden, accepted)
        if entry is None:
            return hidden
        hidden[entry] = True


def _by_line_rule(problem: _Problem, hidden: np.ndarray) -> Entry | None:
    """The smallest shown figure of the first line with exactly one suppressed figure."""
    for line in problem.lines:
        if sum(bool(hidden[entry]) for entry in line) == 1:
            candidates = problem.candidates(hidden, line)
            if candidates:
                return candidates[0]
    return None


def _by_audit(problem: _Problem, hidden: np.ndarray, accepted: set[Entry]) -> Entry | None:
    audit = _Audit.of(problem, hidden)
    for entry in audit.unknowns:
        if entry in accepted or not audit.is_pinned(entry):
            continue
        choice = _unpinning(problem, hidden, entry)
        if choice is not None:
            return choice
        accepted.add(entry)
    return None


def _unpinning(problem: _Problem, hidden: np.ndarray, pinned: Entry) -> Entry | None:
    """A figure to hide for a pinned one.

    The first candidate that re-opens its range alone, trying the figures of its own
    lines first, then the rest. Failing that, the smallest figure of its lines (it takes
    more than one). With none left there, a figure the equations alone determine still
    gets the smallest figure anywhere; one pinned only by what the marks say (a line of
    1 + 1 under a total "<3") cannot be helped by hiding more, and is left as it is.
    """
    near = problem.candidates(hidden, [entry for line in problem.lines if pinned in line
                                       for entry in line])
    everywhere = problem.candidates(hidden, list(np.ndindex(*hidden.shape)))
    for candidate in near + [entry for entry in everywhere if entry not in near]:
        trial = hidden.copy()
        trial[candidate] = True
        if not _Audit.of(problem, trial).is_pinned(pinned):
            return candidate
    if near:
        return near[0]
    if everywhere and _Audit.of(problem, hidden, marks=False).is_pinned(pinned):
        return everywhere[0]
    return None


@dataclass(frozen=True)
class _Audit:
    """The linear programme of what a reader can infer about the suppressed figures."""

    unknowns: list[Entry]
    bounds: list[tuple[int, int | None]]
    a_eq: np.ndarray | None
    b_eq: np.ndarray | None

    @classmethod
    def of(cls, problem: _Problem, hidden: np.ndarray, marks: bool = True) -> _Audit:
        """With ``marks=False`` the reader only knows that counts are ≥ 0: what the
        equations alone give away."""
        unknowns = [(int(i), int(j)) for i, j in np.argwhere(hidden)]
        bounds = [_bounds(problem, entry) if marks else (0, None) for entry in unknowns]
        return cls(unknowns, bounds, *_equations(problem, hidden, unknowns))

    def is_pinned(self, entry: Entry) -> bool:
        """Whether the shown figures and equations leave ``entry`` one possible value,
        while its mark alone would leave several."""
        position = self.unknowns.index(entry)
        low, high = self.bounds[position]
        if high == low:
            return False  # the mark itself tells the value (k = 2): nothing to protect
        target = np.zeros(len(self.unknowns))
        target[position] = 1.0
        smallest, largest = self._minimum(target), self._minimum(-target)
        return smallest is not None and largest is not None and -largest - smallest < 0.5

    def _minimum(self, objective: np.ndarray) -> float | None:
        """The minimum of objective · x, or None when it is unbounded."""
        result = linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds,
                         method="highs")
        if result.status == 3:
            return None
        if result.status != 0:
            raise RuntimeError(f"suppression audit failed: {result.message}")
        return float(result.fun)


def _bounds(problem: _Problem, entry: Entry) -> tuple[int, int | None]:
    """What a mark tells: ``"<k"`` is 1..k−1, a secondary mark is at least k."""
    return (1, problem.k - 1) if problem.primary[entry] else (problem.k, None)


def _equations(problem: _Problem, hidden: np.ndarray,
               unknowns: list[Entry]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each line as cells − total = 0, with the shown figures moved to the right side."""
    index = {entry: position for position, entry in enumerate(unknowns)}
    rows, constants = [], []
    for line in problem.lines:
        row = np.zeros(len(unknowns))
        constant = 0.0
        for position, entry in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0
            if hidden[entry]:
                row[index[entry]] += sign
            else:
                constant -= sign * float(problem.grid[entry])
        if row.any():
            rows.append(row)
            constants.append(constant)
    if not rows:
        return None, None
    return np.array(rows), np.array(constants)
