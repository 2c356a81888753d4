"""Importing large tidy CSV files: what writing in bulk could get wrong.

The import checks a whole file in memory and then writes each table in one statement
(COPY on PostgreSQL); these tests hold it to the guarantees of the one-by-one path on
both databases: all or nothing, problems on their physical lines, nothing written by an
unchanged file, the statements asked independent of the file's size.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from enkat.extensions import db
from enkat.models import Enrolment, Response, ResponseSource, utcnow
from enkat.services.answering.tidy_import import ImportSummary, import_responses
from enkat.services.organisation.forbund import get_forbund

from ..tidy import canonical, csv_bytes, rows, table_counts

NNS = "nns-deltagare-pagaende"
ORS = {"individuellt": "5.5", "nara-relationer": "6", "socialt": "7", "allmant": "4.2"}


def deltagare_year(count: int, *, start: int = 0) -> list[str]:
    """`count` deltagare, each enrolled, with two ORS sessions, an NNS with a free-text
    line break, and an avslut: 6 responses and 14 lines (15 physical) per deltagare."""
    lines = []
    for number in range(start, start + count):
        code, day = f"D{number:05d}", dt.date(2025, 1, 1) + dt.timedelta(days=number % 300)
        later = (day + dt.timedelta(days=30)).isoformat()
        lines += rows(f"i{number}", "finsam-inskrivning", {"kon": "kvinna"}, timepoint="start",
                      participant=code, answered_on=day.isoformat())
        for session in (1, 2):
            lines += rows(f"o{number}-{session}", "ors", ORS, timepoint=f"session-{session}",
                          participant=code, answered_on=day.isoformat())
        lines += rows(f"n{number}", NNS, {"q1": "5", "q6": "6"}, timepoint="pagaende",
                      answered_on=later)
        lines += rows(f"p{number}", "nns-personal", {"gemensamma-mal": "3"}, timepoint="arlig",
                      insats="", answered_on=later)
        lines.append(f'p{number},test,,,nns-personal,1,arlig,{later},synpunkter,"Bra.\nMer"')
        lines += rows(f"a{number}", "finsam-avslut", {"avslutsanledning": "arbete"},
                      timepoint="avslut", participant=code, answered_on=later)
    return lines


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block (an executemany or a COPY is one)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def writes(seen: list[str]) -> list[str]:
    return [verb for verb in seen if verb in ("INSERT", "UPDATE", "DELETE", "COPY")]


def test_a_large_file_imports_whole(insats):
    before = utcnow()
    summary = import_responses(csv_bytes(*deltagare_year(300)))

    assert summary == ImportSummary(responses_created=1800, participants_created=300)
    data = canonical(get_forbund("test"))
    assert len(data["responses"]) == 1800
    assert data["enrolments"][0] == ("D00000", "steget", dt.date(2025, 1, 1),
                                     dt.date(2025, 1, 31))
    assert data["responses"]["p7"][6] == {"gemensamma-mal": ("3",), "synpunkter": ("Bra.\nMer",)}
    assert data["responses"]["o7-2"][6]["nara-relationer"] == ("6.0",)
    stored = db.session.scalar(select(Response).where(Response.external_id == "o7-2"))
    assert stored.source is ResponseSource.IMPORT and stored.language == "sv"
    assert before <= stored.submitted_at == stored.started_at <= utcnow()


def test_a_bad_value_on_the_last_line_of_a_large_file_writes_nothing(refused, insats):
    lines = deltagare_year(300)
    lines.append(f"n-last,test,steget,,{NNS},1,pagaende,2025-12-01,q1,9")

    assert refused(csv_bytes(*lines)) == [
        'rad 4502, kolumn value, fråga q1: "9" är inget av frågans svarsalternativ '
        "(tillåtna koder: 1, 2, 3, 4, 5, 6, 0)"
    ]


def test_a_refusal_found_against_the_database_at_the_end_writes_nothing(refused, insats):
    """An avslut of a deltagare never enrolled is known only when the responses are
    gone through in date order, after every earlier one was accepted in memory."""
    lines = deltagare_year(300)
    lines += rows("a-last", "finsam-avslut", {"avslutsanledning": "arbete"},
                  timepoint="avslut", participant="NOBODY", answered_on="2025-12-31")

    assert refused(csv_bytes(*lines)) == [
        "rad 4502: NOBODY har ingen pågående inskrivning i steget"]


def test_an_unchanged_file_imported_again_writes_nothing(insats):
    data = csv_bytes(*deltagare_year(300))
    import_responses(data)
    before, content = table_counts(), canonical(get_forbund("test"))

    with statements() as seen:
        again = import_responses(data)

    assert again == ImportSummary(responses_unchanged=1800)
    assert writes(seen) == []
    assert table_counts() == before
    assert canonical(get_forbund("test")) == content


def test_the_statements_do_not_grow_with_the_file(insats, make_forbund):
    make_forbund("annat")
    with statements() as small:
        import_responses(csv_bytes(*deltagare_year(20)))
    with statements() as large:
        import_responses(csv_bytes(*[line.replace(",test,", ",annat,")
                                     for line in deltagare_year(400)]), create_missing=True)

    assert len(large) <= len(small) + 2  # the new insats: a look-up and an insert
    assert writes(large).count("INSERT") + writes(large).count("COPY") <= 6


def test_a_changed_line_in_a_large_file_imported_again_is_refused(refused, insats):
    """The documented rule (docs/formats.md): an imported response is never overwritten."""
    lines = deltagare_year(300)
    import_responses(csv_bytes(*lines))
    changed = lines[:-1] + [lines[-1].replace(",arbete", ",studier")]

    assert refused(csv_bytes(*changed)) == [
        'rad 4501: svaret "a299" är redan importerat med annat innehåll '
        "(det som skiljer: svaren); ett importerat svar skrivs aldrig över"
    ]


def test_a_later_file_ends_enrolments_an_earlier_one_started(insats):
    starts = [line for line in deltagare_year(50) if ",finsam-avslut," not in line]
    ends = [line for line in deltagare_year(50) if ",finsam-avslut," in line]
    import_responses(csv_bytes(*starts))
    enrolment = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).first()
    assert enrolment.ended_on is None

    summary = import_responses(csv_bytes(*starts, *ends))

    assert summary == ImportSummary(responses_created=50, responses_unchanged=250)
    assert enrolment.ended_on == enrolment.started_on + dt.timedelta(days=30)
    assert [row.ended_on is not None for row in db.session.scalars(select(Enrolment))] == [
        True] * 50


@pytest.mark.parametrize("twice", ["inskrivning", "avslut"])
def test_enrolment_rules_hold_across_files(refused, insats, twice):
    lines = deltagare_year(5)
    import_responses(csv_bytes(*lines))
    instrument = f"finsam-{twice}"
    again = [line.replace("i2,", "i2b,").replace("a2,", "a2b,") for line in lines
             if line.startswith(("i2,", "a2,")) and f",{instrument}," in line]

    expected = {
        "inskrivning": [],  # the first enrolment was ended: a new one may start
        "avslut": ["rad 2: D00002 har ingen pågående inskrivning i steget"],
    }[twice]
    if expected:
        assert refused(csv_bytes(*again)) == expected
    else:
        assert import_responses(csv_bytes(*again)).responses_created == 1


def all_table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def grown(before: dict[str, int]) -> dict[str, int]:
    return {name: count - before[name] for name, count in all_table_counts().items()
            if count != before[name]}


def test_an_import_writes_every_table_recording_a_response_writes(insats, make_response,
                                                                    make_participant):
    """The import writes in bulk beside `record_response`, not through it: a table that
    recording comes to write (a summary kept at submit, say) must be written here too."""

    def record(code: str) -> None:
        participant = make_participant(code)
        make_response("finsam-inskrivning", {"kon": "man"}, participant=participant,
                      timepoint="start", answered_on=dt.date(2025, 2, 3))
        make_response("ors", ORS, participant=participant, timepoint="session-1",
                      answered_on=dt.date(2025, 2, 3))

    record("FIRST")  # the instrument versions are kept at their first use
    before = all_table_counts()
    record("KX7M4P")
    recorded = grown(before)

    before = all_table_counts()
    import_responses(csv_bytes(
        *rows("i1", "finsam-inskrivning", {"kon": "man"}, timepoint="start",
              participant="QW3E9R", answered_on="2025-02-03"),
        *rows("o1", "ors", ORS, timepoint="session-1", participant="QW3E9R",
              answered_on="2025-02-03"),
    ))

    assert grown(before) == recorded
