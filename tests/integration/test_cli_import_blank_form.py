"""`enkat import responses` of paper forms, through the installed console script: a form
left blank (every value of its response empty) is refused on its line in Swedish and
nothing of the file is imported; a form with some questions left blank imports with the
others answered."""

from __future__ import annotations

import csv
import io

from enkat.services.answering.tidy_import import nothing_answered
from tests.unit.formats.tidy_files import NNS, csv_bytes, rows

from .command_line import enkat, succeeded

#: Two paper forms of one day: the second left blank.
PAPER_FORMS = csv_bytes(
    *rows("blankett-1", NNS, {"q1": "5", "q2": "", "q6": "6"}, forbund="prov",
          timepoint="pagaende"),
    *rows("blankett-2", NNS, {"q1": "", "q2": "", "q6": ""}, forbund="prov",
          timepoint="pagaende"),
)


def test_a_blank_paper_form_is_refused_on_its_line_and_nothing_is_imported(
        own_database_url, tmp_path):
    (tmp_path / "blanketter.csv").write_bytes(PAPER_FORMS)
    succeeded(enkat(own_database_url, tmp_path, "db", "upgrade"))

    refused = enkat(own_database_url, tmp_path, "import", "responses", "blanketter.csv",
                    "--create-missing")

    assert refused.returncode == 1
    assert refused.stderr == ("Fel: inget importerades: 1 problem i filen\n"
                              f"rad 5, kolumn value: {nothing_answered('blankett-2')}\n")
    succeeded(enkat(own_database_url, tmp_path, "export", "responses", "-o", "alla.csv"))
    assert len((tmp_path / "alla.csv").read_text(encoding="utf-8").splitlines()) == 1


def test_a_form_with_questions_left_blank_imports_with_the_others(own_database_url, tmp_path):
    (tmp_path / "blankett.csv").write_bytes(csv_bytes(*rows(
        "blankett-1", NNS, {"q1": "5", "q2": "", "q6": "6"}, forbund="prov",
        timepoint="pagaende")))
    succeeded(enkat(own_database_url, tmp_path, "db", "upgrade"))

    imported = succeeded(enkat(own_database_url, tmp_path, "import", "responses",
                               "blankett.csv", "--create-missing"))

    assert imported.startswith("importerade 1 svar")
    exported = succeeded(enkat(own_database_url, tmp_path, "export", "responses"))
    assert [(row["item"], row["value"]) for row in csv.DictReader(io.StringIO(exported))] == [
        ("q1", "5"), ("q6", "6")]
