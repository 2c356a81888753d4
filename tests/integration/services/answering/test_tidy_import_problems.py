"""Bad tidy CSV files: each is refused whole, with the line, column and reason."""

from __future__ import annotations

import datetime as dt

from enkat.services.answering.tidy_import import import_responses
from tests.unit.formats.tidy_files import NNS, ORS_LINES, nns, ors

from ..tidy import csv_bytes, rows, table_counts

NNS6 = "(allowed: 1, 2, 3, 4, 5, 6, 0)"


# --- the file as a whole ---------------------------------------------------------------


def test_header_only_is_an_empty_import(db_session):
    before = table_counts()
    summary = import_responses(csv_bytes(), forbund_slug="test")
    assert (summary.responses_created, summary.responses_unchanged) == (0, 0)
    assert table_counts() == before


def test_empty_cells(refused, insats):
    assert refused(csv_bytes(
        ",test,steget,,nns-deltagare-pagaende,1,pagaende,2025-03-03,q1,5",
        "n1,test,steget,,nns-deltagare-pagaende,1,pagaende,2025-03-03,,5",
        "n2,test,steget,,,1,,2025-03-03,q1,5",
        "n3,test,steget,,,1,pagaende,2025-03-03,q1,5",
    )) == [
        "line 2, column response_id: must not be empty",
        "line 3, column item: must not be empty",
        "line 4, column instrument: must not be empty",
        "line 4, column timepoint: must not be empty",
        "line 5, column instrument: must not be empty",
    ]


def test_every_problem_of_the_file_is_reported(refused, insats):
    lines = [*nns("n1", q1="7"), *ors("r1", socialt="11"), *nns("n2", q3="x")]
    assert refused(csv_bytes(*lines)) == [
        f'line 2, column value: q1: "7" is not a code of item q1 {NNS6}',
        'line 6, column value: socialt: "11" is outside 0.0–10.0',
        f'line 10, column value: q3: "x" is not a code of item q3 {NNS6}',
    ]


# --- instruments and values ------------------------------------------------------------


def test_unknown_instrument(refused, insats):
    lines = rows("x1", "nns-deltagare", {"q1": "5"}, timepoint="pagaende")
    lines += rows("x2", "nns-deltagare", {"q1": "6"}, timepoint="pagaende")
    assert refused(csv_bytes(*lines)) == [
        'line 2, column instrument: unknown instrument "nns-deltagare"'
    ]


