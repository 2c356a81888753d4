"""Bad tidy CSV files: each is refused whole, with the line, column and reason."""

from __future__ import annotations

import datetime as dt

from enkat.services.answering.tidy_import import import_responses, nothing_answered
from tests.unit.formats.tidy_files import NNS, ORS_LINES, nns, ors

from ..tidy import csv_bytes, rows, table_counts

CREATE_MISSING = "(importera med --create-missing för att skapa det som saknas)"
NNS6 = "är inget av frågans svarsalternativ (tillåtna koder: 1, 2, 3, 4, 5, 6, 0)"


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
        "rad 2, kolumn response_id: får inte vara tom",
        "rad 3, kolumn item: får inte vara tom",
        "rad 4, kolumn instrument: får inte vara tom",
        "rad 4, kolumn timepoint: får inte vara tom",
        "rad 5, kolumn instrument: får inte vara tom",
    ]


def test_every_problem_of_the_file_is_reported(refused, insats):
    lines = [*nns("n1", q1="7"), *ors("r1", socialt="11"), *nns("n2", q3="x")]
    assert refused(csv_bytes(*lines)) == [
        f'rad 2, kolumn value, fråga q1: "7" {NNS6}',
        'rad 6, kolumn value, fråga socialt: "11" ligger utanför 0–10',
        f'rad 10, kolumn value, fråga q3: "x" {NNS6}',
    ]


# --- instruments and values ------------------------------------------------------------


def test_unknown_instrument(refused, insats):
    lines = rows("x1", "nns-deltagare", {"q1": "5"}, timepoint="pagaende")
    lines += rows("x2", "nns-deltagare", {"q1": "6"}, timepoint="pagaende")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn instrument: okänt instrument "nns-deltagare"'
    ]


def test_unknown_instrument_version(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", version="7")
    lines += rows("n2", NNS, {"q1": "5"}, timepoint="pagaende", version="1.0")
    assert refused(csv_bytes(*lines)) == [
        f'rad 2, kolumn instrument_version: okänt instrument "{NNS}" version 7',
        'rad 3, kolumn instrument_version: "1.0" är inget versionsnummer',
    ]


def test_unknown_item(refused, insats):
    assert refused(csv_bytes(*nns(q11="5"))) == [
        f'rad 4, kolumn item: {NNS} har ingen fråga "q11"'
    ]


def test_code_not_in_scale(refused, insats):
    assert refused(csv_bytes(*nns(q2="7"))) == [
        f'rad 3, kolumn value, fråga q2: "7" {NNS6}'
    ]


def test_vas_out_of_range(refused, insats):
    assert refused(csv_bytes(*ors(allmant="10.1"))) == [
        'rad 5, kolumn value, fråga allmant: "10.1" ligger utanför 0–10'
    ]


def test_vas_with_two_decimals(refused, insats):
    assert refused(csv_bytes(*ors(socialt="7.25"))) == [
        'rad 4, kolumn value, fråga socialt: "7.25" har mer än en decimal'
    ]


def test_bad_date(refused, insats):
    lines = rows("n1", NNS, {"q1": "5", "q2": "6"}, timepoint="pagaende", answered_on="2025-02-30")
    lines += rows("n2", NNS, {"q1": "5"}, timepoint="pagaende", answered_on="3/3/2025")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn answered_on: "2025-02-30" är inget datum (ÅÅÅÅ-MM-DD)',
        'rad 4, kolumn answered_on: "3/3/2025" är inget datum (ÅÅÅÅ-MM-DD)',
    ]


def test_single_item_given_twice(refused, insats):
    lines = nns()
    lines.append(lines[0].replace(",q1,5", ",q1,4"))
    assert refused(csv_bytes(*lines)) == ["rad 4, kolumn value, fråga q1: tar ett svar men har 2"]


