"""`among`, the IN of enkat's statements: the same rows whether the list is short, long or
empty, of numbers or of text, on each database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from enkat.models import Participant
from enkat.services.bulk import LONG_LIST, among, read_rows
from enkat.services.organisation.forbund import create_forbund

#: More values than SQLite binds in one statement (32,766 by default since 3.32, 250,000 in
#: Debian's build): a long list is one parameter, so a förbund of any size fits.
PAST_SQLITES_LIMIT = 300_000


#: Codes as a long list of text carries them: beyond ASCII, and with a quote.
UNUSUAL = ["ÅÄÖ-1", "kön", 'A"B']


@pytest.fixture
def codes(db_session) -> dict[str, int]:
    """300 deltagare of a förbund, and three with unusual codes: their ids by code."""
    forbund = create_forbund("listor", "Listförbundet")
    people = [Participant(forbund=forbund, code=code)
              for code in [f"L{number:03}" for number in range(300)] + UNUSUAL]
    db_session.add_all(people)
    db_session.flush()
    return {person.code: person.id for person in people}


def found(column, values) -> set:
    return set(read_rows(select(Participant.code).where(among(column, values))).scalars())


@pytest.mark.parametrize("size", [0, 1, LONG_LIST, LONG_LIST + 1, 300])
def test_the_rows_among_the_ids_are_found_whatever_the_length(codes, size):
    chosen = dict(list(codes.items())[:size])
    assert found(Participant.id, chosen.values()) == set(chosen)


def test_a_long_list_of_text_is_matched_as_text(codes):
    every_other = [f"L{number:03}" for number in range(0, 300, 2)]
    wanted = every_other + UNUSUAL + ["L999", "l000", "0", "åäö-1", "A'B"]
    assert len(wanted) > LONG_LIST
    assert found(Participant.code, wanted) == {*every_other, *UNUSUAL}


def test_a_list_longer_than_sqlite_binds_in_one_statement_is_one_parameter(codes):
    ids = list(codes.values())
    many = ids + list(range(10**6, 10**6 + PAST_SQLITES_LIMIT))
    assert found(Participant.id, many) == set(codes)
