"""The tidy CSV as a file: what makes a file unreadable, said with its line, and formula
injection (OWASP "CSV Injection"): the rule that the writer puts before a field and the
reader takes away again."""

from __future__ import annotations

import pytest

from enkat.formats.tidy_csv import CsvProblem, neutralise_formulas, read_rows, restore_formulas

from .formulas import GENUINE, PAYLOADS, runnable
from .tidy_files import HEADER, NNS, csv_bytes, nns, ors


@pytest.mark.parametrize("value", PAYLOADS + GENUINE)


def test_the_rule_leaves_no_formula_and_is_undone_exactly(value):
    for written in (value, "'" + value, "''" + value):
        neutral = neutralise_formulas(written)
        assert restore_formulas(neutral) == written
        assert not runnable(neutral), neutral


def test_negative_numbers_stay_numbers_and_plain_text_stays_as_it_is():
    for value in ("-1", "-2.5", "0", "4.2", "Bra, men \"tidsbrist\"", "2025-03-01", "'hej"):
        assert neutralise_formulas(value) == value
    assert neutralise_formulas("-1e5") == "'-1e5"
    assert neutralise_formulas("'=1+1") == "''=1+1"
    assert neutralise_formulas("rad ett\n=1") == "rad ett\n'=1"


def refused(data: bytes) -> list[str]:
    """The problems reading the file finds, as an import reports them."""
    problems: list[CsvProblem] = []
    read_rows(data, problems)
    return [str(problem) for problem in problems]


# --- the file as a whole ---------------------------------------------------------------


def test_missing_column():
    header = HEADER.removesuffix(",value")
    assert refused(csv_bytes("r1,test,steget,KX7M4P,ors,1,session-1,2025-03-03,socialt",
                             header=header)) == [
        f"line 1: missing column value; the header must be exactly {HEADER}"
    ]


def test_renamed_column():
    header = HEADER.replace("answered_on", "date")
    assert refused(csv_bytes(*ors(), header=header)) == [
        "line 1: missing column answered_on; unexpected column date; "
        f"the header must be exactly {HEADER}"
    ]


def test_columns_in_another_order():
    header = HEADER.replace("item,value", "value,item")
    assert refused(csv_bytes(*ors(), header=header)) == [
        "line 1: the columns are in another order or repeated; "
        f"the header must be exactly {HEADER}"
    ]


def test_not_utf8():
    latin1_line = f"n2,test,steget,,{NNS},1,pagaende,2025-03-03,kon,kvinnö\n".encode("latin-1")
    data = csv_bytes(*nns()) + latin1_line
    assert refused(data) == [
        "line 4: the file is not UTF-8 text (byte 0xf6); save it as UTF-8 (in Excel: CSV UTF-8)"
    ]


def test_semicolons():
    data = csv_bytes(*(line.replace(",", ";") for line in nns()), header=HEADER.replace(",", ";"))
    assert refused(data) == [
        "line 1: the file is separated by semicolons; use commas"
    ]


def test_wrong_number_of_fields():
    lines = nns()
    lines[1] = lines[1] + ",extra"
    assert refused(csv_bytes(*lines, "n2,test,steget")) == [
        "line 3: expected 10 fields, found 11",
        "line 4: expected 10 fields, found 3",
    ]


def test_empty_file():
    assert refused(b"") == [f"line 1: the file is empty; the first line must be {HEADER}"]
    assert refused(b"\xef\xbb\xbf\n") == [
        f"line 1: the file is empty; the first line must be {HEADER}"
    ]
