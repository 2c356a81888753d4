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
  constraints are totally unimodular, so the optima are whole numbers (with links they
  may be fractions: a range under 0.5 wide holds only the true whole number). A 10×5 table
  takes about a tenth of a second.
* Secondary suppressions are marked ``"X"`` (a parameter): they are not small, and a
  ``"<5"`` on them would be false.

* **Tables published together** that count the same people (`suppress_linked`) are one
  problem: the reader's equations are those of every table plus the links between them
  (the same count in two tables, or a sum of one's figures that is another's total).
  Each table is first protected alone, then the links add what they must.

Guarantees: no suppressed figure follows from the equations; none follows from the
equations and the marks either, except where every figure of its row and column is
already suppressed or zero, so hiding more cannot help (k = 3: two cells of 1 under a
total "<3" must both be 1). With k = 2 the mark ``"<2"`` itself says 1; use k ≥ 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

Shown = int | str
Entry = tuple[int, int]
Line = tuple[Entry, ...]  # the entries of one equation; the last is its total
Grid = tuple[tuple[Shown, ...], ...]  # figures as shown, totals in the last row/column

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

    def tables(self, tables: Sequence[Sequence[Sequence[int]]],
               links: Sequence[Link]) -> tuple[SuppressedTable, ...]:
        """Tables published together, suppressed as one (`suppress_linked`)."""
        return suppress_linked(tables, links, k=self.k)


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
    shown = _suppressed_grid(_counts(table), k, row_totals, col_totals, secondary_mark)
    return _as_table(shown, row_totals, col_totals, k)


def _as_table(shown: Sequence[Sequence[Shown]], row_totals: bool, col_totals: bool,
              k: int) -> SuppressedTable:
    """A suppressed grid with its totals (the last column and/or row) told apart."""
    rows = len(shown) - (1 if col_totals else 0)
    columns = len(shown[0]) - (1 if row_totals else 0)
    return SuppressedTable(
        cells=tuple(tuple(row[:columns]) for row in shown[:rows]),
        row_totals=tuple(row[columns] for row in shown[:rows]) if row_totals else None,
        column_totals=tuple(shown[rows][:columns]) if col_totals else None,
        grand_total=shown[rows][columns] if row_totals and col_totals else None,
        k=k,
    )


Place = tuple[int, int, int]


@dataclass(frozen=True)
class Link:
    """An equation between figures of tables published together: the `parts` add up to
    the `total` (one part: the two figures are the same count, counted twice).

    A place is (table, row, column) in the table with its totals: the row after the last
    is the column totals, the column after the last the row totals.
    """

    parts: tuple[Place, ...]
    total: Place


def suppress_linked(tables: Sequence[Sequence[Sequence[int]]], links: Sequence[Link],
                    k: int = DEFAULT_K,
                    secondary_mark: str = SECONDARY_MARK) -> tuple[SuppressedTable, ...]:
    """Suppress tables that are published together, each with its row and column totals.

    Suppressed one at a time, two tables that share counts give each other's hidden
    figures away: a count hidden in one is shown in the other, or follows from a total
    there. Here the reader's equations are those of every table and every link, and the
    tables are protected as one problem (the same rules, the same audit). A link must
    hold for the counts given.
    """
    return _linked(tuple(tuple(map(tuple, _counts(table).tolist())) for table in tables),
                   tuple(links), k, secondary_mark)


@lru_cache(maxsize=1024)
def _linked(tables: tuple[tuple[tuple[int, ...], ...], ...], links: tuple[Link, ...], k: int,
            secondary_mark: str) -> tuple[SuppressedTable, ...]:
    grids = [_with_totals(_counts(table), True, True) for table in tables]
    corners = _corners(grids)
    height = sum(grid.shape[0] for grid in grids)
    width = sum(grid.shape[1] for grid in grids)
    whole = np.zeros((height, width), dtype=np.int64)
    lines: list[Line] = []
    for grid, (top, left) in zip(grids, corners, strict=True):
        whole[top:top + grid.shape[0], left:left + grid.shape[1]] = grid
        lines += [tuple((top + i, left + j) for i, j in line)
                  for line in _lines(grid.shape, True, True)]

    def entry(place: Place) -> Entry:
        table, row, column = place
        top, left = corners[table]
        return top + row, left + column

    for link in links:
        line = (*map(entry, link.parts), entry(link.total))
        if sum(int(whole[part]) for part in line[:-1]) != int(whole[line[-1]]):
            raise ValueError(f"a link does not hold for these counts: {link}")
        lines.append(line)
    shown = _protected(whole, lines, k, secondary_mark, _alone(grids, corners, whole.shape, k))
    return tuple(_as_table([row[left:left + grid.shape[1]]
                            for row in shown[top:top + grid.shape[0]]], True, True, k)
                 for grid, (top, left) in zip(grids, corners, strict=True))


