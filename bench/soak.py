"""Soak: deltagare answering, personal at work and report downloads, all at once for
`--minutes` against gunicorn and PostgreSQL on loopback, with a gunicorn worker killed
outright (SIGKILL) every `--kill-every` seconds.

It starts a throw-away PostgreSQL (`tests/postgresql.py`), migrates it, loads the demo
förbund (`enkat.demo`: insatser, deltagare, a year of responses, users with the
demo password) and adds an insats `soak` with enough personal links to
`nns-deltagare-avslut`, then serves it with gunicorn (`--workers`, `tests/gunicorn.py`).
Three kinds of clients run together until the time is up, each a browser of its own:
- deltagare (`--deltagare`): open a fresh personal link, answer step by step with the
  saves respond.js makes, send, see the thanks page; then the next link. They finish the
  link they are on when the time is up;
- personal (`--staff`, each as one of the demo's personal): sign in (CSRF from the
  form), open the overview, an insats, a deltagare's page, make a link for a deltagare
  who is due for one, now and then fill in a staff form (processtrappan, SKAPA
  personal, uppföljning) step by step and send it, now and then sign out and in again;
- downloads (`--downloads`, as the förbund's administrator): the results page, then the
  report as XLSX, PDF and Word and the answers as CSV and XLSX, for the demo year, about
  the whole förbund, the insatser side by side or one insats (`--download` chooses
  which). The PDF and the Word file are built by `enkat worker` (started beside
  gunicorn, as `enkat serve` does): the client asks, reloads the waiting page every
  3 s as its meta refresh does, and fetches the file when it is offered; the waiting
  page's requests are counted apart (`report.pdf-wait`), and a download's time is the
  fetch of the finished file.
Every client waits `--think` seconds (on average) where a person would read or choose.
A request cut by a killed worker (the connection closes with no answer) is what a person
meets as a broken page: the client waits a moment and reloads it, that is sends the same
request again; a cut "Skicka" is sent again too (a second send never makes a second
response). A cut counts as "cut by a killed worker" when it came within a few seconds
of a kill; any other failed request is an error, and ends what that client was doing.

One worker, the witness (chosen after the warm-up), is never killed, so that its memory
tells whether a worker grows over time: its resident memory (VmRSS) after the warm-up
and at the end, and the mean of all live workers then, are printed. The warm-up (a few
surveys, staff rounds and downloads per worker, at once and without pauses) loads the
instruments, templates and report code first.

At the end it prints requests served, cut and failed per kind of client, p50/p95/p99
latency per kind and overall, the workers killed, the memory figures, and the data check
against the database: every link whose deltagare sent (thanks seen, or "Skicka" cut)
must have exactly one submitted response with exactly the answers sent, no link more
than one, no response with other answers; and the gunicorn log must hold no traceback
and no error but the notices of the killed workers. It asserts nothing; it exits
non-zero only when the run itself breaks.

    .venv/bin/python bench/soak.py [--minutes 10] [--kill-every 60] [--workers 4]
        [--deltagare 20] [--staff 3] [--downloads 2] [--think 2.0] [--seed 6]
        [--download results report.xlsx report.pdf report.docx answers.csv answers.xlsx]

Targets (issue 6, §5): no lost or duplicated response, no error other than the requests
cut by a killed worker, no growth of the witness worker's memory beyond 20 %.
"""

from __future__ import annotations

import argparse
import math
import os
import queue
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clients import (  # noqa: E402
    CUT,
    PERCENTILE_HEADER,
    Browser,
    Journey,
    Pace,
    Stored,
    Unexpected,
    answer_steps,
    answer_survey,
    bench_app,
    check_stored,
    machine_cpu,
    main_form,
    path_of,
    percentile_row,
    process_rss,
    read_page,
    send_answers,
)

from enkat.services.organisation.forbund import get_forbund  # noqa: E402
from enkat.services.organisation.insatser import create_insats  # noqa: E402

