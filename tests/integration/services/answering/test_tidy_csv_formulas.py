"""Formula injection (OWASP "CSV Injection"): an answer that a spreadsheet would run as a
formula leaves enkat as text, in the tidy CSV of `enkat export responses` and of the
results page, and comes back unchanged through `enkat import responses`."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Answer, Role
from enkat.services.answering.tidy_import import import_responses
from enkat.services.organisation.forbund import get_forbund
from enkat.services.results.answer_exports import AnswerFilter, export_responses, tidy_xlsx
from tests.integration.web.test_auth import sign_in
from tests.unit.formats.formulas import GENUINE, PAYLOADS, runnable

from ..tidy import csv_bytes, rows, with_forbund

D = dt.date


@pytest.fixture
def hostile(forbund, make_response):
    """A personal survey whose free-text answers are the payloads, one response each."""
    for number, value in enumerate(PAYLOADS + GENUINE):
        make_response("nns-personal", {"synpunkter": value}, timepoint="arlig",
                      answered_on=D(2025, 10, 1), external_id=f"p-{number:02}")
    return forbund


def stored_answers() -> list[str]:
    return sorted(db.session.scalars(select(Answer.value).where(Answer.item_id == "synpunkter")))


def exported(**filters) -> str:
    out = io.StringIO()
    export_responses(out, **filters)
    return out.getvalue()


def test_export_neutralises_every_payload_and_import_restores_it(hostile, db_session):
    stored = stored_answers()
    assert "=cmd|' /C calc'!A0" in stored and "=1" in stored  # tab and CR: stripped as typed
    text = exported(forbund=hostile)
    assert runnable(text) == []
    assert "p-00,test,steget,,nns-personal,1,arlig,2025-10-01,synpunkter,'=cmd|' /C calc'!A0" \
        in text.splitlines()

    same = import_responses(text.encode())
    assert same.responses_unchanged == len(PAYLOADS + GENUINE) and same.responses_created == 0

    copied = with_forbund(text, "kopia")
    assert import_responses(copied, create_missing=True).responses_created == len(stored)
    again = exported(forbund=get_forbund("kopia"))
    assert again.encode() == copied
    assert sorted(db.session.scalars(
        select(Answer.value).where(Answer.item_id == "synpunkter"))) == sorted(stored * 2)


def test_a_response_id_that_looks_like_a_formula_is_neutralised(forbund, insats):
    import_responses(csv_bytes(*rows("@SUM(1+1)", "nns-personal", {"gemensamma-mal": "4"},
                                     timepoint="arlig", insats="")))
    text = exported(forbund=forbund)
    assert text.splitlines()[1].startswith("'@SUM(1+1),test,,")
    assert import_responses(text.encode()).responses_unchanged == 1


NUMBERS = {
    "format": 1, "id": "temperatur", "version": 1,
    "title": {"sv": "Temperatur"},
    "audience": "personal", "rated_by": "self", "anonymous": True, "languages": ["sv"],
    "timepoints": ["dag"],
    "source": {"owner": "Samordningsförbundet Test", "licence": "own", "verified": "own"},
    "items": [{"id": "grader", "type": "number", "min": -40, "max": 40, "decimals": 1,
               "text": {"sv": "Hur kallt var det ute?"}}],
}


def test_a_negative_number_answer_stays_a_number(app, forbund, tmp_path, monkeypatch):
    (tmp_path / "temperatur.json").write_text(json.dumps(NUMBERS), encoding="utf-8")
    monkeypatch.setitem(app.config, "INSTRUMENTS_DIR", str(tmp_path))
    import_responses(csv_bytes(*rows("t1", "temperatur", {"grader": "-12.5"}, timepoint="dag",
                                     insats="")), forbund_slug="test")
    text = exported(forbund=forbund)
    assert text.splitlines()[1] == "t1,test,,,temperatur,1,dag,2025-03-03,grader,-12.5"
    assert import_responses(text.encode()).responses_unchanged == 1


def test_the_workbook_keeps_every_payload_as_text(hostile):
    workbook = load_workbook(io.BytesIO(tidy_xlsx(AnswerFilter(hostile))[0]))
    cells = [row[9] for row in workbook["Svar"].iter_rows(min_row=2)]
    assert sorted(cell.value for cell in cells) == stored_answers()
    assert {cell.data_type for cell in cells} == {"s"}


def test_the_download_and_the_command_write_the_same_neutral_file(client, hostile, make_user,
                                                                  enkat, tmp_path):  # noqa: F811
    sign_in(client, make_user(Role.ADMIN).email)
    downloaded = client.get("/forbund/svar.csv?ar=2025")
    assert downloaded.status_code == 200
    assert runnable(downloaded.get_data(as_text=True)) == []
    target = tmp_path / "svar.csv"
    result = enkat("export", "responses", "--forbund", "test", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == downloaded.data
    stored = stored_answers()

    back = enkat("import", "responses", str(target), "--forbund", "test")
    assert back.exit_code == 0, back.output
    assert f"importerade 0 svar ({len(stored)} fanns redan)" in back.output
    copy = tmp_path / "kopia.csv"
    copy.write_bytes(with_forbund(target.read_text(encoding="utf-8"), "kopia"))
    assert enkat("import", "responses", str(copy), "--create-missing").exit_code == 0
    again = tmp_path / "igen.csv"
    assert enkat("export", "responses", "--forbund", "kopia", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == copy.read_bytes()
