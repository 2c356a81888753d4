"""The `enkat` command: parses arguments, calls services, commits once, prints results."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, routes_command, shell_command, with_appcontext
from flask_migrate.cli import db as migration_commands
from sqlalchemy.exc import DBAPIError

from enkat import create_app
from enkat.cli_language import File, borrowed, speak_swedish, usage_in_swedish
from enkat.database import reading_first
from enkat.extensions import db
from enkat.keeper import WorkerKeeper
from enkat.models import Role
from enkat.reports import FORMATS
from enkat.reports.numbers import counted, format_count
from enkat.services import NotFound, ServiceError
from enkat.services.audit import log as audit
from enkat.services.audit.events import Action
from enkat.services.organisation.forbund import (
    all_forbund,
    create_forbund,
    find_forbund,
    get_forbund,
)
from enkat.services.organisation.insatser import find_insats_anywhere, get_insats
from enkat.services.people.users import create_user, grant_role

speak_swedish()  # before any command is declared


def _create_app(script_info: ScriptInfo | None = None):
    return create_app()


class Commands(FlaskGroup):
    """The `enkat` command. Every command is registered on this group, none on the
    application's `app.cli`, so listing them (`enkat --help`) need not build the
    application; a command imports the services it uses when it runs, so neither does
    loading this module pull in the web layer, matplotlib or scipy."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(self.commands)


cli = Commands(
    create_app=_create_app,
    add_default_commands=False,
    help="enkat: enkäter och indikatorenkäter för samordningsförbund.",
)
cli.add_command(borrowed(shell_command, "shell"))
cli.add_command(borrowed(routes_command, "routes"))
cli.add_command(borrowed(migration_commands, "db"))


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the command's work once, or roll it all back and exit 1 with the reason."""
    try:
        yield
        db.session.commit()
    except ServiceError as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from refused
    except DBAPIError as failure:
        db.session.rollback()
        raise click.ClickException(
            f"databasen vägrade: {failure.orig} (är den migrerad? kör `enkat db upgrade`)"
        ) from failure


def _insats(forbund_slug: str | None, insats_slug: str):
    """An insats by slug, in the named förbund or the only förbund that has one."""
    if forbund_slug:
        return get_insats(get_forbund(forbund_slug), insats_slug)
    return find_insats_anywhere(insats_slug)