HOST = "127.0.0.1"
INSTRUMENT = "nns-deltagare-avslut"
TIMEPOINT = "avslut"
INSATS, WARM_UP_INSATS = "soak", "soak-uppvarmning"
KINDS = ("deltagare", "staff", "downloads")
#: How often a person reloads a page that broke before giving up.
RELOADS = 3
#: A cut this long after a kill is the kill's doing.
KILL_WINDOW = 5.0
#: Staff forms a personal fills in from the due list: answered by choosing only.
STAFF_FORMS = ("processtrappan", "skapa-personal", "finsam-uppfoljning")
MAKE_LINK, ENTER_FORM, SIGN_OUT = 0.5, 0.3, 0.15
#: What the förbund downloads: the page, the report, the answers behind it.
DOWNLOADS = {
    "results": "/forbund/resultat",
    "report.xlsx": "/forbund/resultat/rapport.xlsx",
    "report.pdf": "/forbund/resultat/rapport.pdf",
    "report.docx": "/forbund/resultat/rapport.docx",
    "answers.csv": "/forbund/svar.csv",
    "answers.xlsx": "/forbund/svar.xlsx",
}
#: Built on the worker: asked for, waited for, then fetched.
PREPARED = ("report.pdf", "report.docx")
#: Seconds between reloads of the waiting page (its meta refresh).
PREPARED_REFRESH = 3.0
KILLED_NOTICE = re.compile(r"Worker \(pid:(\d+)\) was sent SIGKILL")
MEMORY_GROWTH_TARGET = 0.20
MB = 1024 * 1024


# --- the clients -------------------------------------------------------------------------


def deltagare_client(port: int, links: queue.SimpleQueue, think: float, seed: int,
                     until: float) -> list[Journey]:
    """Link after link until the time is up; the journey per link."""
    chance = random.Random(seed)
    journeys = []
    while time.time() < until:
        try:
            token = links.get_nowait()
        except queue.Empty:
            break
        journeys.append(answer_survey(HOST, port, token, think, chance.getrandbits(32),
                                      retries=RELOADS))
    return journeys


Round = Callable[[Browser, Pace, random.Random], None]


def signed_in_client(port: int, email: str, password: str, work: Round, think: float,
                     seed: int, until: float, rounds: int | None = None) -> list[Journey]:
    """One person signed in, doing `work` round after round until the time is up (or
    `rounds` times); a journey per round, the sign-in in the round it came in. After
    an error the person starts over from the sign-in page."""
    chance = random.Random(seed)
    pace = Pace(think, chance)
    browser = Browser(HOST, port, Journey(email), retries=RELOADS, agent="soak")
    journeys, signed_in = [], False
    while time.time() < until and (rounds is None or len(journeys) < rounds):
        browser.journey = journey = Journey(email)
        journeys.append(journey)
        try:
            if not signed_in:
                sign_in(browser, email, password)
                signed_in = True
            work(browser, pace, chance)
            if chance.random() < SIGN_OUT:
                sign_out(browser)
                signed_in = False
            journey.finished = True
        except (Unexpected, ValueError) as failed:
            journey.error = f"{email}: {failed}"
            browser.cookies.clear()
            signed_in = False
    browser.close()
    return journeys


def sign_in(browser: Browser, email: str, password: str) -> None:
    forms = read_page(browser.get("login", "/login")[0]).forms
    form = next((form for form in forms if "password" in form.typed), None)
    if form is None:
        raise Unexpected("login: no sign-in form")
    fields = [*form.hidden.items(), ("email", email), ("password", password)]
    browser.post("sign-in", "/login", fields, 302)


def sign_out(browser: Browser) -> None:
    """From the insatser page, which answers everyone ("/" sends administrators on to the
    förbund's overview)."""
    page = read_page(browser.get("overview", "/mina-insatser")[0])
    form = next((form for form in page.forms if form.action.endswith("/logout")), None)
    if form is None:
        raise Unexpected("overview: no sign-out form")
    browser.post("sign-out", path_of(form.action), list(form.hidden.items()), 302)


def staff_round(browser: Browser, pace: Pace, chance: random.Random) -> None:
    """The overview, an insats, a deltagare; a link made, a form filled in, now and then."""
    overview = read_page(browser.get("overview", "/")[0])
    insatser = [link for link in overview.links if re.fullmatch(r"/insatser/[^/?]+", link)]
    if not insatser:
        raise Unexpected("overview: no insats")
    pace.wait()
    path = chance.choice(insatser)
    page = read_page(browser.get("insats", path)[0])
    deltagare = [link for link in page.links if re.fullmatch(r"/deltagare/[^/?]+", link)]
    if deltagare:
        pace.wait()
        browser.get("deltagare", chance.choice(deltagare))
    link_forms = [form for form in page.forms
                  if form.action.endswith("/lankar") and form.hidden.get("code")]
    if link_forms and chance.random() < MAKE_LINK:
        pace.wait()
        form = chance.choice(link_forms)
        browser.post("link", path_of(form.action), list(form.hidden.items()), 200)
    entries = [link for link in page.links if "/registrera?" in link
               and parse_qs(urlsplit(link).query).get("instrument", [""])[0] in STAFF_FORMS]
    if entries and chance.random() < ENTER_FORM:
        pace.wait()
        enter_form(browser, chance.choice(entries), pace, chance)