def test_same_code_twice_for_a_multiple_item(refused, insats):
    lines = rows("i1", "finsam-inskrivning",
                 {"kon": "man", "forsorjning": ["a-kassa", "lon", "a-kassa"]},
                 timepoint="start", participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == [
        "rad 5, kolumn value, fråga forsorjning: har samma kod två gånger"
    ]


def test_required_item_missing(refused, insats):
    lines = rows("i1", "finsam-inskrivning", {"aldersgrupp": "30-44"}, timepoint="start",
                 participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == ["rad 2, fråga kon: måste besvaras men har inget svar"]


def test_a_response_whose_every_value_is_empty_answers_nothing(refused, insats):
    """An empty value, or one of spaces only, is a question not answered
    (docs/formats.md): a paper form left blank is not a response to count. Said once, on
    the response's first line, not as each required question unanswered; the file's
    other responses are not imported either (all or nothing)."""
    lines = [*nns("n1"), *rows("n2", NNS, {"q1": "", "q6": "  "}, timepoint="pagaende"),
             *rows("i1", "finsam-inskrivning", {"kon": "", "forsorjning": ""},
                   timepoint="start", participant="KX7M4P")]
    assert refused(csv_bytes(*lines)) == [
        f"rad 4, kolumn value: {nothing_answered('n2')}",
        f"rad 6, kolumn value: {nothing_answered('i1')}",
    ]


def test_an_ors_without_one_of_its_lines(refused, insats):
    """The ORS total needs every line (a score with max_missing 0): required on import too."""
    lines = [line for line in ors() if ",socialt," not in line]
    assert refused(csv_bytes(*lines)) == ["rad 2, fråga socialt: måste besvaras men har inget svar"]


# --- one response, one frame -----------------------------------------------------------


def test_response_mixing_deltagare(refused, insats):
    lines = ors()
    lines[2] = lines[2].replace("KX7M4P", "QW3E9R")
    assert refused(csv_bytes(*lines)) == [
        'rad 4, kolumn participant: "QW3E9R" här men "KX7M4P" på rad 2; '
        'alla rader i svaret "r1" ska ha samma participant'
    ]


def test_response_mixing_dates(refused, insats):
    lines = ors()
    lines[3] = lines[3].replace("2025-03-03", "2025-03-04")
    assert refused(csv_bytes(*lines)) == [
        'rad 5, kolumn answered_on: "2025-03-04" här men "2025-03-03" på rad 2; '
        'alla rader i svaret "r1" ska ha samma answered_on'
    ]


def test_a_date_mistyped_in_one_row_of_a_response_is_said_to_be_no_date(refused, insats):
    lines = ors()
    lines[2] = lines[2].replace("2025-03-03", "3/3/2025")
    assert refused(csv_bytes(*lines)) == [
        'rad 4, kolumn answered_on: "3/3/2025" är inget datum (ÅÅÅÅ-MM-DD)'
    ]


def test_response_mixing_instruments_and_timepoints(refused, insats):
    lines = ors()
    lines[1] = lines[1].replace(",ors,", ",srs,")
    lines[3] = lines[3].replace(",session-1,", ",session-2,")
    assert refused(csv_bytes(*lines)) == [
        'rad 3, kolumn instrument: "srs" här men "ors" på rad 2; '
        'alla rader i svaret "r1" ska ha samma instrument',
        'rad 5, kolumn timepoint: "session-2" här men "session-1" på rad 2; '
        'alla rader i svaret "r1" ska ha samma timepoint',
    ]


# --- förbund, insats, deltagare --------------------------------------------------------


def test_unknown_insats_is_reported_once(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", insats="stegett")
    lines += rows("n2", NNS, {"q1": "4"}, timepoint="pagaende", insats="stegett")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn insats: okänd insats "stegett" i förbundet "test" '
        f"{CREATE_MISSING}"
    ]


def test_unknown_forbund_is_reported_once(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", forbund="okand")
    lines += rows("n2", NNS, {"q1": "4"}, timepoint="pagaende", forbund="okand")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn forbund: okänt förbund "okand" '
        f"{CREATE_MISSING}"
    ]


def test_values_are_checked_in_a_response_that_cannot_be_applied(refused, insats):
    lines = rows("n1", NNS, {"q1": "5", "q2": "8"}, timepoint="pagaende", forbund="okand")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn forbund: okänt förbund "okand" '
        f"{CREATE_MISSING}",
        f'rad 3, kolumn value, fråga q2: "8" {NNS6}',
    ]


def test_unknown_forbund_of_the_import(refused, db_session):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", forbund="")
    assert refused(csv_bytes(*lines), forbund_slug="okand") == [
        'rad 2, kolumn forbund: okänt förbund "okand" '
        f"{CREATE_MISSING}"
    ]


def test_missing_forbund(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", forbund="")
    assert refused(csv_bytes(*lines)) == [
        "rad 2, kolumn forbund: får inte vara tom när importen inte anger förbundet"
    ]


def test_row_of_another_forbund(refused, insats, make_forbund):
    make_forbund("annat")
    lines = nns() + rows("n2", NNS, {"q1": "5"}, timepoint="pagaende", forbund="annat")
    assert refused(csv_bytes(*lines), forbund_slug="test") == [
        'rad 4, kolumn forbund: raden gäller förbundet "annat", men importen gäller "test"'
    ]


def test_invalid_slug_with_create_missing(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", insats="Steget Vidare")
    assert refused(csv_bytes(*lines), create_missing=True) == [
        'rad 2, kolumn insats: "Steget Vidare" är ingen giltig slug '
        "(små bokstäver, siffror och bindestreck)"
    ]


def test_participant_code_like_a_personnummer(refused, insats):
    assert refused(csv_bytes(*ors(participant="19850101-1234"))) == [
        'rad 2, kolumn participant: "19850101-1234" ser ut som ett personnummer; '
        "deltagare registreras bara med kod"
    ]


def test_participant_without_insats(refused, insats):
    lines = rows("r1", "ors", ORS_LINES, timepoint="session-1", participant="KX7M4P",
                 insats="")
    assert refused(csv_bytes(*lines)) == [
        "rad 2, kolumn insats: ett svar om en deltagare måste ha en insats"
    ]


def test_participant_for_an_anonymous_instrument(refused, insats):
    lines = rows("n1", NNS, {"q1": "5"}, timepoint="pagaende", participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == [
        f"rad 2, kolumn participant: {NNS} är anonym och tar ingen deltagarkod"
    ]


def test_missing_participant_for_a_deltagare_instrument(refused, insats):
    assert refused(csv_bytes(*ors(participant=""))) == [
        "rad 2, kolumn participant: ors gäller en deltagare och behöver en deltagarkod"
    ]


def test_timepoint_not_of_the_instrument(refused, insats):
    lines = rows("r1", "ors", ORS_LINES, timepoint="start", participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == [
        'rad 2, kolumn timepoint: "start" är ingen mätpunkt för ors (tillåtna: session-{n})'
    ]


# --- against what is already stored ----------------------------------------------------


def test_response_id_reused_with_other_content(refused, make_response):
    make_response(NNS, {"q1": "5", "q2": "6"}, timepoint="pagaende",
                  answered_on=dt.date(2025, 3, 3), external_id="n1")
    lines = rows("n1", NNS, {"q1": "5", "q2": "4"}, timepoint="pagaende")
    assert refused(csv_bytes(*lines)) == [
        'rad 2: svaret "n1" är redan importerat med annat innehåll (det som skiljer: svaren); '
        "ett importerat svar skrivs aldrig över"
    ]


def test_avslut_without_open_enrolment(refused, insats):
    lines = rows("a1", "finsam-avslut", {"avslutsanledning": "arbete"}, timepoint="avslut",
                 participant="KX7M4P")
    assert refused(csv_bytes(*lines)) == ["rad 2: KX7M4P har ingen pågående inskrivning i steget"]
