"""The `enkat` command: parses arguments, calls services, commits once, prints results."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
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
from enkat.extensions import db
from enkat.models import Role
from enkat.reports import FORMATS
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
    help="enkat: surveys and indicator questionnaires for samordningsförbund.",
)
cli.add_command(shell_command)
cli.add_command(routes_command)
cli.add_command(migration_commands)


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
            f"the database refused: {failure.orig} (is it migrated? run `enkat db upgrade`)"
        ) from failure


def _insats(forbund_slug: str | None, insats_slug: str):
    """An insats by slug, in the named förbund or the only förbund that has one."""
    if forbund_slug:
        return get_insats(get_forbund(forbund_slug), insats_slug)
    return find_insats_anywhere(insats_slug)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f'"{value}" is not a date (YYYY-MM-DD)') from None


# --- instruments -----------------------------------------------------------------------


@cli.group()
def instruments() -> None:
    """Check, list and publish instrument definitions."""


@instruments.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def instruments_check(paths: tuple[Path, ...]) -> None:
    """Validate instrument files (default: the bundled ones); exit 1 on any problem."""
    from enkat.instruments import check_paths
    from enkat.services.instruments.versions import instruments_directory

    problems = check_paths(paths or [instruments_directory()])
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise SystemExit(1)
    click.echo(f"{len(paths or [instruments_directory()])} location(s) checked: no errors")


@instruments.command("publish")
@click.argument("file", type=click.File("rb"))
@click.option("--forbund", "forbund_slug", required=True, help="The förbund the instrument is for.")
@with_appcontext
def instruments_publish(file, forbund_slug: str) -> None:
    """Upload and publish a förbund's own instrument, with the checks of the upload page:
    a refused file prints every problem (line:column place: message) and keeps nothing."""
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
    click.echo(f"published {row.instrument_id} version {row.version} for {forbund_slug}")


def _problem_line(file_name: str, problem) -> str:
    """An upload problem as a line an editor can jump to: "file:3:5 /items/0/id: …"."""
    where = f"{file_name}:{problem.line}:{problem.column}" if problem.line else file_name
    return " ".join(part for part in (where, problem.place) if part) + f": {problem.message}"


@instruments.command("list")
@with_appcontext
def instruments_list() -> None:
    """List the bundled instruments and whether their version is in use unchanged."""
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
            f"{len(instrument.items):>3} items  {instrument.title.get('sv')}"
            + (f"\n    CHANGED: {state}" if state else "")
        )


# --- import and export -----------------------------------------------------------------


@cli.group("import")
def import_group() -> None:
    """Import data."""


@import_group.command("responses")
@click.argument("file", type=click.File("rb"))
@click.option("--forbund", "forbund_slug", help="The förbund the file belongs to.")
@click.option("--create-missing", is_flag=True, help="Create unknown förbund and insatser.")
@with_appcontext
def import_responses(file, forbund_slug: str | None, create_missing: bool) -> None:
    """Import responses from a tidy CSV file: all of it, or nothing."""
    from enkat.services.answering.tidy_import import import_responses

    with transaction():
        summary = import_responses(
            file.read(), forbund_slug=forbund_slug, create_missing=create_missing
        )
        for slug, created in summary.created_per_forbund.items():
            audit.record_command(Action.COMMAND_IMPORT, get_forbund(slug),
                                 _file_name(file), responses=created)
    click.echo(
        f"imported {summary.responses_created} responses "
        f"({summary.responses_unchanged} already there), "
        f"{summary.participants_created} new deltagare, {summary.insatser_created} new insatser, "
        f"{summary.forbund_created} new förbund"
    )


@cli.group("export")
def export_group() -> None:
    """Export data."""


@export_group.command("responses")
@click.option("--forbund", "forbund_slug", help="Only this förbund.")
@click.option("--insats", "insats_slug", help="Only this insats (needs --forbund).")
@click.option("--from", "date_from", help="Answered on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Answered on or before (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export_responses(forbund_slug, insats_slug, date_from, date_to, output) -> None:
    """Export submitted responses as tidy CSV."""
    from enkat.services.results.answer_exports import export_responses

    with transaction():
        forbund = get_forbund(forbund_slug) if forbund_slug else None
        insats = None
        if insats_slug:
            if forbund is None:
                raise click.UsageError("--insats needs --forbund")
            insats = get_insats(forbund, insats_slug)
        rows = export_responses(
            output, forbund=forbund, insats=insats,
            date_from=_date(date_from), date_to=_date(date_to),
        )
        for exported in [forbund] if forbund else all_forbund():
            audit.record_command(Action.COMMAND_EXPORT, exported, _file_name(output),
                                 insats=insats_slug, **{"from": date_from, "to": date_to},
                                 rows=rows)
    click.echo(f"exported {rows} rows", err=True)


@cli.command("report")
@click.option("--forbund", "forbund_slug", help="The whole förbund (or the förbund of --insats).")
@click.option("--insats", "insats_slug", help="One insats.")
@click.option("--from", "date_from", required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", required=True, help="Last day, inclusive (YYYY-MM-DD).")
@click.option("--format", "format_", type=click.Choice(FORMATS), default="json",
              show_default=True, help="json and xlsx: the tables; html, pdf (tagged, "
              "accessible) and docx (Word): the report to read, each table with its chart.")
@click.option("-o", "--output", type=click.File("wb"), default="-")
@click.option("--horizon", metavar="MONTHS", help="Samhällsnytta: months after exit the "
              "saving is counted over, 1-600 (default 12).")
@click.option("--deadweight", metavar="PERCENT", help="Samhällsnytta: the share of the "
              "change that would have happened anyway, 0-100 per cent (default 0).")
@with_appcontext
def report(forbund_slug, insats_slug, date_from, date_to, format_, output, horizon,
           deadweight) -> None:
    """Write the report of an insats or a whole förbund for a period."""
    from enkat.reports.exports import PdfUnavailable
    from enkat.reports.period import Period
    from enkat.reports.rendering import render
    from enkat.scoring.samhallsnytta import Assumptions
    from enkat.services.results.reports import (
        AssumptionRefused,
        build_report_for,
        deadweight_of,
        horizon_of,
    )

    if not (forbund_slug or insats_slug):
        raise click.UsageError("name --insats SLUG or --forbund SLUG")
    try:
        period = Period(_date(date_from), _date(date_to))
    except ValueError as wrong:
        raise click.BadParameter(str(wrong)) from None
    try:
        months = horizon_of(horizon)
    except AssumptionRefused as refused:
        raise click.BadParameter(str(refused), param_hint="--horizon") from None
    try:
        assumptions = Assumptions(months, deadweight_of(deadweight))
    except AssumptionRefused as refused:
        raise click.BadParameter(str(refused), param_hint="--deadweight") from None
    with transaction():
        insats = _insats(forbund_slug, insats_slug) if insats_slug else None
        forbund = insats.forbund if insats else get_forbund(forbund_slug)
        built = build_report_for(forbund, insats, period=period, assumptions=assumptions)
        audit.record_command(Action.COMMAND_REPORT, forbund, _file_name(output),
                             insats=insats_slug, **{"from": date_from, "to": date_to},
                             format=format_, horizon=assumptions.horizon,
                             deadweight=float(assumptions.deadweight * 100))
    try:
        output.write(render(built, format_))
    except PdfUnavailable as missing:
        raise click.ClickException(str(missing)) from None


def _file_name(file) -> str:
    """The file a command read or wrote, as its audit event names it ("-" for the
    terminal): the name the user gave, not a path resolved on this machine."""
    name = getattr(file, "name", "-")
    return "-" if name in ("<stdin>", "<stdout>") else str(name)


# --- users, demo, serving --------------------------------------------------------------


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="", help="Display name (default: the e-mail).")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--forbund", "forbund_slug", required=True, help="The förbund the role is in.")
@click.password_option()
@with_appcontext
def create_user_command(email, display_name, role, forbund_slug, password) -> None:
    """Create a user with a role in a förbund (e.g. the first administrator)."""
    with transaction():
        forbund = get_forbund(forbund_slug)
        user = create_user(email, password, display_name or email)
        grant_role(user, forbund, Role(role))
    click.echo(f"created {user.email} ({role} in {forbund.slug})")


@cli.command("create-forbund")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@with_appcontext
def create_forbund_command(slug, name) -> None:
    """Create a förbund (the tenant everything else belongs to)."""
    with transaction():
        forbund = create_forbund(slug, name)
    click.echo(f"created förbund {forbund.slug}")


@cli.group("forbund")
def forbund_group() -> None:
    """A förbund's settings."""