def enter_form(browser: Browser, link: str, pace: Pace, chance: random.Random) -> None:
    """A due form from the insats page, filled in by personal, step by step, and sent.
    A refusal (someone entered it meanwhile) is an answer a person reads and moves on."""
    form = main_form(read_page(browser.get("register", link)[0]).forms)
    if form is None:
        raise Unexpected("register: no form")
    instrument = parse_qs(urlsplit(link).query)["instrument"][0]
    fields = [*form.hidden.items(), *form.values.items(), ("source", "staff"),
              ("instrument", instrument)]
    pace.wait(0.5)
    _, location = browser.post("register", path_of(form.action or link), fields, 303,
                               also=(422,))
    if location:
        send_answers(browser, answer_steps(browser, location, pace, chance), pace)


def downloading(names: list[str]) -> Round:
    """A round of these downloads (names of `DOWNLOADS`)."""

    def download_round(browser: Browser, pace: Pace, chance: random.Random) -> None:
        """The downloads of one choice, in order, as a person reading them."""
        subject = chance.choice(("forbund", "insatser", "insats:steget-vidare",
                                 "insats:halsolotsen"))
        query = urlencode({"visa": subject, "period": "ar", "ar": report_year()})
        for name in names:
            if name in PREPARED:
                browser.prepared_download(name, f"{DOWNLOADS[name]}?{query}",
                                          PREPARED_REFRESH)
            else:
                browser.download(name, f"{DOWNLOADS[name]}?{query}")
            pace.wait(0.5)

    return download_round


def report_year() -> int:
    from enkat.demo import REFERENCE_TODAY

    return REFERENCE_TODAY.year


# --- killing workers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    at: float  # time.time()
    pid: int
    restart_seconds: float  # until a new worker was ready


def kill_workers(server, workers: int, witness: int, every: float, until: float,
                 chance: random.Random) -> list[Kill]:
    """Every `every` seconds until `until`, SIGKILL a worker other than the witness and
    wait for the master to have `workers` ready again."""
    kills: list[Kill] = []
    killed: set[int] = set()
    next_at = time.time() + every
    while next_at < until:
        time.sleep(max(0.0, next_at - time.time()))
        next_at += every
        candidates = [pid for pid in server.workers if pid != witness and pid not in killed]
        if not candidates:  # the others are still starting (after a time-out, say)
            continue
        victim = chance.choice(candidates)
        at = time.time()
        server.kill_worker(victim)
        killed.add(victim)
        server.wait_for_workers(workers, besides=tuple(killed))
        kills.append(Kill(at, victim, time.time() - at))
    return kills


# --- memory ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    witness: int  # bytes
    mean: float  # bytes, over every live worker
    workers: int


def memory(pids: list[int], witness: int) -> Memory:
    sizes = {pid: process_rss(pid) for pid in pids}
    live = [size for size in sizes.values() if size is not None]
    return Memory(sizes.get(witness) or 0, statistics.mean(live) if live else 0.0, len(live))


# --- the database --------------------------------------------------------------------------


def links_needed(arguments: argparse.Namespace) -> int:
    """Enough links for every deltagare to go on answering until the end: a survey takes
    some 11 steps of about `think` seconds each (at least two seconds with no pause)."""
    per_deltagare = math.ceil(arguments.minutes * 60 / max(10 * arguments.think, 2.0))
    return arguments.deltagare * (per_deltagare + 1)


@contextmanager
def soak_database(links: int, warm_up_links: int) -> Iterator[tuple[str, list[str], list[str]]]:
    """(URL, links, warm-up links) of a migrated PostgreSQL database with the demo
    förbund and the soak's insatser; the server is removed afterwards."""
    from tests.postgresql import PostgresServer

    server = PostgresServer.start()
    try:
        url = server.create_database("enkat_soak")
        yield (url, *prepare(url, links, warm_up_links))
    finally:
        server.stop()