def _alone(grids: Sequence[np.ndarray], corners: Sequence[tuple[int, int]],
           shape: tuple[int, int], k: int) -> np.ndarray:
    """What each table hides protected on its own, set corner to corner.

    The tables together need at least that (every equation of a table is still there),
    and protecting each small table first is far quicker than finding it all in the
    whole; the links then add what they must."""
    hidden = np.zeros(shape, dtype=bool)
    for grid, (top, left) in zip(grids, corners, strict=True):
        problem = _Problem(grid, (grid > 0) & (grid < k), _lines(grid.shape, True, True), k)
        hidden[top:top + grid.shape[0], left:left + grid.shape[1]] = _protect(
            problem, problem.primary)
    return hidden


def _corners(grids: Sequence[np.ndarray]) -> list[tuple[int, int]]:
    """Where each table's top left figure lies when the tables are set corner to corner
    (the figures of different tables meet only in the links)."""
    corners, top, left = [], 0, 0
    for grid in grids:
        corners.append((top, left))
        top, left = top + grid.shape[0], left + grid.shape[1]
    return corners


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
                     secondary_mark: str) -> Grid:
    return _suppressed_cells(tuple(map(tuple, counts.tolist())), counts.shape, k,
                             row_totals, col_totals, secondary_mark)


#: A report is built several times for one page (its charts, its downloads) and again for
#: the next visitor, from the same counts: the protection of a grid is a pure function of
#: them, so it is kept (a few KiB per thousand grids).
@lru_cache(maxsize=4096)
def _suppressed_cells(cells: tuple[tuple[int, ...], ...], shape: tuple[int, ...], k: int,
                      row_totals: bool, col_totals: bool, secondary_mark: str) -> Grid:
    grid = _with_totals(np.array(cells, dtype=np.int64).reshape(shape), row_totals,
                        col_totals)
    return _protected(grid, _lines(grid.shape, row_totals, col_totals), k, secondary_mark)


def _protected(grid: np.ndarray, lines: list[Line], k: int, secondary_mark: str,
               hidden_already: np.ndarray | None = None) -> Grid:
    """The figures of `grid` as they may be shown, protected under `lines`, starting
    from the small counts, or from `hidden_already` for tables together (only their
    small counts are kept open, see `_Problem.protect_secondary`)."""
    if k < 1:
        raise ValueError(f"the suppression threshold must be at least 1, got {k}")
    primary = (grid > 0) & (grid < k)
    start = primary if hidden_already is None else primary | hidden_already
    hidden = _protect(_Problem(grid, primary, lines, k, hidden_already is None), start)
    mark = small_mark(k)
    return tuple(tuple((mark if primary[i, j] else secondary_mark) if hidden[i, j]
                       else int(grid[i, j]) for j in range(grid.shape[1]))
                 for i in range(grid.shape[0]))


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
    #: Whether a hidden figure that is not small is kept open too. Tables alone do (the
    #: rules above); tables together keep the small ones open and show at the end every
    #: other hidden figure the reader can work out anyway (`_revealed`).
    protect_secondary: bool = True

    def protects(self, entry: Entry) -> bool:
        return self.protect_secondary or bool(self.primary[entry])

    def candidates(self, hidden: np.ndarray, entries: Sequence[Entry]) -> list[Entry]:
        """Shown non-zero entries, smallest first; a cell before a total of equal size."""
        order = {entry: position for position, entry in enumerate(entries)}
        shown = [entry for entry in order if not hidden[entry] and self.grid[entry] > 0]
        return sorted(shown, key=lambda entry: (self.grid[entry], order[entry]))


def _protect(problem: _Problem, start: np.ndarray) -> np.ndarray:
    hidden = start.copy()
    accepted: set[Entry] = set()  # pinned by their marks alone, nothing left to hide nearby
    #: Hidden figures the audit found open. Hiding more only widens what a reader can
    #: infer (a shown figure becomes one more unknown whose range holds its value), so
    #: an open figure stays open and is not audited again.
    opened: set[Entry] = set()
    while True:
        entry = (_by_line_rule(problem, hidden)
                 or _by_audit(problem, hidden, accepted, opened))
        if entry is None:
            return hidden if problem.protect_secondary else _revealed(problem, hidden)
        hidden[entry] = True


def _revealed(problem: _Problem, hidden: np.ndarray) -> np.ndarray:
    """`hidden` without the figures that are not small and that the reader can work out
    anyway. Showing a figure the reader already knows changes nothing they can infer, so
    every small figure stays as open as it was."""
    audit = _Audit.of(problem, hidden)
    if not audit.unknowns:
        return hidden
    moved = audit.moved()
    shown = hidden.copy()
    for entry in audit.unknowns:
        if not problem.primary[entry] and entry not in moved and audit.is_pinned(entry):
            shown[entry] = False
    return shown


def _by_line_rule(problem: _Problem, hidden: np.ndarray) -> Entry | None:
    """The smallest shown figure of the first line with exactly one suppressed figure."""
    for line in problem.lines:
        alone = [entry for entry in line if hidden[entry]]
        if len(alone) == 1 and problem.protects(alone[0]):
            candidates = problem.candidates(hidden, line)
            if candidates:
                return candidates[0]
    return None


