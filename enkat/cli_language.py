"""The `enkat` command speaks Swedish: Click's own words and the help of the commands and
options it borrows from Flask and Flask-Migrate.

enkat's own commands word their help and output in Swedish in enkat/cli.py. What is left
is said by the libraries: Click's usage lines, help sections and refusals (through gettext,
from enkat's Swedish catalogue of them in enkat/cli_translations), the words Click puts in
a usage line without asking gettext ("[OPTIONS]", "COMMAND [ARGS]..."), and the help of
Flask's options (--env-file, --app, --debug, --version), its `routes` and `shell`
commands and Flask-Migrate's `db` commands, which are set here on copies of them.
"""

from __future__ import annotations

import copy
import gettext
import os
from pathlib import Path

import click

CLICK_DOMAIN = "click"
CLICK_TRANSLATIONS = Path(__file__).with_name("cli_translations")

OPTIONS_METAVAR = "[FLAGGOR]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."

#: The help of each borrowed command, by its place under `enkat`.
BORROWED_COMMANDS = {
    "routes": "Visa webbplatsens vägar med deras ändpunkter och metoder.",
    "shell": "Starta ett Python-skal med enkat-applikationen inläst.",
    "db": "Migrera databasen (Alembic genom Flask-Migrate).",
    "db branches": "Visa var versionerna förgrenar sig.",
    "db check": "Kontrollera om modellerna har ändringar som saknar migrering.",
    "db current": "Visa databasens nuvarande version.",
    "db downgrade": "Gå tillbaka till en tidigare version.",
    "db edit": "Redigera en versionsfil.",
    "db heads": "Visa de senaste versionerna i migreringskatalogen.",
    "db history": "Lista versionerna i tidsordning.",
    "db init": "Skapa en ny migreringskatalog.",
    "db list-templates": "Lista mallarna för en migreringskatalog.",
    "db merge": "Slå ihop två versioner i en ny versionsfil.",
    "db migrate": "Skapa en ny versionsfil ur modellerna (samma som 'revision --autogenerate').",
    "db revision": "Skapa en ny versionsfil.",
    "db show": "Visa versionen som anges.",
    "db stamp": "Skriv in versionen i versionstabellen utan att köra några migreringar.",
    "db upgrade": "Uppgradera till en senare version.",
}

#: The help of the options of the borrowed commands and of Flask's own options of `enkat`,
#: by the option's name.
BORROWED_OPTIONS = {
    "env_file": "Läs miljövariabler från den här filen; de går före dem i '.env' och "
                "'.flaskenv', och variabler som redan är satta går före båda.",
    "app": "Flask-applikationen eller funktionen som skapar den, som 'modul:namn' "
           "(enkat hittar sin egen utan den).",
    "debug": "Slå på eller av felsökningsläget.",
    "version": "Visa versionerna av Python, Flask och Werkzeug.",
    "sort": "Hur vägarna sorteras; 'match' är ordningen som Flask prövar dem i.",
    "all_methods": "Visa också metoderna HEAD och OPTIONS.",
    "directory": 'Katalogen med migreringarna (standard: "migrations").',
    "x_arg": "Fler argument till egna env.py-skript.",
    "verbose": "Skriv ut mer.",
    "sql": "Kör inte SQL mot databasen utan skriv ut den.",
    "tag": "En etikett som egna env.py-skript kan läsa.",
    "purge": "Töm tabellen alembic_version innan versionen skrivs in.",
    "resolve_dependencies": "Räkna versioner som det finns beroenden till som tidigare "
                            "versioner.",
    "rev_range": "Ett intervall av versioner: [start]:[slut].",
    "indicate_current": "Markera den nuvarande versionen.",
    "multidb": "Stöd för flera databaser.",
    "template": 'Mallen för katalogen (standard: "flask").',
    "package": "Skriv tomma __init__.py-filer i miljöns och versionernas kataloger.",
    "message": "Meddelandet för den nya versionen.",
    "autogenerate": "Fyll versionen med ändringarna mellan databasen och modellerna.",
    "head": "Versionen (eller <gren>@head) som den nya versionen bygger på.",
    "splice": "Tillåt att bygga på en version som inte är den senaste.",
    "branch_label": "En grenetikett för den nya versionen.",
    "version_path": "Katalogen ur konfigurationen som versionsfilen skrivs i.",
    "rev_id": "Ett bestämt versions-id i stället för ett som skapas.",
}