def prepare(url: str, links: int, warm_up_links: int) -> tuple[list[str], list[str]]:
    from flask_migrate import upgrade

    from enkat.demo import load_demo
    from enkat.extensions import db
    from enkat.services.answering import invitations

    app = bench_app(url)
    with app.app_context():
        upgrade()
        forbund = get_forbund(load_demo().forbund_slug)
        tokens = []
        for slug, count in ((INSATS, links), (WARM_UP_INSATS, warm_up_links)):
            insats = create_insats(forbund, slug, slug.capitalize())
            tokens.append([invitations.create_invitation(insats, INSTRUMENT, TIMEPOINT)[1]
                           for _ in range(count)])
        db.session.commit()
        db.engine.dispose()
    return tokens[0], tokens[1]


def demo_people() -> tuple[list[str], str, str]:
    """(the personal's e-mails, the administrator's, the demo password)."""
    from enkat.demo import DEMO_PASSWORD, USERS
    from enkat.models import Role

    staff = [user.email for user in USERS if user.role is Role.STAFF]
    admin = next(user.email for user in USERS if user.role is Role.ADMIN)
    return staff, admin, DEMO_PASSWORD


# --- the run -------------------------------------------------------------------------------


@dataclass
class Result:
    journeys: dict[str, list[Journey]]
    kills: list[Kill]
    seconds: float
    start: Memory
    end: Memory
    witness: int
    stored: Stored
    log: str
    machine_busy: float = 0.0
    warm_up_errors: list[str] = field(default_factory=list)


def run(arguments: argparse.Namespace) -> Result:
    from tests.gunicorn import serve
    from tests.worker import job_worker

    warm_up_links = 2 * arguments.workers
    with soak_database(links_needed(arguments), warm_up_links) as (url, tokens, warm_up):
        with tempfile.TemporaryDirectory(prefix="enkat-soak-") as folder:
            with (serve(url, Path(folder), workers=arguments.workers) as server,
                  job_worker(url, Path(folder) / "worker")):
                warm_up_errors = warm_up_run(server.port, warm_up, arguments)
                witness = server.wait_for_workers(arguments.workers)[0]
                start = memory(server.workers, witness)
                busy, total = machine_cpu()
                began = time.time()
                journeys, kills = soak(server, tokens, witness, arguments)
                seconds = time.time() - began
                busy_after, total_after = machine_cpu()
                end = memory(server.workers, witness)
            log = server.log.read_text(errors="replace")
        stored = check_stored(url, journeys["deltagare"], INSTRUMENT, INSATS)
    share = (busy_after - busy) / (total_after - total) if total_after > total else 0.0
    return Result(journeys, kills, seconds, start, end, witness, stored, log, share,
                  warm_up_errors)


def warm_up_run(port: int, tokens: list[str], arguments: argparse.Namespace) -> list[str]:
    """Surveys, staff rounds and downloads at once, no pauses, about two of each per
    worker; the errors, if any."""
    staff, admin, password = demo_people()
    with ThreadPoolExecutor(max_workers=len(tokens) + len(staff) + arguments.workers) as pool:
        surveys = [pool.submit(answer_survey, HOST, port, token, 0.0, index)
                   for index, token in enumerate(tokens)]
        rounds = [pool.submit(signed_in_client, port, email, password, staff_round, 0.0,
                              index, math.inf, 2) for index, email in enumerate(staff)]
        rounds += [pool.submit(signed_in_client, port, admin, password,
                               downloading(arguments.download), 0.0, index, math.inf, 1)
                   for index in range(arguments.workers)]
        journeys = [future.result() for future in surveys]
        journeys += [journey for future in rounds for journey in future.result()]
    return [journey.error for journey in journeys if journey.error]


