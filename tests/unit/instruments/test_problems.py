"""The Swedish words of instrument problems: a rule broken in several places reads the
same in each, and numbers in them are written as a Swedish reader writes them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from enkat.instruments import InstrumentError, load_data
from enkat.instruments.problems import either, written


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        load_data(data, "x")
    return str(caught.value).splitlines()


def test_an_unknown_item_reads_the_same_from_a_condition_a_score_and_results(small_data):
    small_data["items"].append({"id": "q2", "type": "yesno", "text": "Två",
                                "show_if": {"item": "q9", "answered": True}})
    small_data["scoring"] = {"scores": [{"id": "s", "label": "S", "method": "sum",
                                         "items": ["q9"]}]}
    small_data["results"] = {"kon": {"item": "q9"}}
    assert problems_of(small_data) == [
        'x /items/1/show_if/item: frågan "q9" finns inte',
        'x /results/kon/item: frågan "q9" finns inte',
        'x /scoring/scores/0/items/0: frågan "q9" finns inte',
    ]


def test_an_item_of_the_wrong_type_reads_the_same_for_a_score_an_indicator_and_results(
        small_data):
    small_data["items"] = [
        {"id": "fritt", "type": "text", "text": "Fritt", "indicator": "nytta"},
        {"id": "skattning", "type": "vas", "text": "Skattning",
         "anchors": {"low": "Låg", "high": "Hög"}},
    ]
    small_data["languages"] = ["sv"]
    small_data["title"] = "Liten"
    small_data["scoring"] = {
        "scores": [{"id": "s", "label": "S", "method": "sum", "items": ["skattning", "fritt"],
                    "max_missing": 1}],
        "indicators": [{"id": "nytta", "label": "Nytta"}]}
    small_data["results"] = {"split_by": ["skattning"]}
    assert problems_of(small_data) == [
        'x /items/0/indicator: frågan "fritt" är av typen text; en indikator behöver en '
        "fråga av typen ordinal, single eller yesno",
        'x /results/split_by/0: frågan "skattning" är av typen vas; "split_by" behöver en '
        "fråga av typen single eller yesno",
        'x /scoring/scores/0/items/1: frågan "fritt" är av typen text; en poäng behöver en '
        "fråga av typen number, ordinal eller vas",
    ]


def test_bounds_in_a_problem_are_written_as_swedish_numbers(small_data):
    small_data["items"][0] = {"id": "q1", "type": "number", "text": "Tal",
                              "min": 12500.5, "max": -2}
    small_data["languages"] = ["sv"]
    small_data["title"] = "Liten"
    assert problems_of(small_data) == ["x /items/0: min (12\xa0500,5) är större än max (−2)"]


@pytest.mark.parametrize(("values", "said"), [
    (["4"], "4"), (["4", "5"], "4 eller 5"), (["4", "5", "6"], "4, 5 eller 6")])
def test_alternatives_are_joined_the_swedish_way(values, said):
    assert either(values) == said


@pytest.mark.parametrize(("number", "said"), [
    (10000, "10\xa0000"), (Decimal("-2.5"), "−2,5"), (0.25, "0,25"), (1, "1")])
def test_numbers_are_written_the_swedish_way(number, said):
    assert written(number) == said