#: What the value of an option is called in the help, by the option's name.
BORROWED_METAVARS = {
    "env_file": "FIL", "app": "MODUL:NAMN", "directory": "KATALOG", "x_arg": "ARGUMENT",
    "tag": "ETIKETT", "template": "MALL", "message": "MEDDELANDE", "head": "VERSION",
    "branch_label": "ETIKETT", "version_path": "KATALOG", "rev_id": "ID",
    "rev_range": "INTERVALL",
}

#: The names of the borrowed commands' arguments in a usage line.
BORROWED_ARGUMENTS = {"revision": "VERSION", "revisions": "VERSIONER"}


def speak_swedish() -> None:
    """Make Click say its own words (usage, help sections, refusals) in Swedish.

    Click asks the global gettext domain for them, in the language the environment names.
    The enkat command speaks Swedish whatever the terminal's language, so the domain is
    enkat's Swedish catalogue of Click's messages and the language is Swedish for this
    process. It must run before any command is declared: `click.File` and `click.Path`
    name themselves ("file", "path") when they are created.
    """
    gettext.bindtextdomain(CLICK_DOMAIN, CLICK_TRANSLATIONS)
    gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = "sv"


def borrowed(command: click.Command, name: str) -> click.Command:
    """A copy of a library's command with its help, its options' help and its arguments'
    names in Swedish (the library's own command stays as it is)."""
    command = copy.deepcopy(command)
    _help_in_swedish(command, name)
    return command


def _help_in_swedish(command: click.Command, path: str) -> None:
    """A command the tables lack (a library upgrade's new one) keeps the library's words
    and still runs; tests/integration/test_cli_swedish.py fails until it has Swedish."""
    if path in BORROWED_COMMANDS:
        command.help = BORROWED_COMMANDS[path]
        command.short_help = None
    _params_in_swedish(command)
    for name, subcommand in getattr(command, "commands", {}).items():
        _help_in_swedish(subcommand, f"{path} {name}")


def _params_in_swedish(command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Option) and param.name in BORROWED_OPTIONS:
            param.help = BORROWED_OPTIONS[param.name]
            param.metavar = BORROWED_METAVARS.get(param.name, param.metavar)
        elif isinstance(param, click.Argument) and param.name in BORROWED_ARGUMENTS:
            metavar = BORROWED_ARGUMENTS[param.name]
            metavar = metavar if param.required else f"[{metavar}]"
            param.metavar = metavar + ("..." if param.nargs != 1 else "")


def usage_in_swedish(group: click.Group) -> None:
    """Swedish words in the usage line of the group and every command under it, and
    Swedish help for the options Flask gives the group (copies of Flask's own)."""
    group.params = [copy.copy(param) for param in group.params]
    _params_in_swedish(group)
    _usage_in_swedish(group)


def _usage_in_swedish(command: click.Command) -> None:
    command.options_metavar = OPTIONS_METAVAR
    if isinstance(command, click.Group):
        command.subcommand_metavar = SUBCOMMAND_METAVAR
        for subcommand in command.commands.values():
            _usage_in_swedish(subcommand)


class File(click.File):
    """`click.File` that refuses a file it cannot open in Swedish: Click's own refusal
    gives the operating system's reason, in English ("No such file or directory")."""

    def convert(self, value, param, ctx):
        if isinstance(value, str | os.PathLike) and os.fspath(value) != "-":
            problem = _file_problem(Path(value), reading="r" in self.mode)
            if problem:
                self.fail(problem, param, ctx)
        return super().convert(value, param, ctx)


def _file_problem(path: Path, *, reading: bool) -> str | None:
    """Why a file cannot be read (or written), or None when nothing is seen against it."""
    if path.is_dir():
        return f"'{path}' är en katalog."
    if reading and not path.exists():
        return f"Filen '{path}' finns inte."
    if not reading and not path.parent.is_dir():
        return f"Katalogen '{path.parent}' finns inte."
    if not os.access(path if path.exists() else path.parent,
                     os.R_OK if reading else os.W_OK):
        return f"Filen '{path}' får inte {'läsas' if reading else 'skrivas'}."
    return None
