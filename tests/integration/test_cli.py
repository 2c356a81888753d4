"""The `enkat` command, run against the test app's database."""

from __future__ import annotations

import getpass
import json

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.instruments import bundled_directory
from enkat.models import AuditEvent
from enkat.services.people.users import find_user


def test_bundled_instruments_pass_the_check(enkat):
    result = enkat("instruments", "check")
    assert result.exit_code == 0, result.output
    assert "1 sökväg kontrollerad: inga fel" in result.output


def test_a_broken_instrument_fails_the_check_with_its_problem(enkat, tmp_path):
    broken = json.loads((bundled_directory() / "ors.json").read_text(encoding="utf-8"))
    broken["items"][2]["type"] = "ordinal"
    broken["items"][2]["scale"] = "vas10"
    broken["items"][2].pop("anchors")
    path = tmp_path / "ors.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = enkat("instruments", "check", str(path))
    assert result.exit_code == 1
    assert f'{path} /items/2/scale: skalan "vas10" finns inte' in result.output


def test_instruments_list_names_every_bundled_instrument(enkat):
    result = enkat("instruments", "list")
    assert result.exit_code == 0, result.output
    for instrument_id in ("nns-deltagare-pagaende", "ors", "srs", "skapa", "finsam-inskrivning",
                          "processtrappan"):
        assert instrument_id in result.output


def test_create_forbund_and_first_administrator(enkat):
    assert enkat("create-forbund", "--slug", "norr", "--name", "Samordningsförbundet Norr"
                 ).exit_code == 0
    result = enkat("create-user", "--email", "Admin@Norr.example", "--role", "admin",
                   "--forbund", "norr", input="ett-långt-lösenord\nett-långt-lösenord\n")
    assert result.exit_code == 0, result.output
    user = find_user("admin@norr.example")
    assert [(m.forbund.slug, m.role.value) for m in user.memberships] == [("norr", "admin")]


def test_a_second_forbund_with_the_same_slug_is_refused_in_swedish(enkat, forbund):
    result = enkat("create-forbund", "--slug", forbund.slug, "--name", "Ett annat förbund")
    assert result.exit_code == 1
    assert result.output == f'Fel: förbundet "{forbund.slug}" finns redan\n'


@pytest.mark.parametrize("weak", ["0000000000", "aaaaaaaaaa", "1234567890", "qwertyuiop"])
def test_create_user_refuses_a_weak_password_in_swedish(enkat, forbund, weak):
    result = enkat("create-user", "--email", "ny@norr.example", "--role", "admin",
                   "--forbund", forbund.slug, input=f"{weak}\n{weak}\n")
    assert result.exit_code == 1
    assert "Lösenordet är för lätt att gissa" in result.output
    assert find_user("ny@norr.example") is None


def test_refusals_are_one_clear_line_and_exit_1(enkat):
    result = enkat("create-user", "--email", "a@b.example", "--role", "admin",
                   "--forbund", "finns-inte", input="ett-långt-lösenord\nett-långt-lösenord\n")
    assert result.exit_code == 1
    assert 'Fel: okänt förbund "finns-inte"' in result.output


def test_export_of_an_unknown_insats_is_refused(enkat, forbund):
    result = enkat("export", "responses", "--forbund", forbund.slug, "--insats", "okand")
    assert result.exit_code == 1
    assert 'okänd insats "okand"' in result.output


def test_check_reports_every_broken_instrument_of_the_corpus(enkat, repo_root, monkeypatch):
    """`enkat instruments check` on the corpus prints exactly the expected problem lines."""
    corpus = repo_root / "tests" / "unit" / "instruments" / "broken"
    expected = [line for line in (corpus / "expected.txt").read_text(encoding="utf-8")
                .splitlines() if line and not line.startswith("#")]
    monkeypatch.chdir(corpus.parent)
    result = enkat("instruments", "check", "broken")
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines()
               if line.startswith("broken/") and ": varning: " not in line]
    assert sorted(printed) == sorted(expected)
    assert len({line.split(" ")[0] for line in printed}) >= 15


