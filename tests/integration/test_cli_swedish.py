"""The installed `enkat` command speaks Swedish, Click's own words included (usage lines,
help sections, refusals), whatever the terminal's language; exit codes are Click's."""

from __future__ import annotations

import io
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from enkat.cli import cli
from enkat.cli_language import (
    BORROWED_COMMANDS,
    BORROWED_OPTIONS,
    CLICK_DOMAIN,
    CLICK_TRANSLATIONS,
    OPTIONS_METAVAR,
)

from .command_line import enkat

ENGLISH = ("Usage:", "Options:", "Commands:", "Error:", "Try '", "Missing", "No such",
           "Invalid value", "Show this message", "required]", "default:")
TERMINALS = [{}, {"LANG": "en_US.UTF-8", "LANGUAGE": "en"}, {"LC_ALL": "C", "LANGUAGE": ""}]


def run(tmp_path: Path, *args: str, language: dict[str, str] | None = None):
    return enkat(f"sqlite:///{tmp_path / 'enkat.sqlite'}", tmp_path, *args, language=language)


def said(result) -> str:
    """What the command printed, with no English word of Click's in it."""
    printed = result.stdout + result.stderr
    assert not [word for word in ENGLISH if word in printed], printed
    return printed


@pytest.mark.parametrize("language", TERMINALS)
def test_the_help_of_the_command_is_swedish_in_any_terminal(tmp_path, language):
    result = run(tmp_path, "--help", language=language)
    assert result.returncode == 0
    printed = said(result)
    assert printed.startswith("Användning: enkat [FLAGGOR] KOMMANDO [ARGUMENT]...")
    for words in ("\nFlaggor:\n", "\nKommandon:\n", "Visa den här hjälpen och avsluta.",
                  "  report          Skriv rapporten för en insats eller ett helt förbund"):
        assert words in printed


def test_the_help_of_a_subcommand_is_swedish(tmp_path):
    result = run(tmp_path, "report", "--help")
    assert result.returncode == 0
    printed = said(result)
    assert printed.startswith("Användning: enkat report [FLAGGOR]")
    for words in ("--from DATUM", "Första dagen (ÅÅÅÅ-MM-DD).  [obligatorisk]",
                  "[standard: json]", "-o, --output FIL"):
        assert words in printed


@pytest.mark.parametrize(("arguments", "refusal"), [
    (("report", "--frm", "2025-01-01"),
     "Fel: Flaggan '--frm' finns inte. (Menade du något av: '--format', '--from'?)"),
    (("report", "--forbund", "test", "--to", "2025-12-31"), "Fel: Saknar flaggan '--from'."),
    (("report", "--forbund", "test", "--from", "2025-13-01", "--to", "2025-12-31"),
     """Fel: Ogiltigt värde för '--from': "2025-13-01" är inget datum (ÅÅÅÅ-MM-DD)"""),
    (("reprt",), "Fel: Kommandot 'reprt' finns inte."),
    (("create-user", "--email", "a@b.example", "--role", "chef", "--forbund", "test"),
     "Fel: Ogiltigt värde för '--role': 'chef' är inte något av "),
    (("forbund", "threshold", "--forbund", "test", "--value", "fem"),
     "Fel: Ogiltigt värde för '--value': 'fem' är inget giltigt tal."),
    (("import", "responses", "finns-inte.csv"),
     "Fel: Ogiltigt värde för 'FIL': Filen 'finns-inte.csv' finns inte."),
    (("export", "responses", "-o", "saknas/svar.csv"),
     "Fel: Ogiltigt värde för '-o' / '--output': Katalogen 'saknas' finns inte."),
])
def test_a_wrong_command_line_is_refused_in_swedish_with_exit_2(tmp_path, arguments, refusal):
    result = run(tmp_path, *arguments, language={"LANG": "en_US.UTF-8"})
    assert result.returncode == 2
    printed = said(result)
    assert refusal in printed
    assert "--help' för hjälp." in printed


def test_the_catalogue_has_every_message_click_can_say():
    """A Click upgrade that words a new message fails here until it has its Swedish."""
    click_source = Path(click.__file__).parent
    wanted = {found[2] for found in extract_from_dir(
        str(click_source), keywords={"_": None, "ngettext": (1, 2)})}
    folder = CLICK_TRANSLATIONS / "sv" / "LC_MESSAGES"
    with open(folder / f"{CLICK_DOMAIN}.po", "rb") as po:
        catalogue = read_po(po)
    translated = {message.id for message in catalogue
                  if message.id and all(_as_tuple(message.string)) and not message.fuzzy}
    assert {_as_tuple(message)[0] for message in wanted} - {
        _as_tuple(message)[0] for message in translated} == set()
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert (folder / f"{CLICK_DOMAIN}.mo").read_bytes() == compiled.getvalue(), (
        "run pybabel compile -D click -d enkat/cli_translations -l sv")


def _as_tuple(message) -> tuple:
    return message if isinstance(message, tuple) else (message,)


def test_every_command_and_option_says_in_swedish_what_it_is_for():
    """enkat's own commands word their help in enkat/cli.py; those borrowed from Flask and
    Flask-Migrate (and Flask's options of `enkat`) take theirs from enkat/cli_language.py,
    which must know each of them, a library upgrade's new ones included."""
    own = {name for name in cli.commands if name not in ("db", "routes", "shell")}
    for path, command in _every_command(cli, ""):
        assert command.help and command.options_metavar == OPTIONS_METAVAR, path
        options = [param for param in command.params if isinstance(param, click.Option)]
        assert [option.name for option in options if not option.help] == [], path
        if path and path.split()[0] not in own:
            assert path in BORROWED_COMMANDS, path
            assert {option.name for option in options} <= BORROWED_OPTIONS.keys(), path
    assert {param.name for param in cli.params} <= BORROWED_OPTIONS.keys()


def _every_command(command: click.Command, path: str):
    yield path, command
    for name, subcommand in getattr(command, "commands", {}).items():
        yield from _every_command(subcommand, f"{path} {name}".strip())