def _date(value: str | None, option: str) -> dt.date | None:
    """The date an option names, or a refusal that names the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        from enkat.instruments.model import not_a_date

        raise click.BadParameter(not_a_date(value), param_hint=f"'{option}'") from None


# --- instruments -----------------------------------------------------------------------


@cli.group()
def instruments() -> None:
    """Kontrollera, lista och publicera instrument (enkätdefinitioner)."""


@instruments.command("check")
@click.argument("paths", nargs=-1, metavar="[SÖKVÄG]...",
                type=click.Path(exists=True, path_type=Path))
@with_appcontext
def instruments_check(paths: tuple[Path, ...]) -> None:
    """Kontrollera instrumentfiler (utan SÖKVÄG: de medföljande); slutar med 1 vid fel."""
    from enkat.instruments import check_paths
    from enkat.services.instruments.versions import instruments_directory

    problems = check_paths(paths or [instruments_directory()])
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise SystemExit(1)
    checked = len(paths or [instruments_directory()])
    click.echo(f"{counted(checked, 'sökväg kontrollerad', 'sökvägar kontrollerade')}: inga fel")


@instruments.command("publish")
@click.argument("file", metavar="FIL", type=File("rb"))
@click.option("--forbund", "forbund_slug", metavar="SLUG", required=True,
              help="Förbundet som instrumentet är till för.")
@with_appcontext
def instruments_publish(file, forbund_slug: str) -> None:
    """Ladda upp och publicera ett förbunds eget instrument, med uppladdningssidans
    kontroller: en fil som inte godtas skrivs ut med varje problem (rad:kolumn plats:
    meddelande) och inget sparas."""
    from enkat.services.instruments.uploads import (
        UploadRefused,
        publish_instrument,
        upload_instrument,
    )

    with transaction():
        forbund = get_forbund(forbund_slug)
        try:
            row = upload_instrument(forbund, None, file.read())
        except UploadRefused as refused:
            db.session.rollback()
            for problem in refused.problems:
                click.echo(_problem_line(_file_name(file), problem), err=True)
            raise SystemExit(1) from None
        publish_instrument(row, None)
    click.echo(f"publicerade {row.instrument_id} version {row.version} för {forbund_slug}")


def _problem_line(file_name: str, problem) -> str:
    """An upload problem as a line an editor can jump to: "file:3:5 /items/0/id: …"."""
    where = f"{file_name}:{problem.line}:{problem.column}" if problem.line else file_name
    return " ".join(part for part in (where, problem.place) if part) + f": {problem.message}"


@instruments.command("list")
@with_appcontext
def instruments_list() -> None:
    """Lista de medföljande instrumenten och om deras version används oförändrad."""
    with transaction():
        _print_instruments()


def _print_instruments() -> None:
    from enkat.services.instruments.versions import (
        bundled_instruments,
        change_since_first_use,
    )

    for instrument in sorted(bundled_instruments().values(), key=lambda i: i.id):
        state = change_since_first_use(instrument)
        click.echo(
            f"{instrument.id:<26} v{instrument.version:<3} {instrument.audience:<10} "
            f"{len(instrument.items):>3} frågor  {instrument.title.get('sv')}"
            + (f"\n    ÄNDRAT: {state}" if state else "")
        )


# --- import and export -----------------------------------------------------------------


@cli.group("import")
def import_group() -> None:
    """Importera data."""


@import_group.command("responses")
@click.argument("file", metavar="FIL", type=File("rb"))
@click.option("--forbund", "forbund_slug", metavar="SLUG", help="Förbundet som filen hör till.")
@click.option("--create-missing", is_flag=True, help="Skapa förbund och insatser som saknas.")
@with_appcontext
def import_responses(file, forbund_slug: str | None, create_missing: bool) -> None:
    """Importera svar från en CSV-fil med ett svar per fråga och rad (tidy CSV): allt eller
    inget."""
    from enkat.services.answering.tidy_import import import_responses

    with transaction():
        summary = import_responses(
            file.read(), forbund_slug=forbund_slug, create_missing=create_missing
        )
        for slug, created in summary.created_per_forbund.items():
            audit.record_command(Action.COMMAND_IMPORT, get_forbund(slug),
                                 _file_name(file), responses=created)
    click.echo(
        f"importerade {format_count(summary.responses_created)} svar "
        f"({format_count(summary.responses_unchanged)} fanns redan), "
        f"{counted(summary.participants_created, 'ny deltagare', 'nya deltagare')}, "
        f"{counted(summary.insatser_created, 'ny insats', 'nya insatser')}, "
        f"{counted(summary.forbund_created, 'nytt förbund', 'nya förbund')}"
    )


@cli.group("export")
def export_group() -> None:
    """Exportera data."""


@export_group.command("responses")
@click.option("--forbund", "forbund_slug", metavar="SLUG", help="Bara det här förbundet.")
@click.option("--insats", "insats_slug", metavar="SLUG",
              help="Bara den här insatsen (kräver --forbund).")
@click.option("--from", "date_from", metavar="DATUM",
              help="Besvarade den dagen eller senare (ÅÅÅÅ-MM-DD).")
@click.option("--to", "date_to", metavar="DATUM",
              help="Besvarade den dagen eller tidigare (ÅÅÅÅ-MM-DD).")
@click.option("-o", "--output", metavar="FIL", type=File("w", encoding="utf-8"),
              default="-", help="Filen att skriva (utan: skärmen).")
@with_appcontext
def export_responses(forbund_slug, insats_slug, date_from, date_to, output) -> None:
    """Exportera inskickade svar som CSV med ett svar per fråga och rad (tidy CSV)."""
    from enkat.services.results.answer_exports import export_responses

    with transaction():
        with reading_first(db.session):
            forbund = get_forbund(forbund_slug) if forbund_slug else None
            insats = None
            if insats_slug:
                if forbund is None:
                    raise click.UsageError("--insats kräver --forbund")
                insats = get_insats(forbund, insats_slug)
            rows = export_responses(
                output, forbund=forbund, insats=insats,
                date_from=_date(date_from, "--from"), date_to=_date(date_to, "--to"),
            )
        for exported in [forbund] if forbund else all_forbund():
            audit.record_command(Action.COMMAND_EXPORT, exported, _file_name(output),
                                 insats=insats_slug, **{"from": date_from, "to": date_to},
                                 rows=rows)
    click.echo(f"exporterade {counted(rows, 'rad', 'rader')}", err=True)


@cli.command("report")
@click.option("--forbund", "forbund_slug", metavar="SLUG",
              help="Hela förbundet (eller förbundet för --insats).")
@click.option("--insats", "insats_slug", metavar="SLUG", help="En insats.")
@click.option("--from", "date_from", metavar="DATUM", required=True,
              help="Första dagen (ÅÅÅÅ-MM-DD).")
@click.option("--to", "date_to", metavar="DATUM", required=True,
              help="Sista dagen, som räknas med (ÅÅÅÅ-MM-DD).")
@click.option("--format", "format_", type=click.Choice(FORMATS), default="json",
              show_default=True, help="json och xlsx: tabellerna; html, pdf (taggad, "
              "tillgänglig) och docx (Word): rapporten att läsa, varje tabell med sitt diagram.")
@click.option("-o", "--output", metavar="FIL", type=File("wb"), default="-",
              help="Filen att skriva (utan: skärmen).")
@click.option("--horizon", metavar="MÅNADER", help="Samhällsnytta: hur många månader efter "
              "avslut besparingen räknas, 1–600 (standard 12).")
@click.option("--deadweight", metavar="PROCENT", help="Samhällsnytta: den del av "
              "förändringen som hade skett ändå, 0–100 procent (standard 0).")
@with_appcontext
def report(forbund_slug, insats_slug, date_from, date_to, format_, output, horizon,
           deadweight) -> None:
    """Skriv rapporten för en insats eller ett helt förbund för en period.

    En period utan något att redovisa ger ingen fil att läsa (xlsx, html, pdf, docx),
    bara json; kommandot slutar då med 1 och säger varför."""
    from enkat.reports.exports import PdfUnavailable
    from enkat.reports.rendering import render
    from enkat.scoring.samhallsnytta import Assumptions
    from enkat.services.results.reports import (
        AssumptionRefused,
        build_report_for,
        deadweight_of,
        horizon_of,
        report_refusal,
    )

    if not (forbund_slug or insats_slug):
        raise click.UsageError("ange --insats SLUG eller --forbund SLUG")
    period = _period(date_from, date_to)
    try:
        months = horizon_of(horizon)
    except AssumptionRefused as refused:
        raise click.BadParameter(str(refused), param_hint="--horizon") from None
    try:
        assumptions = Assumptions(months, deadweight_of(deadweight))
    except AssumptionRefused as refused:
        raise click.BadParameter(str(refused), param_hint="--deadweight") from None
    with transaction():
        with reading_first(db.session):
            insats = _insats(forbund_slug, insats_slug) if insats_slug else None
            forbund = insats.forbund if insats else get_forbund(forbund_slug)
            built = build_report_for(forbund, insats, period=period, assumptions=assumptions)
        refusal = report_refusal(built, format_)
        if refusal:  # before the audit event and before the output file is opened
            raise ServiceError(refusal)
        audit.record_command(Action.COMMAND_REPORT, forbund, _file_name(output),
                             insats=insats_slug, **{"from": date_from, "to": date_to},
                             format=format_, horizon=assumptions.horizon,
                             deadweight=float(assumptions.deadweight * 100))
    try:
        output.write(render(built, format_))
    except PdfUnavailable as missing:
        raise click.ClickException(str(missing)) from None


def _period(date_from: str, date_to: str):
    """The period from --from to --to, or a refusal when it ends before it starts."""
    from enkat.reports.period import Period

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if end < start:
        raise click.BadParameter(f"perioden slutar ({end}) innan den börjar ({start})",
                                 param_hint="'--to'")
    return Period(start, end)


def _file_name(file) -> str:
    """The file a command read or wrote, as its audit event names it ("-" for the
    terminal): the name the user gave, not a path resolved on this machine."""
    name = getattr(file, "name", "-")
    return "-" if name in ("<stdin>", "<stdout>") else str(name)


# --- users, demo, serving --------------------------------------------------------------


@cli.command("create-user")
@click.option("--email", metavar="E-POST", required=True, help="Användarens e-postadress.")
@click.option("--name", "display_name", metavar="NAMN", default="",
              help="Namnet som visas (utan: e-postadressen).")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True,
              help="Rollen i förbundet.")
@click.option("--forbund", "forbund_slug", metavar="SLUG", required=True,
              help="Förbundet som rollen gäller i.")
@click.password_option(prompt="Lösenord", help="Lösenordet (utan: frågas efter).")
@with_appcontext
def create_user_command(email, display_name, role, forbund_slug, password) -> None:
    """Skapa en användare med en roll i ett förbund (till exempel den första
    administratören)."""
    with transaction():
        forbund = get_forbund(forbund_slug)
        user = create_user(email, password, display_name or email)
        grant_role(user, forbund, Role(role))
    click.echo(f"skapade {user.email} ({role} i {forbund.slug})")


@cli.command("create-forbund")
@click.option("--slug", metavar="SLUG", required=True,
              help="Förbundets kortnamn i adresser och kommandon (a–z, siffror, bindestreck).")
@click.option("--name", metavar="NAMN", required=True, help="Förbundets namn.")
@with_appcontext
def create_forbund_command(slug, name) -> None:
    """Skapa ett förbund (som allt annat hör till)."""
    with transaction():
        forbund = create_forbund(slug, name)
    click.echo(f"skapade förbundet {forbund.slug}")


@cli.group("forbund")
def forbund_group() -> None:
    """Ett förbunds inställningar."""


@forbund_group.command("threshold")
@click.option("--forbund", "forbund_slug", metavar="SLUG", required=True, help="Förbundet.")
@click.option("--value", metavar="ANTAL", type=int, required=True,
              help="Dölj uppgifter som bygger på färre än så här många (1–50; 5 som standard).")
@click.option("--reason", metavar="SKÄL", default="",
              help="Varför; krävs under 5 och sparas i loggen.")
@click.option("--confirm", is_flag=True, help="Bekräfta en gräns under 5.")
@with_appcontext
def forbund_threshold(forbund_slug, value, reason, confirm) -> None:
    """Sätt förbundets gräns för små antal i alla rapporter och nedladdningar."""
    from enkat.services.organisation.suppression import set_suppression_threshold

    with transaction():
        forbund = get_forbund(forbund_slug)
        old = forbund.suppression_threshold
        changed = set_suppression_threshold(forbund, value, None, reason, confirm)
    click.echo(f"gränsen för små antal i {forbund_slug}: {old} -> {value}" if changed
               else f"gränsen för små antal i {forbund_slug} är redan {value}")


# --- samhällsnytta ----------------------------------------------------------------------


@cli.group("prices")
def prices_group() -> None:
    """Ett förbunds prislistor för samhällsnytta."""


@prices_group.command("import")
@click.argument("file", metavar="FIL", type=File("rb"))
@click.option("--forbund", "forbund_slug", metavar="SLUG", required=True,
              help="Förbundet som listan gäller.")
@click.option("--year", metavar="ÅR", type=int, required=True,
              help="Året som listan gäller (ÅÅÅÅ).")
@with_appcontext
def prices_import(file, forbund_slug: str, year: int) -> None:
    """Ersätt ett års prislista med en CSV-fil (source,kronor,payer): allt eller inget;
    en fil som inte godtas skrivs ut med varje problem och dess rad, och inget sparas."""
    from enkat.services.samhallsnytta import PriceImportFailed, import_prices, prices_of

    name = _file_name(file)
    with transaction():
        forbund = get_forbund(forbund_slug)
        try:
            price_list = import_prices(forbund, year, file.read(), None, name=name)
        except PriceImportFailed as refused:
            db.session.rollback()
            click.echo(f"{name}: Inget importerades: {len(refused.problems)} problem i filen.",
                       err=True)
            for problem in refused.problems:
                click.echo(f"{name}: {problem}", err=True)
            raise SystemExit(1) from None
        prices = prices_of(price_list)
    unpriced = sum(price is None for price in prices.values())
    click.echo(f"prislistan {year} för {forbund_slug}: {counted(len(prices), 'källa', 'källor')}, "
               f"{unpriced} ej prissatt")


@cli.group("insats")
def insats_group() -> None:
    """En insats uppgifter för samhällsnytta."""


@insats_group.command("cost")
@click.option("--insats", "insats_slug", metavar="SLUG", required=True, help="Insatsen.")
@click.option("--forbund", "forbund_slug", metavar="SLUG",
              help="Insatsens förbund (när flera har en insats med samma slug).")
@click.option("--from", "date_from", metavar="DATUM", required=True,
              help="Första dagen (ÅÅÅÅ-MM-DD).")
@click.option("--to", "date_to", metavar="DATUM", required=True,
              help="Sista dagen, som räknas med (ÅÅÅÅ-MM-DD).")
@click.option("--kronor", metavar="KRONOR", type=int, required=True,
              help="Beviljade medel, hela kronor.")
@click.option("--utfall", metavar="KRONOR", type=int, help="Utfall, hela kronor, när det är känt.")
@with_appcontext
def insats_cost(insats_slug, forbund_slug, date_from, date_to, kronor, utfall) -> None:
    """Ange vad en insats kostade under en period (ersätter kostnaden för just den perioden)."""
    from enkat.services import Refused
    from enkat.services.samhallsnytta import set_insats_cost

    with transaction():
        insats = _insats(forbund_slug, insats_slug)
        try:
            cost = set_insats_cost(insats, _date(date_from, "--from"), _date(date_to, "--to"),
                                   kronor, utfall, by=None)
        except Refused as refused:
            db.session.rollback()
            for problem in refused.problems:
                click.echo(f"Fel: {problem.message}", err=True)
            raise SystemExit(1) from None
    spent = "" if cost.spent_kronor is None else f", utfall {cost.spent_kronor}"
    click.echo(f"kostnaden för {insats.slug} {cost.starts_on}–{cost.ends_on}: "
               f"beviljat {cost.granted_kronor}{spent} kronor")


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Läs in ett realistiskt demoförbund med ett års data och skriv ut dess inloggningar."""
    _load_demo()