def test_unknown_instrument_version(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", version="7")
    lines += rows("n2", NNS, {"q1": "5"}, timepoint="pagaende", version="1.0")
    assert refused(csv_bytes(*lines)) == [
        f'line 2, column instrument_version: unknown instrument "{NNS}" version 7',
        'line 3, column instrument_version: "1.0" is not a version number',
    ]


def test_unknown_item(refused, insats):
    assert refused(csv_bytes(*nns(q11="5"))) == [
        f'line 4, column item: unknown item "q11" in {NNS}'
    ]


def test_code_not_in_scale(refused, insats):
    assert refused(csv_bytes(*nns(q2="7"))) == [
        f'line 3, column value: q2: "7" is not a code of item q2 {NNS6}'
    ]


def test_vas_out_of_range(refused, insats):
    assert refused(csv_bytes(*ors(allmant="10.1"))) == [
        'line 5, column value: allmant: "10.1" is outside 0.0–10.0'
    ]


def test_vas_with_two_decimals(refused, insats):
    assert refused(csv_bytes(*ors(socialt="7.25"))) == [
        'line 4, column value: socialt: "7.25" has more than one decimal'
    ]


def test_bad_date(refused, insats):
    lines = rows("n1", NNS, {"q1": "5", "q2": "6"}, timepoint="pagaende", answered_on="2025-02-30")
    lines += rows("n2", NNS, {"q1": "5"}, timepoint="pagaende", answered_on="3/3/2025")
    assert refused(csv_bytes(*lines)) == [
        'line 2, column answered_on: "2025-02-30" is not a date (YYYY-MM-DD)',
        'line 4, column answered_on: "3/3/2025" is not a date (YYYY-MM-DD)',
    ]


def test_single_item_given_twice(refused, insats):
    lines = nns()
    lines.append(lines[0].replace(",q1,5", ",q1,4"))
    assert refused(csv_bytes(*lines)) == ["line 4, column value: q1: takes one answer, got 2"]


def test_same_code_twice_for_a_multiple_item(refused, insats):
    lines = rows("i1", "finsam-inskrivning",
                 {"kon": "man", "forsorjning": ["a-kassa", "lon", "a-kassa"]},
                 timepoint="start", participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == [
        "line 5, column value: forsorjning: the same code is given twice"
    ]


def test_required_item_missing(refused, insats):
    lines = rows("i1", "finsam-inskrivning", {"aldersgrupp": "30-44"}, timepoint="start",
                 participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == ["line 2: kon: required item is not answered"]


def test_an_ors_without_one_of_its_lines(refused, insats):
    """The ORS total needs every line (a score with max_missing 0): required on import too."""
    lines = [line for line in ors() if ",socialt," not in line]
    assert refused(csv_bytes(*lines)) == ["line 2: socialt: required item is not answered"]


# --- one response, one frame -----------------------------------------------------------


def test_response_mixing_deltagare(refused, insats):
    lines = ors()
    lines[2] = lines[2].replace("KX7M4P", "QW3E9R")
    assert refused(csv_bytes(*lines)) == [
        'line 4, column participant: "QW3E9R" here but "KX7M4P" on line 2; '
        'all rows of response "r1" must have the same participant'
    ]


def test_response_mixing_dates(refused, insats):
    lines = ors()
    lines[3] = lines[3].replace("2025-03-03", "2025-03-04")
    assert refused(csv_bytes(*lines)) == [
        'line 5, column answered_on: "2025-03-04" here but "2025-03-03" on line 2; '
        'all rows of response "r1" must have the same answered_on'
    ]


def test_response_mixing_instruments_and_timepoints(refused, insats):
    lines = ors()
    lines[1] = lines[1].replace(",ors,", ",srs,")
    lines[3] = lines[3].replace(",session-1,", ",session-2,")
    assert refused(csv_bytes(*lines)) == [
        'line 3, column instrument: "srs" here but "ors" on line 2; '
        'all rows of response "r1" must have the same instrument',
        'line 5, column timepoint: "session-2" here but "session-1" on line 2; '
        'all rows of response "r1" must have the same timepoint',
    ]


# --- förbund, insats, deltagare --------------------------------------------------------


def test_unknown_insats_is_reported_once(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", insats="stegett")
    lines += rows("n2", NNS, {"q1": "4"}, timepoint="pagaende", insats="stegett")
    assert refused(csv_bytes(*lines)) == [
        'line 2, column insats: unknown insats "stegett" in förbund "test" '
        "(import with --create-missing to create it)"
    ]


def test_unknown_forbund_is_reported_once(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", forbund="okand")
    lines += rows("n2", NNS, {"q1": "4"}, timepoint="pagaende", forbund="okand")
    assert refused(csv_bytes(*lines)) == [
        'line 2, column forbund: unknown förbund "okand" '
        "(import with --create-missing to create it)"
    ]


def test_values_are_checked_in_a_response_that_cannot_be_applied(refused, insats):
    lines = rows("n1", NNS, {"q1": "5", "q2": "8"}, timepoint="pagaende", forbund="okand")
    assert refused(csv_bytes(*lines)) == [
        'line 2, column forbund: unknown förbund "okand" '
        "(import with --create-missing to create it)",
        f'line 3, column value: q2: "8" is not a code of item q2 {NNS6}',
    ]


def test_unknown_forbund_of_the_import(refused, db_session):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", forbund="")
    assert refused(csv_bytes(*lines), forbund_slug="okand") == [
        'line 2, column forbund: unknown förbund "okand" '
        "(import with --create-missing to create it)"
    ]


def test_missing_forbund(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", forbund="")
    assert refused(csv_bytes(*lines)) == [
        "line 2, column forbund: must not be empty (or name the förbund for the import)"
    ]


def test_row_of_another_forbund(refused, insats, make_forbund):
    make_forbund("annat")
    lines = nns() + rows("n2", NNS, {"q1": "5"}, timepoint="pagaende", forbund="annat")
    assert refused(csv_bytes(*lines), forbund_slug="test") == [
        'line 4, column forbund: the row is for förbund "annat", but this import is for "test"'
    ]


def test_invalid_slug_with_create_missing(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", insats="Steget Vidare")
    assert refused(csv_bytes(*lines), create_missing=True) == [
        'line 2, column insats: "Steget Vidare" is not a valid slug '
        "(lower-case letters, digits, hyphens)"
    ]


def test_participant_code_like_a_personnummer(refused, insats):
    assert refused(csv_bytes(*ors(participant="19850101-1234"))) == [
        'line 2, column participant: "19850101-1234" looks like a personnummer; '
        "deltagare are registered by code only"
    ]


def test_participant_without_insats(refused, insats):
    lines = rows("r1", "ors", ORS_LINES, timepoint="session-1", participant="KX7M4P",
                 insats="")
    assert refused(csv_bytes(*lines)) == [
        "line 2, column insats: a response about a deltagare needs an insats"
    ]


def test_participant_for_an_anonymous_instrument(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == [
        f"line 2, column participant: {NNS} is anonymous and takes no deltagare code"
    ]


def test_missing_participant_for_a_deltagare_instrument(refused, insats):
    assert refused(csv_bytes(*ors(participant=""))) == [
        "line 2, column participant: ors is about a deltagare and needs a deltagare code"
    ]


def test_timepoint_not_of_the_instrument(refused, insats):
    lines = rows("r1", "ors", ORS_LINES, timepoint="start", participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == [
        'line 2, column timepoint: "start" is not a timepoint of ors (session-{n})'
    ]


# --- against what is already stored ----------------------------------------------------


def test_response_id_reused_with_other_content(refused, make_response):
    make_response(NNS, {"q1": "5", "q2": "6"}, timepoint="pagaende",
                  answered_on=dt.date(2025, 3, 3), external_id="n1")
    lines = rows("n1", NNS, {"q1": "5", "q2": "4"}, timepoint="pagaende")
    assert refused(csv_bytes(*lines)) == [
        'line 2: response "n1" was already imported with other content (different answers); '
        "an imported response is never overwritten"
    ]


def test_avslut_without_open_enrolment(refused, insats):
    lines = rows("a1", "finsam-avslut", {"avslutsanledning": "arbete"}, timepoint="avslut",
                 participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == ["line 2: KX7M4P has no open enrolment in steget"]
