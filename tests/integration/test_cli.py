"""The `enkat` command, run against the test app's database."""

from __future__ import annotations

import json
import shutil

import pytest
from flask.cli import ScriptInfo

from enkat.cli import cli
from enkat.instruments import bundled_directory
from enkat.services import organisation


@pytest.fixture
def enkat(app, db_session):
    from click.testing import CliRunner

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app),
                                  input=input)

    return run


def test_bundled_instruments_pass_the_check(enkat):
    result = enkat("instruments", "check")
    assert result.exit_code == 0, result.output
    assert "no errors" in result.output


def test_a_broken_instrument_fails_the_check_with_its_problem(enkat, tmp_path):
    broken = json.loads((bundled_directory() / "ors.json").read_text(encoding="utf-8"))
    broken["items"][2]["type"] = "ordinal"
    broken["items"][2]["scale"] = "vas10"
    broken["items"][2].pop("anchors")
    path = tmp_path / "ors.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = enkat("instruments", "check", str(path))
    assert result.exit_code == 1
    assert f'{path} /items/2/scale: unknown scale "vas10"' in result.output


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
    user = organisation.find_user("admin@norr.example")
    assert [(m.forbund.slug, m.role.value) for m in user.memberships] == [("norr", "admin")]


def test_refusals_are_one_clear_line_and_exit_1(enkat):
    result = enkat("create-user", "--email", "a@b.example", "--role", "admin",
                   "--forbund", "finns-inte", input="ett-långt-lösenord\nett-långt-lösenord\n")
    assert result.exit_code == 1
    assert 'Error: unknown förbund "finns-inte"' in result.output


def test_export_of_an_unknown_insats_is_refused(enkat, forbund):
    result = enkat("export", "responses", "--forbund", forbund.slug, "--insats", "okand")
    assert result.exit_code == 1
    assert 'unknown insats "okand"' in result.output