def _load_demo() -> None:
    from enkat.demo import load_demo

    with transaction():
        summary = load_demo()
    click.echo(
        f"Läste in {summary.forbund_name}: {counted(summary.insatser, 'insats', 'insatser')}, "
        f"{summary.deltagare} deltagare, {summary.responses} svar, ett år till och med "
        f"{summary.today.isoformat()}"
    )
    _print_demo_logins(summary.logins)


def _print_demo_logins(logins) -> None:
    click.echo("Inloggningar i demon (e-post, roll, lösenord):")
    for login in logins:
        click.echo(f"  {login.email:<34} {login.role.value:<8} {login.password}")


@cli.command("serve", with_appcontext=False)
@click.option("--demo", "with_demo", is_flag=True,
              help="Läs in demodata om de inte redan är inlästa.")
@click.option("--host", metavar="ADRESS", default="127.0.0.1", show_default=True,
              help="Adressen att svara på.")
@click.option("--port", metavar="PORT", default=5000, show_default=True, type=int,
              help="Porten att svara på.")
@click.option("--workers", metavar="ANTAL", default=2, show_default=True, type=int,
              help="Antal arbetsprocesser i gunicorn.")
@click.option("--no-worker", "without_worker", is_flag=True,
              help="Starta inte bakgrundsjobben (när `enkat worker` körs för sig).")
