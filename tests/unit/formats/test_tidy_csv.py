"""Formula injection (OWASP "CSV Injection"): the rule that the tidy CSV's writer puts
before a field and its reader takes away again."""

from __future__ import annotations

import pytest

from enkat.formats.tidy_csv import neutralise_formulas, restore_formulas

from .formulas import GENUINE, PAYLOADS, runnable


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