@forbund_group.command("threshold")
@click.option("--forbund", "forbund_slug", required=True)
@click.option("--value", type=int, required=True,
              help="Hide figures resting on fewer than this many (1-50; 5 by default).")
@click.option("--reason", default="", help="Why; required below 5, kept in the audit log.")
@click.option("--confirm", is_flag=True, help="Confirm a threshold below 5.")
@with_appcontext
def forbund_threshold(forbund_slug, value, reason, confirm) -> None:
    """Set the förbund's suppression threshold for every report and download."""
    from enkat.services.organisation.suppression import set_suppression_threshold

    with transaction():
        forbund = get_forbund(forbund_slug)
        old = forbund.suppression_threshold
        changed = set_suppression_threshold(forbund, value, None, reason, confirm)
    click.echo(f"suppression threshold of {forbund_slug}: {old} -> {value}" if changed
               else f"suppression threshold of {forbund_slug} is already {value}")


# --- samhällsnytta ----------------------------------------------------------------------


@cli.group("prices")
def prices_group() -> None:
    """A förbund's price lists for samhällsnytta."""


@prices_group.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--forbund", "forbund_slug", required=True, help="The förbund the list is for.")
@click.option("--year", type=int, required=True, help="The year the list is for (YYYY).")
@with_appcontext
def prices_import(file, forbund_slug: str, year: int) -> None:
    """Replace a year's price list with a CSV file (source,kronor,payer): all of it, or
    nothing; a refused file prints every problem with its line and keeps nothing."""
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
    click.echo(f"price list {year} of {forbund_slug}: {len(prices)} sources, "
               f"{unpriced} ej prissatt")