def serve(with_demo: bool, host: str, port: int, workers: int, without_worker: bool) -> None:
    """Migrera databasen, läs in demon om så önskas, starta bakgrundsjobben och svara på
    webbanrop med gunicorn.

    The preparation runs in an application context of its own that is closed before
    gunicorn starts; each worker then builds its application exactly as `wsgi:app` does,
    so no request shares `g`, a database session or a lock with another. The job worker
    is `enkat worker` in a process of its own, started once gunicorn listens, started
    again if it dies, stopped when gunicorn stops.
    """
    address = f"http://{host}:{port}"
    _prepare_to_serve(with_demo, address)
    # `enkat worker` with the same settings (those `_prepare_to_serve` put in the
    # environment among them), started again should it die (enkat/keeper.py)
    job_worker = None if without_worker else WorkerKeeper(
        quietly_interruptible("worker"), say=lambda line: click.echo(line, err=True))
    click.echo(f"enkat svarar på {address}/ (logga in på {address}/login)")
    try:
        # started once gunicorn handles SIGTERM and listens: a server stopped before
        # then has no worker to stop, one stopped after stops it in `finally`
        when_ready = None if job_worker is None else (lambda arbiter: job_worker.start())
        _gunicorn(host, port, workers, when_ready).run()
    finally:
        if job_worker is not None:
            job_worker.stop()


