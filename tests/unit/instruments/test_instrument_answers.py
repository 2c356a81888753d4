"""Answers: Item.normalize for every item type, and conditions."""

from __future__ import annotations

import dataclasses

import pytest

from enkat.instruments import Condition, Instrument

NOT_A_CODE = "är inget av frågans svarsalternativ"


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
        ("q1", "7", f'"7" {NOT_A_CODE} (tillåtna koder: 1, 2, 3, 4, 5, 6, 0)'),
        ("q1", "5.0", f'"5.0" {NOT_A_CODE} (tillåtna koder: 1, 2, 3, 4, 5, 6, 0)'),
        ("q1", "", "svaret är tomt"),
        ("q1", "   ", "svaret är tomt"),
        (
            "kon",
            "okand",
            f'"okand" {NOT_A_CODE} (tillåtna koder: kvinna, man, annat, uppgift-saknas)',
        ),
        (
            "stod",
            "samtal,praktik",
            f'"samtal,praktik" {NOT_A_CODE} (tillåtna koder: samtal, praktik, studier, vet-ej)',
        ),
        ("arbete", "kanske", f'"kanske" {NOT_A_CODE} (tillåtna koder: ja, nej)'),
        ("arbete", "1", f'"1" {NOT_A_CODE} (tillåtna koder: ja, nej)'),
        ("individuellt", "11.0", '"11.0" ligger utanför 0–10'),
        ("individuellt", "-0.1", '"-0.1" ligger utanför 0–10'),
        ("individuellt", "7.25", '"7.25" har mer än en decimal'),
        ("individuellt", "sju", '"sju" är inget tal'),
        ("individuellt", "7.", '"7." är inget tal'),
        ("individuellt", "1e1", '"1e1" är inget tal'),
        ("timmar", "61", '"61" ligger utanför 0–60'),
        ("timmar", "-1", '"-1" ligger utanför 0–60'),
        ("timmar", "1.25", '"1.25" har mer än en decimal'),
        ("startdatum", "2026-13-01", '"2026-13-01" är inget datum (ÅÅÅÅ-MM-DD)'),
        ("startdatum", "20260301", '"20260301" är inget datum (ÅÅÅÅ-MM-DD)'),
        ("startdatum", "1/3/2026", '"1/3/2026" är inget datum (ÅÅÅÅ-MM-DD)'),
        ("startdatum", "2019-12-31",
         '"2019-12-31" är före det tidigaste tillåtna datumet 2020-01-01'),
        ("startdatum", "2031-01-01",
         '"2031-01-01" är efter det senaste tillåtna datumet 2030-12-31'),
        ("praktik-plats", "x" * 81, "texten är längre än 80 tecken"),
        ("namn-pa-insats", "x" * 201, "texten är längre än 200 tecken"),
        ("kommentar", " \n ", "svaret är tomt"),
        ("valkommen", "1", 'frågan "valkommen" är ett informationsblock och har inget svar'),
    ],
)
def test_normalize_refuses(every_type: Instrument, item_id: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        every_type.item(item_id).normalize(raw)
    assert str(caught.value) == message


def test_long_values_are_shortened_in_messages(every_type: Instrument) -> None:
    with pytest.raises(ValueError) as caught:
        every_type.item("q1").normalize("a" * 100)
    assert str(caught.value).startswith('"' + "a" * 39 + f'…" {NOT_A_CODE}')


@pytest.mark.parametrize(
    ("decimals", "raw", "result"),
    [
        (0, "3", "3"),
        (0, "3,0", "3"),
        (0, "3.5", '"3.5" är inget heltal'),
        (2, "3.14", "3.14"),
        (2, "3", "3.00"),
        (2, "3.141", '"3.141" har mer än 2 decimaler'),
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
    with pytest.raises(ValueError, match=r'^"-1" är mindre än det minsta tillåtna, 0$'):
        only_min.normalize("-1")
    assert only_min.normalize("1000") == "1000.0"
    with pytest.raises(ValueError, match=r'^"61" är större än det största tillåtna, 60$'):
        only_max.normalize("61")


@pytest.mark.parametrize(
    ("bounds", "raw", "message"),
    [
        ({"min": -2.5, "max": 10000}, "-3", '"-3" ligger utanför −2,5–10\u00a0000'),
        ({"min": 0.25, "max": None}, "0.1", '"0.1" är mindre än det minsta tillåtna, 0,25'),
    ],
)
def test_bounds_are_written_in_swedish(every_type: Instrument, bounds: dict[str, float | None],
                                       raw: str, message: str) -> None:
    """A bound is shown as a Swedish reader writes it: decimal comma, minus sign,
    thousands apart; the value at fault is quoted as it was typed."""
    item = dataclasses.replace(every_type.item("timmar"), decimals=2, **bounds)
    with pytest.raises(ValueError) as caught:
        item.normalize(raw)
    assert str(caught.value) == message


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
