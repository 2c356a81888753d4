"""The report of the demo förbund, built from the database and written in every format."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import re

import openpyxl
import pypdf
import pytest
from sqlalchemy import event

from enkat.extensions import db
from enkat.models import ResponseSource
from enkat.profiling import counts_as_statement
from enkat.reports.model import Kind
from enkat.reports.period import Period
from enkat.reports.rendering import FORMATS, render
from enkat.services.answering.drafts import local_today
from enkat.services.instruments.versions import resolve_instrument
from enkat.services.organisation.forbund import get_forbund
from enkat.services.organisation.insatser import get_insats
from enkat.services.results.reports import build_report_for, cycle_collection_paused

from ..mailed import addresses, answer

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def demo(demo):  # the demo of every test (tests/conftest.py), as its förbund
    return get_forbund(demo.forbund_slug)


def test_the_forbund_report_has_every_kind_of_table(demo):
    report = build_report_for(demo, period=YEAR)
    ids = {table.id for table in report.tables}
    assert {"deltagare", "bakgrund-aldersgrupp", "avslutsanledning", "resultat", "forsorjning",
            "sysselsattning", "uppfoljning", "nns-pagaende", "nns-avslut", "ors-total-prepost",
            "ors-total-klasser", "srs-flaggor", "skapa-omraden", "processtrappan-steg-steg"} <= ids
    assert report.table("deltagare").figure("Slutsumma", "unika").value == 60
    side_by_side = report.table("insatser")
    assert [row.label for row in side_by_side.rows] == [
        "Hälsolotsen", "Steget vidare", "Unga vuxna i arbete", "Summa insatser"]
    assert side_by_side.figure("Summa insatser", "unika").value == 60


def statements_run(work) -> list[tuple[str, bool]]:
    """Each statement `work` runs (as `enkat.profiling` counts them), and whether the
    cycle collector was on as it ran."""
    seen: list[tuple[str, bool]] = []

    def record(connection, cursor, statement, *_):
        if counts_as_statement(statement):
            seen.append((statement, gc.isenabled()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_a_report_is_built_with_the_cycle_collector_paused_and_leaves_it_on(demo):
    during = [enabled for _, enabled in statements_run(lambda: build_report_for(demo,
                                                                               period=YEAR))]
    assert during and not any(during)
    assert gc.isenabled()


def test_the_objects_of_a_report_set_off_no_collection_when_the_collector_is_on_again(demo):
    collections: list[int] = []

    def record(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(record)
    try:
        build_report_for(demo, period=YEAR)
        after = [[] for _ in range(100)]  # a due collection would start here
    finally:
        gc.callbacks.remove(record)
    assert after and collections == []
    assert gc.get_freeze_count() == 0


#: The statements of the demo förbund's report: a fixed number, whatever the förbund's
#: insatser and answers (its lists of insatser are parameters, not statements each).
REPORT_STATEMENTS = 35


def test_a_forbund_report_runs_a_fixed_number_of_statements(demo):
    """Counted as a request runs it, with the förbund and nothing else read before: what
    earlier tests left loaded in the session would otherwise save statements."""
    db.session.expire_all()
    db.session.refresh(demo)
    assert len(statements_run(lambda: build_report_for(demo, period=YEAR))) == REPORT_STATEMENTS


def test_the_cycle_collector_is_on_again_after_a_failed_report_and_left_paused_if_it_was():
    with pytest.raises(ValueError), cycle_collection_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


#: Counts of mails the förbund itself sent, not of people with a trait: shown as they are
#: (`enkat.reports.reach`); the answered count beside them is held back below k.
MAILS = {("svarsfrekvens", key) for key in ("utskick", "skickade", "utskick-foregaende",
                                            "skickade-foregaende")}


def test_no_outgoing_count_is_below_the_threshold(demo):
    report = build_report_for(demo, period=YEAR)
    k = report.suppression_threshold
    for table in report.tables:
        for row in table.rows:
            for figure, column in zip(row.figures, table.columns, strict=True):
                if ((table.id, column.key) not in MAILS and figure.kind_in(column) is Kind.COUNT
                        and isinstance(figure.shown, int)):
                    assert not 0 < figure.shown < k, (table.id, row.label)


def test_an_insats_report_judges_its_goals(demo):
    insats = get_insats(demo, "steget-vidare")
    report = build_report_for(demo, insats, period=YEAR)
    goals = report.table("mal")
    assert [row.label for row in goals.rows] == [goal.description for goal in insats.goals]
    verdicts = {row.figures[0].value for row in goals.rows}
    assert verdicts <= {"Ja", "Nej", "Går inte att avgöra"}
    assert report.subject.scope == "insats"


def test_every_format_is_written(demo):
    report = build_report_for(demo, period=YEAR)
    signatures = {"json": b"{", "xlsx": b"PK", "html": b"<!doctype html", "pdf": b"%PDF",
                  "docx": b"PK"}
    for format in FORMATS:
        assert render(report, format).lower().startswith(signatures[format].lower()), format
    assert json.loads(render(report, "json"))["forbund"]["slug"] == "alvdalen"


def pdf_text(report) -> str:
    pages = pypdf.PdfReader(io.BytesIO(render(report, "pdf"))).pages
    return "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ")


def test_the_pdf_writes_counts_whole_and_p_values_with_three_decimals(demo):
    report = build_report_for(demo, period=YEAR)
    lines = pdf_text(report).splitlines()  # a table row reads as its label, then its value
    rows = [line for line in lines if not line.endswith(".")]  # not the notes
    counts = [line for line in rows if line.startswith("Deltagare med minst två skattningar ")]
    p_values = [line for line in rows if line.startswith("p-värde, ")]
    assert counts and p_values
    assert [line for line in counts
            if not re.fullmatch(r"Deltagare med minst två skattningar (\d+|<\d+)", line)] == []
    assert [line for line in p_values
            if not re.fullmatch(r"p-värde, .+ (< 0,001|\d,\d{3}|<\d+)", line)] == []


def test_the_pdf_breaks_headings_and_row_labels_between_words_only(demo):
    """A word breaks only where it may: between words, or after a slash or hyphen in a
    word too long for its column ("Sjukpenning/" above "rehabiliteringspenning")."""
    report = build_report_for(demo, period=YEAR)
    text = pdf_text(report)
    labels = [label for table in report.tables
              for label in [*(column.label for column in table.columns),
                            *(row.label for row in table.rows)]]
    # a number among the words ("Varaktighet 25 %") is found beside other figures too
    words = {word for label in labels for word in label.split()
             if len(word) > 1 and not word.isdigit()}
    assert "Sjukpenning/rehabiliteringspenning" in words  # a long one is among them
    broken = [f"{word[:cut]} {word[cut:]}" for word in sorted(words)
              for cut in range(1, len(word)) if word[cut - 1] not in "/-"
              if re.search(rf"(?<!\w){re.escape(word[:cut])}\s+{re.escape(word[cut:])}(?!\w)",
                           text)]
    assert broken == []


NNS4 = {"gemensamma-mal": ("4", "3", "3", "2", "1", "0", "4"),
        "mandat": ("1", "2", "2", "3", "0", "0", "4")}


def test_a_year_of_anonymous_staff_answers_reaches_the_forbund_report(make_response, forbund):
    """NNS personal, answered through an utskick to the whole förbund (no insats): the
    förbund report shows each item's positive share and n, vet ej apart, with last year."""
    for index in range(7):
        make_response("nns-personal", {item: values[index] for item, values in NNS4.items()},
                      timepoint="arlig", answered_on=dt.date(2025, 3, 10),
                      about_the_forbund=True, source=ResponseSource.LINK)
    for value in ("1", "1", "4", "3", "2"):
        make_response("nns-personal", {"gemensamma-mal": value}, timepoint="arlig",
                      answered_on=dt.date(2024, 3, 10), about_the_forbund=True,
                      source=ResponseSource.LINK)
    report = build_report_for(forbund, period=YEAR)
    table = report.table("nns-personal")
    goals_row = table.row_about("gemensamma-mal").label
    # 4, 3, 3, 4 positive of the six that are not "vet ej" (0)
    assert table.figure(goals_row, "n").value == 6
    assert table.figure(goals_row, "andel").value == pytest.approx(4 / 6)
    assert table.figure(goals_row, "vet-ej").shown == "<5"
    assert table.figure(goals_row, "andel-foregaende").value == pytest.approx(2 / 5)
    mandate = table.row_about("mandat").label
    assert table.figure(mandate, "n").value == 5  # two said "vet ej"
    assert table.figure(mandate, "andel").value == pytest.approx(2 / 5)
    coverage = report.sections["coverage"]["instruments"]
    assert {"instrument": "nns-personal", "responses": 7, "left_out": 0}.items() <= next(
        r for r in coverage if r["instrument"] == "nns-personal").items()