#: Python code that runs the `enkat` command, leaving quietly on a SIGINT that comes
#: while it starts: before a command sets its own handler (Huey's worker does), Python
#: would answer with a KeyboardInterrupt and its English traceback.
_QUIET_START = ("import signal, sys; "
                "signal.signal(signal.SIGINT, lambda *_: sys.exit(130)); "
                "from enkat.cli import main; main()")


def quietly_interruptible(*arguments: str) -> list[str]:
    """The command line of `enkat <arguments>` as a process of its own (see above)."""
    return [sys.executable, "-c", _QUIET_START, *arguments]


#: The job worker's default niceness: on a machine it shares with the web server, a report
#: being built or an utskick being mailed yields the processor to people waiting for a page.
WORKER_NICENESS = 10


@cli.command("worker", with_appcontext=False)
@click.option("--threads", metavar="ANTAL", default=2, show_default=True, type=int,
              help="Hur många jobb som körs samtidigt.")
@click.option("--no-periodic", "without_periodic", is_flag=True,
              help="Kör inte de schemalagda jobben (när en annan worker i samma "
                   "installation gör det).")
@click.option("--nice", "niceness", metavar="STEG", default=WORKER_NICENESS,
              show_default=True, type=click.IntRange(0, 19),
              help="Hur mycket lägre prioritet än webbservern jobben får (som nice(1)): "
                   "0 är samma prioritet.")