def soak(server, tokens: list[str], witness: int, arguments: argparse.Namespace
         ) -> tuple[dict[str, list[Journey]], list[Kill]]:
    """Every client and the killer at once until the time is up; the clients finish
    what they are doing."""
    staff, admin, password = demo_people()
    until = time.time() + arguments.minutes * 60
    links: queue.SimpleQueue = queue.SimpleQueue()
    for token in tokens:
        links.put(token)
    seeds = random.Random(arguments.seed)
    clients = arguments.deltagare + arguments.staff + arguments.downloads
    with ThreadPoolExecutor(max_workers=clients + 1) as pool:
        killer = pool.submit(kill_workers, server, arguments.workers, witness,
                             arguments.kill_every, until, random.Random(arguments.seed))
        futures: dict[str, list[Future]] = {
            "deltagare": [pool.submit(deltagare_client, server.port, links, arguments.think,
                                      seeds.getrandbits(32), until)
                          for _ in range(arguments.deltagare)],
            "staff": [pool.submit(signed_in_client, server.port, staff[index % len(staff)],
                                  password, staff_round, arguments.think,
                                  seeds.getrandbits(32), until)
                      for index in range(arguments.staff)],
            "downloads": [pool.submit(signed_in_client, server.port, admin, password,
                                      downloading(arguments.download), arguments.think,
                                      seeds.getrandbits(32), until)
                          for _ in range(arguments.downloads)],
        }
        journeys = {kind: [journey for future in kind_futures for journey in future.result()]
                    for kind, kind_futures in futures.items()}
        kills = killer.result()
    if links.empty() and arguments.deltagare:
        print("note: the deltagare may have run out of links before the time was up")
    return journeys, kills


# --- the figures ---------------------------------------------------------------------------


def cut_by_kill(moment: float, kills: list[Kill]) -> bool:
    return any(kill.at <= moment <= kill.at + KILL_WINDOW for kill in kills)


def other_errors(result: Result) -> list[str]:
    """Every failure that is not a request cut by a killed worker and reloaded."""
    errors = [journey.error for kind in KINDS for journey in result.journeys[kind]
              if journey.error]
    errors += [f"{kind}: a request cut at {time.strftime('%H:%M:%S', time.localtime(moment))}"
               ", with no worker killed just before"
               for kind in KINDS for journey in result.journeys[kind]
               for moment in journey.cut_at if not cut_by_kill(moment, result.kills)]
    return errors


def log_problems(log: str, kills: list[Kill]) -> tuple[int, list[str]]:
    """(notices of the killed workers, every other error in the gunicorn log: tracebacks
    with their last line, [ERROR] and [CRITICAL] lines)."""
    killed = {kill.pid for kill in kills}
    notices, problems = 0, []
    lines = log.splitlines()
    for index, line in enumerate(lines):
        notice = KILLED_NOTICE.search(line)
        if notice and int(notice.group(1)) in killed:
            notices += 1
        elif "[ERROR]" in line or "[CRITICAL]" in line:
            problems.append(line.strip())
        elif line.startswith("Traceback"):
            end = next((later for later in lines[index + 1:] if not later.startswith(" ")),
                       "")
            problems.append(f"Traceback … {end.strip()}")
    return notices, problems


def print_result(result: Result, arguments: argparse.Namespace) -> list[str]:
    """Print the figures; the targets missed."""
    print(f"\n{result.seconds / 60:.1f} minutes (with the clients finishing), "
          f"{arguments.workers} gunicorn workers and one enkat worker, think "
          f"{arguments.think:g} s; machine busy {result.machine_busy:.0%}, load average "
          f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"{'client':<9} {'clients':>7} {'rounds':>7} {'served':>7} {'cut':>5} {'errors':>6}")
    counts = {"deltagare": arguments.deltagare, "staff": arguments.staff,
              "downloads": arguments.downloads}
    for kind in KINDS:
        journeys = result.journeys[kind]
        requests = [request for journey in journeys for request in journey.requests]
        print(f"{kind:<9} {counts[kind]:>7} {len(journeys):>7} "
              f"{sum(1 for _, _, status in requests if status != CUT):>7} "
              f"{sum(1 for _, _, status in requests if status == CUT):>5} "
              f"{sum(1 for journey in journeys if journey.error):>6}")
    for kind in KINDS:
        types = Counter(name for journey in result.journeys[kind]
                        for name, _, status in journey.requests if status != CUT)
        print(f"  {kind}: " + ", ".join(f"{name} {n}" for name, n in types.items()))
    print(PERCENTILE_HEADER)
    every = []
    for kind in KINDS:
        served = [seconds for journey in result.journeys[kind]
                  for _, seconds, status in journey.requests if status != CUT]
        every += served
        if served:
            print(percentile_row(kind, served))
    if every:
        print(percentile_row("all", every) + f"   {len(every) / result.seconds:.0f} req/s")
    missed = []
    missed += print_errors(result)
    missed += print_kills_and_memory(result)
    missed += print_data(result)
    return missed