def test_import_then_export_through_the_command(enkat, forbund, insats, tmp_path):
    from tests.integration.services.tidy import csv_bytes, rows

    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes(
        *rows("r1", "finsam-inskrivning", {"kon": "man", "forsorjning": ["a-kassa", "lon"]},
              participant="KX4T9M", timepoint="start", answered_on="2025-01-15"),
        *rows("r2", "ors", {"individuellt": "4.0", "nara-relationer": "5.5", "socialt": "3.0",
                            "allmant": "6.1"},
              participant="KX4T9M", timepoint="session-1", answered_on="2025-01-20"),
    ))
    result = enkat("import", "responses", str(source), "--forbund", forbund.slug)
    assert result.exit_code == 0, result.output
    assert "importerade 2 svar (0 fanns redan), 1 ny deltagare" in result.output
    target = tmp_path / "out.csv"
    result = enkat("export", "responses", "--forbund", forbund.slug, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == source.read_bytes()


def test_a_failed_import_prints_each_problem_and_writes_nothing(enkat, forbund, insats, tmp_path):
    from tests.integration.services.tidy import csv_bytes, rows, table_counts

    before = table_counts()
    source = tmp_path / "bad.csv"
    source.write_bytes(csv_bytes(
        *rows("r1", "nns-deltagare-pagaende", {"q1": "7", "q2": "5"}, timepoint="pagaende"),
        *rows("r2", "ors", {"individuellt": "11"}, participant="KX4T9M", timepoint="session-1"),
    ))
    result = enkat("import", "responses", str(source), "--forbund", forbund.slug)
    assert result.exit_code == 1
    assert result.output.startswith("Fel: inget importerades: 5 problem i filen\n")
    assert 'rad 2, kolumn value, fråga q1: "7" är inget av' in result.output
    assert 'rad 4, kolumn value, fråga individuellt: "11" ligger utanför 0–10' in result.output
    assert table_counts() == before


def test_report_of_the_demo_in_every_format(enkat, tmp_path):
    assert enkat("demo").exit_code == 0
    for format, signature in (("json", b"{"), ("xlsx", b"PK"), ("html", b"<!doctype"),
                              ("pdf", b"%PDF"), ("docx", b"PK")):
        target = tmp_path / f"rapport.{format}"
        result = enkat("report", "--insats", "halsolotsen", "--from", "2025-01-01",
                       "--to", "2025-12-31", "--format", format, "-o", str(target))
        assert result.exit_code == 0, result.output
        assert target.read_bytes()[:9].lower().startswith(signature.lower())


def test_report_refuses_a_period_that_ends_before_it_starts(enkat, forbund):
    result = enkat("report", "--forbund", forbund.slug, "--from", "2025-06-01",
                   "--to", "2025-01-01")
    assert result.exit_code == 2
    assert "perioden slutar (2025-01-01) innan den börjar (2025-06-01)" in result.output


def test_a_deltagare_is_exported_then_erased_from_the_command_line(enkat, forbund, insats,
                                                                    make_participant,
                                                                    make_response):
    person = make_participant("RATT-1")
    ors = {"individuellt": "3.0", "nara-relationer": "4.0", "socialt": "5.0", "allmant": "6.0"}
    make_response("ors", ors, participant=person, timepoint="session-1")
    exported = enkat("deltagare", "export", "ratt-1", "--forbund", forbund.slug)
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["responses"][0]["answers"] == {
        item: [value] for item, value in ors.items()}
    refused = enkat("deltagare", "erase", "RATT-1", "--forbund", forbund.slug, input="n\n")
    assert refused.exit_code == 1
    erased = enkat("deltagare", "erase", "RATT-1", "--forbund", forbund.slug, "--yes")
    assert erased.exit_code == 0 and "raderade RATT-1 och 1 svar" in erased.output
    gone = enkat("deltagare", "export", "RATT-1", "--forbund", forbund.slug)
    assert gone.exit_code == 1 and 'okänd deltagare "RATT-1"' in gone.output


def test_purge_says_what_it_deleted(enkat):
    result = enkat("purge")
    assert result.exit_code == 0, result.output
    assert ("raderade 0 utkast, 0 länkar, 0 kiosker, 0 länkar för nytt lösenord, "
            "0 avslutade inloggningar, 0 förberedda filer; stängde 0 utskick och raderade "
            "deras adresser"
            in result.output)


def test_exports_imports_and_reports_are_audited_with_the_os_user(enkat, forbund, insats,
                                                                  make_forbund, tmp_path):
    from tests.integration.services.tidy import csv_bytes, rows

    other = make_forbund("annat", "Samordningsförbundet Annat")
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes(*rows("r1", "nns-personal", {"gemensamma-mal": "4"},
                                       timepoint="arlig", insats="")))
    assert enkat("import", "responses", str(source), "--forbund", forbund.slug).exit_code == 0
    assert enkat("import", "responses", str(source), "--forbund", forbund.slug).exit_code == 0
    target = tmp_path / "out.csv"
    assert enkat("export", "responses", "--forbund", forbund.slug, "--from", "2025-01-01",
                 "-o", str(target)).exit_code == 0
    assert enkat("export", "responses", "-o", str(target)).exit_code == 0
    report = tmp_path / "rapport.json"
    assert enkat("report", "--insats", insats.slug, "--from", "2025-01-01", "--to",
                 "2025-12-31", "--format", "json", "-o", str(report)).exit_code == 0
    failed = enkat("export", "responses", "--forbund", "finns-inte", "-o", str(target))
    assert failed.exit_code == 1

    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.forbund_id, AuditEvent.user_id, AuditEvent.subject,
               AuditEvent.detail)
        .where(AuditEvent.action.like("command-%")).order_by(AuditEvent.id)).all()
    me = {"os_user": getpass.getuser()}
    assert events == [
        ("command-import", forbund.id, None, str(source), {**me, "responses": 1}),
        ("command-import", forbund.id, None, str(source), {**me, "responses": 0}),
        ("command-export", forbund.id, None, str(target),
         {**me, "insats": None, "from": "2025-01-01", "to": None, "rows": 1}),
        # without --forbund, every förbund's data left: each förbund's log says so
        ("command-export", other.id, None, str(target),
         {**me, "insats": None, "from": None, "to": None, "rows": 1}),
        ("command-export", forbund.id, None, str(target),
         {**me, "insats": None, "from": None, "to": None, "rows": 1}),
        ("command-report", forbund.id, None, str(report),
         {**me, "insats": insats.slug, "from": "2025-01-01", "to": "2025-12-31",
          "format": "json", "horizon": 12, "deadweight": 0.0}),
    ]