def worker_command(threads: int, without_periodic: bool, niceness: int) -> None:
    """Kör bakgrundsjobben: utskick och påminnelser, nattlig rensning och stora
    nedladdningar. Stoppas med Ctrl-C (SIGINT), som låter pågående jobb bli klara."""
    from enkat.jobs.queue import worker

    os.nice(niceness)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Huey says every job it starts and ends, each minute's periodic ones too, in English:
    # the log keeps enkat's own Swedish lines and Huey's warnings and errors.
    logging.getLogger("huey").setLevel(logging.WARNING)
    app = create_app()
    if app.config.get("SMTP_URL") and not app.config.get("BASE_URL"):
        click.echo("Varning: ENKAT_BASE_URL är inte inställd, så utskick som ska tas upp "
                   "igen kan inte skickas härifrån. Ge workern samma inställningar som "
                   "webbservern.", err=True)
    consumer = worker(app, threads=threads, periodic_jobs=not without_periodic)
    click.echo(f"enkat worker kör {counted(threads, 'jobb', 'jobb')} åt gången"
               + ("" if without_periodic else " och de schemalagda jobben"))
    consumer.run()


def _prepare_to_serve(with_demo: bool, address: str) -> None:
    from flask_migrate import upgrade

    app = create_app()
    with app.app_context():
        upgrade()
        if with_demo:
            from enkat.demo import DEMO_FORBUND_SLUG, demo_logins

            if find_forbund(DEMO_FORBUND_SLUG) is None:
                _load_demo()
            else:
                click.echo("Demodata är redan inlästa.")
                _print_demo_logins(demo_logins())
        if _is_local_development(address, app.config.get("BASE_URL")):
            # plain http on this machine only: a Secure cookie would never come back
            os.environ.setdefault("ENKAT_SESSION_COOKIE_SECURE", "false")
        if not app.config.get("BASE_URL"):
            # links in mail are built only from the configured address (docs/security.md)
            os.environ["ENKAT_BASE_URL"] = address
        db.session.remove()
        db.engine.dispose()  # the workers open their own connections


def _is_local_development(address: str, base_url: str | None) -> bool:
    """Served on a loopback address and not known to be reached over https."""
    host = urlsplit(address).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return loopback and not (base_url or "").lower().startswith("https://")


def _gunicorn(host: str, port: int, workers: int, when_ready=None):
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            if when_ready is not None:
                self.cfg.set("when_ready", when_ready)
            self.cfg.set("accesslog", "-")
            self.cfg.set("logger_class", "enkat.weblog.RedactingLogger")

        def load(self):
            return create_app()  # in each worker, as `gunicorn wsgi:app` does

    return Server()


def main() -> None:
    cli.main(prog_name="enkat", args=sys.argv[1:])


# --- links -----------------------------------------------------------------------------

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@cli.command("invite")
@click.option("--insats", "insats_slug", metavar="SLUG", required=True,
              help="Insatsen som länken gäller.")
