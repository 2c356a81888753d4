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
        f"rad 1: kolumnen value saknas; rubrikraden ska vara exakt {HEADER}"
    ]


def test_renamed_column():
    header = HEADER.replace("answered_on", "date")
    assert refused(csv_bytes(*ors(), header=header)) == [
        "rad 1: kolumnen answered_on saknas; kolumnen date hör inte till formatet; "
        f"rubrikraden ska vara exakt {HEADER}"
    ]


def test_columns_in_another_order():
    header = HEADER.replace("item,value", "value,item")
    assert refused(csv_bytes(*ors(), header=header)) == [
        "rad 1: kolumnerna står i en annan ordning eller flera gånger; "
        f"rubrikraden ska vara exakt {HEADER}"
    ]


def test_not_utf8():
    latin1_line = f"n2,test,steget,,{NNS},1,pagaende,2025-03-03,kon,kvinnö\n".encode("latin-1")
    data = csv_bytes(*nns()) + latin1_line
    assert refused(data) == [
        "rad 4: filen är inte UTF-8-text (byte 0xf6); spara den som UTF-8 (i Excel: CSV UTF-8)"
    ]


def test_semicolons():
    data = csv_bytes(*(line.replace(",", ";") for line in nns()), header=HEADER.replace(",", ";"))
    assert refused(data) == [
        "rad 1: filen är avgränsad med semikolon; använd kommatecken"
    ]


def test_wrong_number_of_fields():
    lines = nns()
    lines[1] = lines[1] + ",extra"
    assert refused(csv_bytes(*lines, "n2,test,steget")) == [
        "rad 3: raden ska ha 10 fält men har 11",
        "rad 4: raden ska ha 10 fält men har 3",
    ]


def test_empty_file():
    assert refused(b"") == [f"rad 1: filen är tom; första raden ska vara {HEADER}"]
    assert refused(b"\xef\xbb\xbf\n") == [
        f"rad 1: filen är tom; första raden ska vara {HEADER}"
    ]


def test_a_quote_left_open_is_said_at_its_line_in_swedish():
    """The reader takes the rest of the file into one field until it passes Python's
    limit: the problem is said at the line the field starts on."""
    lines = nns()
    lines[1] = lines[1].replace(",q2,", ',"q2,')
    filler = [f"n{number},test,steget,,{NNS},1,pagaende,2025-03-03,q1,{'x' * 200}"
              for number in range(1000)]
    assert refused(csv_bytes(*lines, *filler)) == [
        "rad 3: ett fält är längre än 131\u00a0072 tecken; saknar ett citattecken sitt par?"
    ]