def print_errors(result: Result) -> list[str]:
    cuts = sum(1 for kind in KINDS for journey in result.journeys[kind]
               for moment in journey.cut_at if cut_by_kill(moment, result.kills))
    errors = other_errors(result)
    print(f"errors: {cuts} requests cut by a killed worker (each reloaded), "
          f"{len(errors)} other")
    for error in errors[:10]:
        print(f"  error: {error}")
    for error in result.warm_up_errors[:5]:
        print(f"  warm-up error: {error}")
    notices, problems = log_problems(result.log, result.kills)
    print(f"gunicorn log: {notices} notices of killed workers, {len(problems)} other errors")
    for problem in problems[:10]:
        print(f"  gunicorn: {problem}")
    return ["errors other than cut requests"] if errors or problems else []


def print_kills_and_memory(result: Result) -> list[str]:
    restarts = [kill.restart_seconds for kill in result.kills]
    restart = f"; a new worker ready after {max(restarts):.1f} s at most" if restarts else ""
    print(f"workers killed: {len(result.kills)}{restart}")
    start, end = result.start, result.end
    if not end.witness:
        print(f"memory: the witness worker {result.witness} died (see the gunicorn log); "
              f"mean of the {start.workers} live workers {start.mean / MB:.1f} MB after the "
              f"warm-up, at the end of {end.workers} {end.mean / MB:.1f} MB")
        return ["memory growth ≤ 20 % (not measured)"]
    growth = end.witness / start.witness - 1
    print(f"memory: witness worker {result.witness} (never killed) "
          f"{start.witness / MB:.1f} MB after the warm-up, {end.witness / MB:.1f} MB at "
          f"the end ({growth:+.1%}); mean of the {start.workers} live workers "
          f"{start.mean / MB:.1f} MB, at the end of {end.workers} {end.mean / MB:.1f} MB")
    return [] if growth <= MEMORY_GROWTH_TARGET else ["memory growth ≤ 20 %"]


def print_data(result: Result) -> list[str]:
    journeys = result.journeys["deltagare"]
    thanks = sum(1 for journey in journeys if journey.finished)
    cut_sends = sum(1 for journey in journeys
                    if any(kind == "send" and status == CUT
                           for kind, _, status in journey.requests))
    stored = result.stored
    print(f"data: {len(journeys)} links opened, {thanks} thanks pages seen, {cut_sends} "
          f"sends cut and sent again; stored {stored.submitted} submitted "
          f"({stored.complete} with exactly the answers sent), lost {stored.lost}, "
          f"duplicated {stored.duplicated}, differing {stored.differing}, "
          f"not sent {stored.unsent}, drafts left {stored.drafts}, "
          f"links not marked used {stored.links_unused}")
    broken = stored.lost or stored.duplicated or stored.differing
    return ["no lost, duplicated or differing response"] if broken else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--kill-every", type=float, default=60.0,
                        help="seconds between two killed workers")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--deltagare", type=int, default=20,
                        help="deltagare answering at once")
    parser.add_argument("--staff", type=int, default=3, help="personal working at once")
    parser.add_argument("--downloads", type=int, default=2,
                        help="administrators downloading reports at once")
    parser.add_argument("--download", nargs="+", choices=DOWNLOADS, default=list(DOWNLOADS),
                        help="what a downloading administrator fetches (default: all)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds a person takes to read or choose (0: no pause)")
    parser.add_argument("--seed", type=int, default=6)
    arguments = parser.parse_args()
    if arguments.workers < 2:
        parser.error("--workers must be at least 2: one is the witness, never killed")
    print(f"soak: {arguments.deltagare} deltagare, {arguments.staff} personal and "
          f"{arguments.downloads} downloading for {arguments.minutes:g} minutes, a worker "
          f"killed every {arguments.kill_every:g} s; targets: none lost or duplicated, no "
          f"error but cut requests, witness memory growth ≤ 20 %", flush=True)
    missed = print_result(run(arguments), arguments)
    print("targets met" if not missed else f"targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