@cli.group("insats")
def insats_group() -> None:
    """An insats' inputs for samhällsnytta."""


@insats_group.command("cost")
@click.option("--insats", "insats_slug", required=True)
@click.option("--forbund", "forbund_slug", help="The insats' förbund (when several have it).")
@click.option("--from", "date_from", required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", required=True, help="Last day, inclusive (YYYY-MM-DD).")
@click.option("--kronor", type=int, required=True, help="Beviljat medel, whole kronor.")
@click.option("--utfall", type=int, help="Utfall, whole kronor, when known.")
@with_appcontext
def insats_cost(insats_slug, forbund_slug, date_from, date_to, kronor, utfall) -> None:
    """Set what an insats cost in a period (replacing the cost of exactly that period)."""
    from enkat.services import Refused
    from enkat.services.samhallsnytta import set_insats_cost

    with transaction():
        insats = _insats(forbund_slug, insats_slug)
        try:
            cost = set_insats_cost(insats, _date(date_from), _date(date_to), kronor, utfall,
                                   by=None)
        except Refused as refused:
            db.session.rollback()
            for problem in refused.problems:
                click.echo(f"Error: {problem.message}", err=True)
            raise SystemExit(1) from None
    spent = "" if cost.spent_kronor is None else f", utfall {cost.spent_kronor}"
    click.echo(f"cost of {insats.slug} {cost.starts_on}–{cost.ends_on}: "
               f"beviljat {cost.granted_kronor}{spent} kronor")


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load a realistic demo förbund with a year of data, and print its logins."""
    _load_demo()


def _load_demo() -> None:
    from enkat.demo import load_demo

    with transaction():
        summary = load_demo()
    click.echo(
        f"Loaded {summary.forbund_name}: {summary.insatser} insatser, "
        f"{summary.deltagare} deltagare, {summary.responses} responses, "
        f"a year up to {summary.today.isoformat()}"
    )
    _print_demo_logins(summary.logins)


def _print_demo_logins(logins) -> None:
    click.echo("Demo sign-ins (e-mail, role, password):")
    for login in logins:
        click.echo(f"  {login.email:<34} {login.role.value:<8} {login.password}")


@cli.command("serve", with_appcontext=False)
@click.option("--demo", "with_demo", is_flag=True, help="Load the demo data if not loaded.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(with_demo: bool, host: str, port: int, workers: int) -> None:
    """Migrate the database, optionally load the demo, and serve with gunicorn.

    The preparation runs in an application context of its own that is closed before
    gunicorn starts; each worker then builds its application exactly as `wsgi:app` does,
    so no request shares `g`, a database session or a lock with another.
    """
    address = f"http://{host}:{port}"
    _prepare_to_serve(with_demo, address)
    click.echo(f"enkat serves on {address}/ (sign in at {address}/login)")
    _gunicorn(host, port, workers).run()


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
                click.echo("The demo data are already loaded.")
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


def _gunicorn(host: str, port: int, workers: int):
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
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
@click.option("--insats", "insats_slug", required=True, help="The insats the link is for.")
@click.option("--instrument", "instrument_id", required=True, help="Instrument id, e.g. ors.")
@click.option("--timepoint", required=True, help="Timepoint, e.g. session-3 or avslut.")
@click.option("--participant", "code", help="The deltagare's code (not for anonymous surveys).")
@click.option("--expires-in", "expires_in_days", type=int, default=30, show_default=True,
              help="Days the link stays valid (1-365).")
@click.option("--forbund", "forbund_slug",
              help="The förbund; needed when several förbund have an insats with this slug.")
@click.option("--base-url",
              help=f"Where enkat is reached (default: BASE_URL, else {DEFAULT_BASE_URL}).")
@with_appcontext
def invite(insats_slug, instrument_id, timepoint, code, expires_in_days, forbund_slug,
           base_url) -> None:
    """Create a personal link to answer one instrument and print it (it is shown only once)."""
    from enkat.services.answering import invitations
    from enkat.services.deltagare import participants

    with transaction():
        insats = _insats(forbund_slug, insats_slug)
        participant = None
        if code:
            participant = participants.find_participant(insats.forbund, code)
            if participant is None:
                raise NotFound(f'unknown deltagare "{code}" in {insats.forbund.slug}')
        invitation, token = invitations.create_invitation(
            insats, instrument_id, timepoint, participant=participant,
            expires_in_days=expires_in_days,
        )
    base_url = base_url or current_app.config.get("BASE_URL") or DEFAULT_BASE_URL
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    expires = invitation.expires_at.astimezone(ZoneInfo(zone))
    click.echo(invitations.invitation_link(token, base_url))
    click.echo(f"valid until {expires:%Y-%m-%d %H:%M} ({zone})")


# --- retention, the deltagare's rights, backup -----------------------------------------


@cli.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete what has served its purpose: old drafts, links, kiosks, reset links, and the
    addresses of utskick past their closing day."""
    from enkat.services.privacy.purge import purge

    with transaction():
        purged = purge()
    click.echo(f"deleted {purged.drafts} drafts, {purged.links} links, {purged.kiosks} kiosks, "
               f"{purged.password_resets} password-reset links, {purged.sign_ins} ended sessions; "
               f"closed {purged.utskick_closed} utskick and deleted their addresses")


@cli.group("deltagare")
def deltagare_group() -> None:
    """A deltagare's rights: see (art. 15) and erase (art. 17) their data."""


@deltagare_group.command("export")
@click.argument("code")
@click.option("--forbund", "forbund_slug", required=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def deltagare_export(code, forbund_slug, output) -> None:
    """Everything enkat holds about one deltagare, as JSON."""
    from enkat.services.privacy.rights import participant_data

    with transaction():
        data = participant_data(get_forbund(forbund_slug), code)
    json.dump(data, output, ensure_ascii=False, indent=2)
    output.write("\n")


@deltagare_group.command("erase")
@click.argument("code")
@click.option("--forbund", "forbund_slug", required=True)
@click.confirmation_option(prompt="Erase the deltagare and every answer they gave?")
@with_appcontext
def deltagare_erase(code, forbund_slug) -> None:
    """Erase a deltagare with their enrolments, links and responses."""
    from enkat.services.privacy.rights import erase_participant

    with transaction():
        erased = erase_participant(get_forbund(forbund_slug), code)
    click.echo(f"erased {code.upper()} and {erased} responses")


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(target: Path) -> None:
    """Copy the SQLite database to TARGET while enkat runs (PostgreSQL: use pg_dump)."""
    from enkat.services import backup as backup_service

    with transaction():
        written = backup_service.backup_sqlite(target)
    click.echo(f"backup written to {written}")
