"""Every response of the period is in a table or in a stated exclusion with its count."""

from __future__ import annotations

import pytest

from enkat.instruments import bundled_directory, load_data, load_directory
from enkat.reports.coverage import NO_RESULTS, UNKNOWN, WITHOUT_CODE, coverage_table
from enkat.reports.inputs import ResponseTally, Unenrolled
from enkat.reports.pruning import without_empty
from enkat.scoring.suppression import Suppression

BUNDLED = load_directory(bundled_directory())
K = Suppression(5)
FREE_TEXT = load_data({
    "format": 1, "id": "synpunkter", "version": 1, "title": "Synpunkter",
    "audience": "personal", "rated_by": "self", "languages": ["sv"], "timepoints": ["arlig"],
    "source": {"owner": "Förbundet", "licence": "fri", "verified": "egen"},
    "items": [{"id": "fritt", "type": "longtext", "text": "Skriv fritt"}],
}, "test")


NO_ONE = Unenrolled()


def build(responses, unenrolled=NO_ONE):
    return coverage_table({**BUNDLED, FREE_TEXT.id: FREE_TEXT}, responses, unenrolled, K)


def row(table, title):
    return {column.key: figure.shown for column, figure
            in zip(table.columns, table.row(title).figures, strict=True)}


def test_a_survey_of_free_text_only_is_counted_as_left_out_with_its_reason():
    table, section = build([ResponseTally("synpunkter", 12), ResponseTally("ors", 40)])
    assert row(table, "Synpunkter") == {
        "svar": 12, "i-tabellerna": 0, "utelamnade": 12, "anledning": NO_RESULTS,
        "deltagare-utan-inskrivning": 0, "svar-utan-inskrivning": 0}
    ors = BUNDLED["ors"].title.get("sv")
    assert row(table, ors)["i-tabellerna"] == 40 and row(table, ors)["utelamnade"] == 0
    assert [r["instrument"] for r in section["instruments"]] == ["ors", "synpunkter"]


def test_scored_answers_without_a_deltagare_code_cannot_follow_anyone():
    table, _ = build([ResponseTally("ors", 30, without_code=6)])
    counted = row(table, BUNDLED["ors"].title.get("sv"))
    assert (counted["i-tabellerna"], counted["utelamnade"], counted["anledning"]) == (
        24, 6, WITHOUT_CODE)


def test_anonymous_answers_to_a_survey_with_indicators_are_all_in_its_tables():
    table, _ = build([ResponseTally("nns-personal", 9, without_code=9)])
    assert row(table, BUNDLED["nns-personal"].title.get("sv"))["utelamnade"] == 0


def test_an_instrument_no_longer_known_is_left_out_by_its_id():
    table, section = build([ResponseTally("borttagen", 8)])
    assert row(table, "borttagen")["anledning"] == UNKNOWN
    assert section["instruments"][0]["left_out"] == 8


def test_the_deltagare_without_enrolment_are_said_once_for_the_report():
    responses = [ResponseTally("ors", 30, 0, 12, 30), ResponseTally("srs", 28, 0, 11, 28)]
    table, section = build(responses, Unenrolled(12, 58))
    statement = ("12 deltagare har svar men ingen inskrivning under perioden i insatsen där de "
                 "svarade (58 svar).")
    assert table.notes[0] == statement and section["statements"] == [statement]
    assert (section["participants_without_enrolment"], section["responses_without_enrolment"]) \
        == (12, 58)


def test_small_counts_are_marked_and_said_as_fewer_than_k():
    table, section = build([ResponseTally("ors", 30, 3, 2, 6)], Unenrolled(2, 6))
    counted = row(table, BUNDLED["ors"].title.get("sv"))
    # 3 left out is small; 27 in the tables would reveal it, so it is marked too
    assert (counted["utelamnade"], counted["i-tabellerna"], counted["svar"]) == ("<5", "X", 30)
    assert counted["deltagare-utan-inskrivning"] == "<5"
    assert section["statements"] == [
        "färre än 5 deltagare har svar men ingen inskrivning under perioden i insatsen där "
        "de svarade (6 svar)."]


@pytest.mark.parametrize("responses", [[], [ResponseTally("ors", 0)]])
def test_nothing_answered_says_nothing(responses):
    table, section = build(responses)
    assert section["statements"] == [] and all(
        figure.shown in (0, "", None) for r in table.rows for figure in r.figures)


def test_none_left_out_is_a_result_that_stays_in_the_table():
    table, _ = build([ResponseTally("ors", 40)])
    [kept] = without_empty([table])
    assert [column.key for column in kept.columns] == ["svar", "i-tabellerna", "utelamnade"]
    assert kept.figure(BUNDLED["ors"].title.get("sv"), "utelamnade").shown == 0
