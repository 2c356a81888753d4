"""A list's state read from its address: what is asked is kept, what the list does not
know is left out, and every change of the list but its page goes back to the first."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from enkat.web.common.listing import list_state

SORTS = {"kod": False, "start": True}
FILTERS = {"status": ("pagaende", "avslutade"), "enkat": None}
LIST = "/forbund/logg"  # any address of an endpoint will do: the state is the query


@pytest.fixture
def state_of(app):
    """The state of the list at an address, and its addresses with changes, read in that
    request as a view does."""
    contexts = []

    def read(query: str):
        context = app.test_request_context(f"{LIST}?{query}")
        context.push()
        contexts.append(context)
        state = list_state(SORTS, filters=FILTERS)
        return state, lambda **changes: _args(state.url(**changes)), state.sort_url

    yield read
    for context in reversed(contexts):
        context.pop()


def _args(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_nothing_asked_is_the_lists_defaults(state_of):
    state, url, _ = state_of("")
    assert (state.search, state.sort, state.descending, state.page) == ("", "kod", False, 1)
    assert state.filters == {"status": "", "enkat": ""} and not state.narrowed
    assert url() == {}


def test_what_is_asked_is_kept_in_every_address_of_the_list(state_of):
    state, url, _ = state_of("sok=ab12&status=avslutade&enkat=ors&sortera=start&sida=3")
    assert (state.search, state.sort, state.descending, state.page) == ("ab12", "start", True, 3)
    assert state.narrowed
    assert url(sida=4) == {"sok": "ab12", "status": "avslutade", "enkat": "ors",
                           "sortera": "start", "sida": "4"}


def test_a_change_but_of_the_page_goes_back_to_the_first_page(state_of):
    _, url, _ = state_of("status=pagaende&sida=3")
    assert url(status="avslutade") == {"status": "avslutade"}
    assert url(sida=1) == {"status": "pagaende"}


@pytest.mark.parametrize("query", [
    "sortera=hemligt", "ordning=baklanges", "status=okand", "sida=tre", "sida=-4", "sida=",
    "sok=" + "x" * 500, "status=" + "%00",
])
def test_what_the_list_does_not_know_is_left_out(state_of, query):
    state, _, _ = state_of(query)
    assert state.sort in SORTS and state.page >= 1 and state.filters["status"] in (
        "", "pagaende", "avslutade")
    assert len(state.search) <= 64


def test_a_column_sorts_first_its_own_way_then_the_other(state_of):
    state, _, sort_url = state_of("")
    assert _args(sort_url("start")) == {"sortera": "start"}  # newest first, its default
    assert _args(sort_url("kod")) == {"ordning": "fallande"}  # the sort now: turned round
    turned, _, sort_url = state_of("sortera=start&ordning=stigande")
    assert not turned.descending and _args(sort_url("start")) == {"sortera": "start"}


def test_without_narrowing_keeps_the_sort(state_of):
    state, _, _ = state_of("sok=ab&status=pagaende&sortera=start&sida=2")
    assert _args(state.without_narrowing()) == {"sortera": "start"}