@click.option("--instrument", "instrument_id", metavar="ID", required=True,
              help="Instrumentets id, till exempel ors.")
@click.option("--timepoint", metavar="MÄTPUNKT", required=True,
              help="Mätpunkten, till exempel session-3 eller avslut.")
@click.option("--participant", "code", metavar="KOD",
              help="Deltagarens kod (inte för anonyma enkäter).")
@click.option("--expires-in", "expires_in_days", metavar="DAGAR", type=int, default=30,
              show_default=True, help="Hur många dagar länken gäller (1–365).")
@click.option("--forbund", "forbund_slug", metavar="SLUG",
              help="Förbundet; behövs när flera förbund har en insats med den slugen.")
@click.option("--base-url", metavar="ADRESS",
              help=f"Där enkat nås (standard: BASE_URL, annars {DEFAULT_BASE_URL}).")
@with_appcontext
def invite(insats_slug, instrument_id, timepoint, code, expires_in_days, forbund_slug,
           base_url) -> None:
    """Skapa en personlig länk för att besvara ett instrument och skriv ut den (den visas
    bara en gång)."""
    from enkat.services.answering import invitations
    from enkat.services.deltagare import participants

    with transaction():
        insats = _insats(forbund_slug, insats_slug)
        participant = None
        if code:
            participant = participants.find_participant(insats.forbund, code)
            if participant is None:
                raise NotFound(f'okänd deltagare "{code}" i {insats.forbund.slug}')
        invitation, token = invitations.create_invitation(
            insats, instrument_id, timepoint, participant=participant,
            expires_in_days=expires_in_days,
        )
    base_url = base_url or current_app.config.get("BASE_URL") or DEFAULT_BASE_URL
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    expires = invitation.expires_at.astimezone(ZoneInfo(zone))
    click.echo(invitations.invitation_link(token, base_url))
    click.echo(f"giltig till {expires:%Y-%m-%d %H:%M} ({zone})")


# --- retention, the deltagare's rights, backup -----------------------------------------


@cli.command("purge")
@with_appcontext
def purge_command() -> None:
    """Radera det som har tjänat sitt syfte: gamla utkast, länkar, kiosker, länkar för nytt
    lösenord, förberedda filer och adresserna i utskick vars sista dag har passerat."""
    from enkat.services.privacy.purge import purge

    with transaction():
        purged = purge()
    click.echo(str(purged))


@cli.group("deltagare")
def deltagare_group() -> None:
    """En deltagares rättigheter: att se sina uppgifter (artikel 15) och att få dem
    raderade (artikel 17)."""


@deltagare_group.command("export")
@click.argument("code", metavar="KOD")
@click.option("--forbund", "forbund_slug", metavar="SLUG", required=True, help="Förbundet.")
@click.option("-o", "--output", metavar="FIL", type=File("w", encoding="utf-8"),
              default="-", help="Filen att skriva (utan: skärmen).")
@with_appcontext
def deltagare_export(code, forbund_slug, output) -> None:
    """Allt som enkat har om en deltagare, som JSON."""
    from enkat.services.privacy.rights import participant_data

    with transaction():
        data = participant_data(get_forbund(forbund_slug), code)
    json.dump(data, output, ensure_ascii=False, indent=2)
    output.write("\n")


@deltagare_group.command("erase")
@click.argument("code", metavar="KOD")
@click.option("--forbund", "forbund_slug", metavar="SLUG", required=True, help="Förbundet.")
@click.confirmation_option(prompt="Radera deltagaren och alla svar som hen har lämnat?")
@with_appcontext
def deltagare_erase(code, forbund_slug) -> None:
    """Radera en deltagare med inskrivningar, länkar och svar."""
    from enkat.services.privacy.rights import erase_participant

    with transaction():
        erased = erase_participant(get_forbund(forbund_slug), code)
    click.echo(f"raderade {code.upper()} och {erased} svar")


@cli.command("backup")
@click.argument("target", metavar="FIL", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(target: Path) -> None:
    """Kopiera SQLite-databasen till FIL medan enkat körs (PostgreSQL: använd pg_dump)."""
    from enkat.services import backup as backup_service

    with transaction():
        written = backup_service.backup_sqlite(target)
    click.echo(f"säkerhetskopian är skriven till {written}")


usage_in_swedish(cli)  # after every command is declared
