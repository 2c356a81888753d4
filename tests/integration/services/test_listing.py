"""Pages of a list, in memory and in SQL: the same page numbers either way, and a page
outside the list is the nearest real one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from enkat.models import Participant
from enkat.services.listing import page_of, page_of_query
from enkat.services.organisation.forbund import create_forbund


def test_a_list_is_cut_in_pages_with_the_rows_they_show():
    rows = list(range(1, 313))
    page = page_of(rows, 2)
    assert (page.rows[0], page.rows[-1], page.first, page.last) == (26, 50, 26, 50)
    assert (page.number, page.pages, page.total, page.size) == (2, 13, 312, 25)
    last = page_of(rows, 13)
    assert (last.rows, last.first, last.last) == ([301, 302, 303, 304, 305, 306, 307,
                                                  308, 309, 310, 311, 312], 301, 312)


@pytest.mark.parametrize("asked, shown", [(0, 1), (-5, 1), (14, 13), (10**9, 13)])
def test_a_page_outside_the_list_is_the_nearest_one(asked, shown):
    assert page_of(list(range(312)), asked).number == shown


def test_an_empty_list_is_one_empty_page():
    page = page_of([], 3)
    assert (page.rows, page.number, page.pages, page.first, page.last) == ([], 1, 1, 0, 0)


@given(total=st.integers(0, 200), size=st.integers(1, 30))
def test_the_pages_hold_every_row_once(total, size):
    rows = list(range(total))
    first = page_of(rows, 1, size)
    seen = [row for number in range(1, first.pages + 1)
            for row in page_of(rows, number, size).rows]
    assert seen == rows


def test_a_query_is_paged_in_sql_as_a_list_is_in_memory(db_session):
    forbund = create_forbund("listor", "Listförbundet")
    codes = [f"K{number:03}" for number in range(53)]
    db_session.add_all(Participant(forbund=forbund, code=code) for code in codes)
    db_session.flush()
    query = (select(Participant).where(Participant.forbund_id == forbund.id)
             .order_by(Participant.code))
    for number in (1, 2, 3, 99):
        in_sql = page_of_query(query, number, 20)
        in_memory = page_of(codes, number, 20)
        assert [participant.code for participant in in_sql.rows] == in_memory.rows
        assert (in_sql.number, in_sql.pages, in_sql.total) == (
            in_memory.number, in_memory.pages, 53)
