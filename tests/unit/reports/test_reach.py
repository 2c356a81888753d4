"""The response-rate table of utskick ("svarsfrekvens"): figures worked out by hand, and
what suppression hides."""

from __future__ import annotations

import pytest

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.inputs import SurveyReach
from enkat.reports.model import Kind
from enkat.reports.reach import reach_table
from enkat.scoring.suppression import Suppression

K5 = Suppression(5)


@pytest.fixture(scope="module")
def instruments():
    return load_directory(bundled_directory())


def shown(table, row: str) -> dict[str, object]:
    return {column.key: figure.shown
            for column, figure in zip(table.columns, table.row(row).figures, strict=True)}


def test_no_utskick_in_either_period_gives_no_table(instruments):
    assert reach_table(instruments, [], [], K5) is None


def test_a_row_per_instrument_by_its_swedish_title_against_the_previous_period(instruments):
    table = reach_table(instruments, [SurveyReach("nns-styrelse", 1, 12, 9),
                                      SurveyReach("nns-personal", 2, 40, 30)],
                        [SurveyReach("nns-personal", 1, 35, 14)], K5)
    assert (table.id, table.title) == ("svarsfrekvens", "Svarsfrekvens i utskick")
    personal, styrelse = (instruments[name].title.get("sv") for name in ("nns-personal",
                                                                     "nns-styrelse"))
    assert [row.label for row in table.rows] == sorted([personal, styrelse])
    assert shown(table, personal) == {
        "utskick": 2, "skickade": 40, "svar": 30, "svarsfrekvens": 0.75,
        "utskick-foregaende": 1, "skickade-foregaende": 35, "svar-foregaende": 14,
        "svarsfrekvens-foregaende": 0.4}
    assert shown(table, styrelse) == {
        "utskick": 1, "skickade": 12, "svar": 9, "svarsfrekvens": 0.75,
        "utskick-foregaende": 0, "skickade-foregaende": 0, "svar-foregaende": 0,
        "svarsfrekvens-foregaende": None}
    assert [column.label for column in table.columns][4:] == [
        "Utskick före", "Skickade före", "Svar före", "Svarsfrekvens före"]
    assert [column.kind for column in table.columns][:4] == [Kind.COUNT] * 3 + [Kind.SHARE]


def test_an_instrument_with_utskick_only_in_the_previous_period_has_its_row(instruments):
    table = reach_table(instruments, [], [SurveyReach("nns-chefer", 1, 20, 10)], K5)
    [row] = table.rows
    assert shown(table, row.label)["svarsfrekvens-foregaende"] == 0.5
    assert shown(table, row.label)["utskick"] == 0


def test_fewer_than_k_answers_hide_the_count_and_the_rate_but_not_the_addresses(instruments):
    """7 addresses and 3 answers: "<5" answers, and no rate (3 of 7 would give 3 back)."""
    table = reach_table(instruments, [SurveyReach("nns-styrelse", 1, 7, 3)],
                        [SurveyReach("nns-styrelse", 1, 7, 5)], K5)
    [row] = table.rows
    figures = shown(table, row.label)
    assert (figures["skickade"], figures["svar"], figures["svarsfrekvens"]) == (7, "<5", "<5")
    assert (figures["svar-foregaende"], figures["svarsfrekvens-foregaende"]) == (5, 5 / 7)
    assert "Färre än 5 svar visas som <5" in " ".join(table.notes)


def test_no_answers_are_shown_as_zero(instruments):
    table = reach_table(instruments, [SurveyReach("nns-styrelse", 1, 7, 0)], [], K5)
    figures = shown(table, table.rows[0].label)
    assert (figures["svar"], figures["svarsfrekvens"]) == (0, 0.0)


def test_the_forbunds_threshold_applies(instruments):
    reach = [SurveyReach("nns-styrelse", 1, 7, 3)]
    assert shown(reach_table(instruments, reach, [], Suppression(3)),
                 instruments["nns-styrelse"].title.get("sv"))["svar"] == 3
    assert shown(reach_table(instruments, reach, [], Suppression(4)),
                 instruments["nns-styrelse"].title.get("sv"))["svar"] == "<4"


def test_an_instrument_no_longer_known_is_named_by_its_id(instruments):
    table = reach_table(instruments, [SurveyReach("borttagen-enkat", 1, 10, 6)], [], K5)
    assert table.rows[0].label == "borttagen-enkat"