def test_an_insats_report_leaves_the_forbund_wide_answers_out(make_response, forbund, insats):
    make_response("nns-personal", {"gemensamma-mal": "4"}, timepoint="arlig",
                  about_the_forbund=True, source=ResponseSource.LINK)
    report = build_report_for(forbund, insats, period=YEAR)
    assert "nns-personal" not in {table.id for table in report.tables}


def test_answers_without_an_enrolment_are_said_in_every_format(make_response, make_participant,
                                                                forbund, insats):
    """Six deltagare rated with ORS in an insats where nobody was enrolled: their
    courses count, and every format says so."""
    for _ in range(6):
        person = make_participant()
        for session, day in ((1, dt.date(2025, 2, 3)), (2, dt.date(2025, 5, 5))):
            make_response("ors", dict.fromkeys(
                ("individuellt", "nara-relationer", "socialt", "allmant"), "5.0"),
                participant=person, timepoint=f"session-{session}", answered_on=day)
    report = build_report_for(forbund, insats, period=YEAR)
    said = ("6 deltagare har svar men ingen inskrivning under perioden i insatsen där de "
            "svarade (12 svar).")
    assert report.table("ors-total-prepost").figure(
        "Deltagare med minst två skattningar", "varde").value == 6
    assert json.loads(render(report, "json"))["coverage"]["statements"] == [said]
    assert said in render(report, "html").decode()
    assert said in pdf_text(report).replace("\n", " ")
    workbook = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    cells = {str(cell.value) for sheet in workbook for row in sheet.iter_rows()
             for cell in row if cell.value}
    assert any(said in cell for cell in cells)


def test_an_utskick_to_the_styrelse_gives_its_shares_and_its_response_rate(sent_campaign,
                                                                             forbund):
    """Eight members mailed, six answer through their links: the förbund report of the
    year has the survey's shares and the utskick's response rate."""
    campaign, tokens = sent_campaign(addresses(8), "nns-styrelse")
    for token, value in zip(tokens[:6], "443321", strict=True):
        answer(token, value)
    today = local_today()
    report = build_report_for(forbund, period=Period(today.replace(month=1, day=1),
                                                     today.replace(month=12, day=31)))
    shares = report.table("nns-styrelse")
    first = shares.rows[0].label
    assert shares.figure(first, "n").value == 6
    assert shares.figure(first, "andel").value == pytest.approx(4 / 6)  # 4, 4, 3, 3
    reach = report.table("svarsfrekvens")
    title = campaign.instrument_version.instrument_id
    row = reach.row(resolve_instrument(title).title.get("sv"))
    assert [figure.shown for figure in row.figures[:4]] == [1, 8, 6, pytest.approx(0.75)]