def _by_audit(problem: _Problem, hidden: np.ndarray, accepted: set[Entry],
              opened: set[Entry]) -> Entry | None:
    """A figure to hide for the first hidden figure the audit finds pinned. Neither the
    `accepted` nor the `opened` are audited again; a figure found open joins `opened`."""
    audit = _Audit.of(problem, hidden)
    if any(entry not in accepted and entry not in opened and problem.protects(entry)
           for entry in audit.unknowns):
        opened.update(audit.moved())
    for entry in audit.unknowns:
        if entry in accepted or entry in opened or not problem.protects(entry):
            continue
        if not audit.is_pinned(entry):
            opened.add(entry)
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

    Only figures on a line with a hidden figure tied to the pinned one are tried: any
    other, hidden, would be an unknown of equations apart from it.
    """
    near = problem.candidates(hidden, [entry for line in problem.lines if pinned in line
                                       for entry in line])
    tied = _tied_lines(problem, hidden, pinned)
    reach = problem.candidates(hidden, [entry for line in tied for entry in line])
    for candidate in near + [entry for entry in reach if entry not in near]:
        trial = hidden.copy()
        trial[candidate] = True
        if not _Audit.of(problem, trial).is_pinned(pinned):
            return candidate
    if near:
        return near[0]
    everywhere = problem.candidates(hidden, list(np.ndindex(*hidden.shape)))
    if everywhere and _Audit.of(problem, hidden, marks=False).is_pinned(pinned):
        return everywhere[0]
    return None


def _tied_lines(problem: _Problem, hidden: np.ndarray, pinned: Entry) -> list[Line]:
    """The lines whose hidden figures are tied to `pinned` through the equations: the
    lines it is on, the lines of the hidden figures on those, and so on."""
    reached, tied, waiting = {pinned}, [], [pinned]
    untied = list(problem.lines)
    while waiting:
        entry = waiting.pop()
        still = []
        for line in untied:
            if entry not in line:
                still.append(line)
                continue
            tied.append(line)
            for other in line:
                if hidden[other] and other not in reached:
                    reached.add(other)
                    waiting.append(other)
        untied = still
    return tied


@dataclass(frozen=True)
class _Audit:
    """The linear programme of what a reader can infer about the suppressed figures.

    A figure is pinned when its least and greatest possible values are less than 0.5
    apart. The true values are always possible, so a solution that puts a figure 0.5 or
    more from its true value shows it open without a programme of its own: the audit
    first asks for the least and the greatest sum of all hidden figures and marks open
    every figure those solutions move, then asks about the others one at a time, the
    least value first. Each answer is the same as with the two programmes per figure,
    for a fraction of them.
    """

    unknowns: list[Entry]
    truth: np.ndarray
    bounds: list[tuple[int, int | None]]
    a_eq: np.ndarray | None
    b_eq: np.ndarray | None

    @classmethod
    def of(cls, problem: _Problem, hidden: np.ndarray, marks: bool = True) -> _Audit:
        """With ``marks=False`` the reader only knows that counts are ≥ 0: what the
        equations alone give away."""
        unknowns = [(int(i), int(j)) for i, j in np.argwhere(hidden)]
        bounds = [_bounds(problem, entry) if marks else (0, None) for entry in unknowns]
        truth = np.array([float(problem.grid[entry]) for entry in unknowns])
        return cls(unknowns, truth, bounds, *_equations(problem, hidden, unknowns))

    def moved(self) -> set[Entry]:
        """The figures that the least or the greatest sum of all moves from their
        true values: open, whatever else the audit finds."""
        found: set[Entry] = set()
        for direction in (1.0, -1.0):
            solution = self._solve(np.full(len(self.unknowns), direction))
            if solution is None:
                continue
            found.update(entry for entry, value, true in
                         zip(self.unknowns, solution, self.truth, strict=True)
                         if abs(value - true) >= 0.5)
        return found

    def is_pinned(self, entry: Entry) -> bool:
        """Whether the shown figures and equations leave ``entry`` one possible value,
        while its mark alone would leave several."""
        position = self.unknowns.index(entry)
        low, high = self.bounds[position]
        if high == low:
            return False  # the mark itself tells the value (k = 2): nothing to protect
        target = np.zeros(len(self.unknowns))
        target[position] = 1.0
        true = self.truth[position]
        smallest = self._solve(target)
        if smallest is None or true - smallest[position] >= 0.5:
            return False
        largest = self._solve(-target)
        return largest is not None and largest[position] - smallest[position] < 0.5

    def _solve(self, objective: np.ndarray) -> np.ndarray | None:
        """A solution minimising objective · x, or None when it is unbounded."""
        from scipy.optimize import linprog
        result = linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds,
                         method="highs")
        if result.status == 3:
            return None
        if result.status != 0:
            raise RuntimeError(f"suppression audit failed: {result.message}")
        solution: np.ndarray = result.x
        return solution


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
