"""Answers: Item.normalize for every item type, and conditions."""

from __future__ import annotations

import dataclasses

import pytest

from enkat.instruments import Condition, Instrument


@pytest.mark.parametrize(
    ("item_id", "raw", "canonical"),
    [
        ("q1", "5", "5"),
        ("q1", " 0 ", "0"),
        ("kon", "kvinna", "kvinna"),
        ("kon", "Kvinna", "kvinna"),
        ("stod", "praktik", "praktik"),
        ("betyg", "3", "3"),
        ("arbete", "ja", "ja"),
        ("arbete", "Nej", "nej"),
        ("individuellt", "7", "7.0"),
        ("individuellt", "7.3", "7.3"),
        ("individuellt", "7,3", "7.3"),
        ("individuellt", "7.30", "7.3"),
        ("individuellt", "0", "0.0"),
        ("individuellt", "10.0", "10.0"),
        ("individuellt", "-0", "0.0"),
        ("timmar", "12", "12.0"),
        ("timmar", "12,5", "12.5"),
        ("timmar", "60", "60.0"),
        ("startdatum", "2026-03-01", "2026-03-01"),
        ("startdatum", " 2020-01-01", "2020-01-01"),
        ("praktik-plats", "  Lagret på Hamngatan ", "Lagret på Hamngatan"),
        ("kommentar", "Rad ett\r\nRad två", "Rad ett\nRad två"),
        ("namn-pa-insats", "x" * 200, "x" * 200),
    ],
)
def test_normalize_accepts(every_type: Instrument, item_id: str, raw: str, canonical: str) -> None:
    assert every_type.item(item_id).normalize(raw) == canonical


@pytest.mark.parametrize(
    ("item_id", "raw", "message"),
    [
        ("q1", "7", '"7" is not a code of item q1 (allowed: 1, 2, 3, 4, 5, 6, 0)'),
        ("q1", "5.0", '"5.0" is not a code of item q1 (allowed: 1, 2, 3, 4, 5, 6, 0)'),
        ("q1", "", "empty answer"),
        ("q1", "   ", "empty answer"),
        (
            "kon",
            "okand",
            '"okand" is not a code of item kon (allowed: kvinna, man, annat, uppgift-saknas)',
        ),
        (
            "stod",
            "samtal,praktik",
            '"samtal,praktik" is not a code of item stod '
            "(allowed: samtal, praktik, studier, vet-ej)",
        ),
        ("arbete", "kanske", '"kanske" is not a code of item arbete (allowed: ja, nej)'),
        ("arbete", "1", '"1" is not a code of item arbete (allowed: ja, nej)'),
        ("individuellt", "11.0", '"11.0" is outside 0.0–10.0'),
        ("individuellt", "-0.1", '"-0.1" is outside 0.0–10.0'),
        ("individuellt", "7.25", '"7.25" has more than one decimal'),
        ("individuellt", "sju", '"sju" is not a number'),
        ("individuellt", "7.", '"7." is not a number'),
        ("individuellt", "1e1", '"1e1" is not a number'),
        ("timmar", "61", '"61" is outside 0–60'),
        ("timmar", "-1", '"-1" is outside 0–60'),
        ("timmar", "1.25", '"1.25" has more than one decimal'),
        ("startdatum", "2026-13-01", '"2026-13-01" is not a date (YYYY-MM-DD)'),
        ("startdatum", "20260301", '"20260301" is not a date (YYYY-MM-DD)'),
        ("startdatum", "1/3/2026", '"1/3/2026" is not a date (YYYY-MM-DD)'),
        ("startdatum", "2019-12-31", '"2019-12-31" is before the earliest date 2020-01-01'),
        ("startdatum", "2031-01-01", '"2031-01-01" is after the latest date 2030-12-31'),
        ("praktik-plats", "x" * 81, "text longer than 80 characters"),
        ("namn-pa-insats", "x" * 201, "text longer than 200 characters"),
        ("kommentar", " \n ", "empty answer"),
        ("valkommen", "1", 'item "valkommen" is an information block and takes no answer'),
    ],
)
def test_normalize_refuses(every_type: Instrument, item_id: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        every_type.item(item_id).normalize(raw)
    assert str(caught.value) == message


def test_long_values_are_shortened_in_messages(every_type: Instrument) -> None:
    with pytest.raises(ValueError) as caught:
        every_type.item("q1").normalize("a" * 100)
    assert str(caught.value).startswith('"' + "a" * 39 + '…" is not a code of item q1')


@pytest.mark.parametrize(
    ("decimals", "raw", "result"),
    [
        (0, "3", "3"),
        (0, "3,0", "3"),
        (0, "3.5", '"3.5" is not a whole number'),
        (2, "3.14", "3.14"),
        (2, "3", "3.00"),
        (2, "3.141", '"3.141" has more than 2 decimals'),
        (4, "-0,0001", "-0.0001"),
    ],
)
def test_number_decimals(every_type: Instrument, decimals: int, raw: str, result: str) -> None:
    item = dataclasses.replace(every_type.item("timmar"), decimals=decimals, min=None, max=None)
    try:
        assert item.normalize(raw) == result
    except ValueError as error:
        assert str(error) == result


def test_number_with_one_bound(every_type: Instrument) -> None:
    only_min = dataclasses.replace(every_type.item("timmar"), max=None)
    only_max = dataclasses.replace(every_type.item("timmar"), min=None)
    with pytest.raises(ValueError, match=r'^"-1" is below the minimum 0$'):
        only_min.normalize("-1")
    assert only_min.normalize("1000") == "1000.0"
    with pytest.raises(ValueError, match=r'^"61" is above the maximum 60$'):
        only_max.normalize("61")


# --- conditions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "answers", "met"),
    [
        (Condition("q1", "equals", ("5",)), {"q1": frozenset({"5"})}, True),
        (Condition("q1", "equals", ("5",)), {"q1": {"4"}}, False),
        (Condition("q1", "equals", ("5",)), {}, False),
        (Condition("q1", "in", ("4", "5", "6")), {"q1": {"6"}}, True),
        (Condition("q1", "in", ("4", "5", "6")), {"q1": {"1"}}, False),
        (Condition("stod", "in", ("praktik",)), {"stod": {"samtal", "praktik"}}, True),
        (Condition("stod", "equals", ("praktik",)), {"stod": {"samtal", "studier"}}, False),
        (Condition("arbete", "answered"), {"arbete": {"nej"}}, True),
        (Condition("arbete", "answered"), {"arbete": set()}, False),
        (Condition("arbete", "answered"), {"annat": {"ja"}}, False),
    ],
)
def test_condition_is_met(condition: Condition, answers: dict[str, set[str]], met: bool) -> None:
    assert condition.is_met(answers) is met


def test_conditions_of_the_instrument(every_type: Instrument) -> None:
    show_if = every_type.item("praktik-plats").show_if
    assert show_if is not None
    answer = every_type.item("stod").normalize("praktik")
    assert show_if.is_met({"stod": frozenset({answer})})
