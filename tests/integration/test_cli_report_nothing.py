"""`enkat report` of a period with nothing to report, through the installed console
script: no file to read is written (the rule of the results page and the worker,
`services.results.reports.report_refusal`), the refusal is said in Swedish on standard
error with exit 1, and the JSON, for programs, is still written. A quarter in which
nobody answered but a deltagare was enrolled is a report to file, in every format."""

from __future__ import annotations

import json

import pytest

from enkat.services.results.reports import NOTHING_TO_REPORT
from tests.databases import empty_database
from tests.unit.formats.tidy_files import csv_bytes, rows

from .command_line import enkat, succeeded

#: Nothing had happened yet in 2024: the inskrivning below is in November 2025.
YEAR_BEFORE = ("--from", "2024-01-01", "--to", "2024-12-31")
#: Nobody answered in 2026's first quarter, but KX4T9M was enrolled all through it.
QUARTER_WITHOUT_ANSWERS = ("--from", "2026-01-01", "--to", "2026-03-31")
FILES_TO_READ = ("xlsx", "html", "pdf", "docx")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def one_enrolment(request, tmp_path_factory) -> str:
    """A förbund whose one deltagare was enrolled in its insats on 2025-11-10, set up once
    per database through the console script: the reports only read it (and each records
    its audit event, which no test here reads)."""
    folder = tmp_path_factory.mktemp("one-enrolment")
    url = empty_database(request, folder, "enkat_one_enrolment")
    (folder / "svar.csv").write_bytes(csv_bytes(*rows(
        "r1", "finsam-inskrivning", {"kon": "kvinna", "forsorjning": "a-kassa"},
        forbund="prov", participant="KX4T9M", timepoint="start", answered_on="2025-11-10")))
    for command in (("db", "upgrade"),
                    ("create-forbund", "--slug", "prov", "--name", "Samordningsförbundet Prov"),
                    ("import", "responses", "svar.csv", "--create-missing")):
        succeeded(enkat(url, folder, *command))
    return url


@pytest.mark.parametrize("file_format", FILES_TO_READ)
def test_a_period_with_nothing_to_report_writes_no_file_to_read_and_says_why(
        one_enrolment, tmp_path, file_format):
    result = enkat(one_enrolment, tmp_path, "report", "--forbund", "prov", *YEAR_BEFORE,
                   "--format", file_format, "-o", f"rapport.{file_format}")

    assert result.returncode == 1
    assert result.stderr == f"Fel: {NOTHING_TO_REPORT}\n"
    assert result.stdout == ""
    assert not (tmp_path / f"rapport.{file_format}").exists()


def test_the_json_of_a_period_with_nothing_to_report_is_written_for_programs(
        one_enrolment, tmp_path):
    """A script that asks for every year gets a JSON for each: for 2024 its subject and
    period, and only the assumptions it was built under."""
    written = succeeded(enkat(one_enrolment, tmp_path, "report", "--forbund", "prov",
                              *YEAR_BEFORE, "--format", "json"))

    report = json.loads(written)
    assert (report["forbund"]["slug"], report["from"], report["to"]) == (
        "prov", "2024-01-01", "2024-12-31")
    assert [table["id"] for table in report["tables"]] == ["samhallsnytta-antaganden"]


def test_a_quarter_without_answers_but_with_a_deltagare_is_a_report_to_file(
        one_enrolment, tmp_path):
    for file_format in FILES_TO_READ:
        succeeded(enkat(one_enrolment, tmp_path, "report", "--insats", "steget",
                        *QUARTER_WITHOUT_ANSWERS, "--format", file_format,
                        "-o", f"rapport.{file_format}"))
        assert (tmp_path / f"rapport.{file_format}").stat().st_size > 0
