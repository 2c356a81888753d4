"""Pages of a long list: the workspace's lists of deltagare, due measurements, responses,
links, recipients and audit events are read one page at a time.

A list either lives in memory already (rows computed in Python, such as a deltagare's
latest ORS, sorted there) and is cut with `page_of`, or is a query counted and cut in
SQL with `page_of_query`. Either way a page number past the last gives the last page
and one below 1 the first, so an old bookmark or a hand-edited address still shows a
page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from enkat.extensions import db

#: Rows a page shows unless the list says otherwise.
PAGE_SIZE = 25

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    number: int  # from 1
    pages: int  # at least 1
    total: int
    size: int

    @property
    def first(self) -> int:
        """The number of the page's first row, from 1 ("Visar 26–50 av 312"); 0 when empty."""
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def page_number(total: int, number: int, size: int) -> tuple[int, int]:
    """(the page to show, how many pages) for a list of `total` rows."""
    pages = max(1, math.ceil(total / size))
    return min(max(number, 1), pages), pages


def page_of(rows: Sequence[Row], number: int, size: int = PAGE_SIZE) -> Page[Row]:
    """One page of a list already in memory."""
    number, pages = page_number(len(rows), number, size)
    start = (number - 1) * size
    return Page(rows=list(rows[start:start + size]), number=number, pages=pages,
                total=len(rows), size=size)


def page_of_query(statement: Select, number: int, size: int = PAGE_SIZE, *,
                  scalars: bool = True) -> Page[Any]:
    """One page of a query's rows, counted and cut in SQL. The statement must be
    ordered, or its pages are not stable. `scalars`: rows are the first column's
    objects (a model), else result rows."""
    total = db.session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery()))
    number, pages = page_number(total, number, size)
    cut = statement.offset((number - 1) * size).limit(size)
    found = db.session.scalars(cut) if scalars else db.session.execute(cut)
    return Page(rows=list(found.all()), number=number, pages=pages, total=total, size=size)
