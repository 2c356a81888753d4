"""Load test: many deltagare answer `nns-deltagare-avslut` at once through gunicorn.

For each database (a temporary SQLite file; a throw-away PostgreSQL from
`tests/postgresql.py`) it migrates an empty database, creates a förbund, an insats and
one personal link per deltagare, starts gunicorn (`--workers`) on loopback with the
ENKAT_* environment, and lets `--deltagare` simulated deltagare answer at once: they open
their links within the first `--ramp` seconds (3 by default, each at a random moment),
and then all of them are answering together; the bench prints how many were under way at
the same moment and for how long (all 100, for about half of the run). Each is a browser of its
own (its own session cookie and connections) and does what a person with a
script-enabled browser does:
- opens the link (start), chooses English or Arabic now and then through the page's
  language links (language), and reads the start page (`--think` seconds, as on every
  page) before "Börja"; with every page it fetches the stylesheet and script the page
  links (static), at the address the page gives, unless it keeps them from before: the
  versioned addresses are answered "keep for a year", so a deltagare fetches the
  stylesheet with the start page and the script with the first question, once each
  (in production nginx serves them, see docs/deployment.md; here gunicorn does);
- on every step: gets the page (step), reads the form (CSRF token, field names, options),
  picks answers at random among the options offered, waits `--think` seconds (on
  average; 2 s, some 20 times quicker than the instrument's estimated 7 minutes) and the
  300 ms respond.js waits before saving, posts the page with
  go_to=save as respond.js does (save, 204; sometimes twice, after changing its mind),
  then posts "Nästa" (next, 303);
- gets the review page (review), posts "Skicka" (send, 303) and gets the thanks page.
Any status other than the one a browser expects is an error, and ends that journey.

Afterwards it reads the database: every link must have exactly one submitted response
with exactly the answers its deltagare gave, and no draft may be left behind.
It prints p50/p95/p99/max latency per request type, throughput, errors and the counts of
stored, lost, duplicated and differing responses. It asserts nothing; it exits non-zero
only when the run itself breaks.

The server runs with `ENKAT_PROFILE=true` (enkat/profiling.py), so each answer says the
worker CPU it cost and the SQL statements it ran; the table prints their mean per request
type (and the most statements one request of the type ran) beside the latencies. Then
the floor: the same deltagare, at once, each fetch `FLOOR_REQUESTS` times a page of a
minimal Flask + Flask-SQLAlchemy app that reads one row (bench/floor_app.py), served by
the same gunicorn setup against the same database; "× floor" is a type's CPU per request
over the floor's. CPU per request changes little when other work shares the machine;
the latencies do (the load average is printed beside them).

    .venv/bin/python bench/respond_load.py [--database sqlite|postgresql|both]
        [--deltagare 100] [--workers 4] [--think 2.0] [--ramp 3] [--client-processes 2]
        [--warm-up N] [--seed 4]

`--think 0` sends every request as soon as the last one is answered, and `--ramp 0` has
every link opened in the same instant: stress tests, not people. (With `--ramp 0` the
first requests queue behind each other, whatever the server does: 100 start pages at
some 3 ms of CPU each, and their stylesheets, keep 2 cores busy for some 0.2 s.)
Before the run, `--warm-up` deltagare (2 per worker) answer in an insats of their own, so
that the figures are not those of workers loading instruments and templates; their
figures are printed apart. The clients run in `--client-processes` processes, so that
parsing pages in one Python process does not hold up the timing of the others. The CPU
line says where the machine's time went (Linux /proc): on a shared machine, "the rest of
the machine" is other people's work, and the latencies suffer from it.
Targets (issue 4, §6; issue 18, §2): zero errors, zero lost or duplicated responses,
p95 ≤ 100 ms; at most 4 ms of worker CPU and 4 SQL statements per respondent request.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clients import (  # noqa: E402
    PERCENTILE_HEADER,
    Browser,
    Journey,
    Stored,
    answer_survey,
    at_once,
    bench_app,
    check_stored,
    cpu_since,
    machine_cpu,
    percentile_row,
    process_cpu,
    server_processes,
)

from enkat.services.organisation.forbund import create_forbund  # noqa: E402
from enkat.services.organisation.insatser import create_insats  # noqa: E402

INSTRUMENT = "nns-deltagare-avslut"
INSATS = "steget"
TIMEPOINT = "avslut"
#: The order the request types are printed in.
KINDS = ("start", "static", "language", "step", "save", "next", "review", "send", "thanks")
#: How many times each simulated deltagare fetches the floor's page.
FLOOR_REQUESTS = 10


# --- the deltagare, spread over processes -------------------------------------------


def run_clients(host: str, port: int, tokens: list[str], think: float, seeds: list[int],
                starts: list[float]) -> tuple[list[Journey], float]:
    """Many deltagare in one process, each on its own thread and starting at its moment
    (time.time()); their journeys and the CPU seconds this process spent."""
    cpu = time.process_time()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        journeys = list(pool.map(
            lambda each: answer_survey(host, port, *each),
            [(token, think, seed, start)
             for token, seed, start in zip(tokens, seeds, starts, strict=True)]))
    return journeys, time.process_time() - cpu


def simulate(port: int, tokens: list[str], arguments: argparse.Namespace
             ) -> tuple[list[Journey], float, float]:
    """All deltagare, spread over the client processes: (journeys, wall seconds, client
    CPU seconds)."""
    processes = max(1, min(arguments.client_processes, len(tokens)))
    begin_at = time.time() + 1.0  # every process is ready and waiting by then
    spread = random.Random(arguments.seed)
    starts = [begin_at + spread.uniform(0, arguments.ramp) for _ in tokens]
    seeds = [arguments.seed * 100_003 + index for index in range(len(tokens))]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = [pool.submit(run_clients, "127.0.0.1", port, tokens[index::processes],
                               arguments.think, seeds[index::processes],
                               starts[index::processes]) for index in range(processes)]
        results = [future.result() for future in futures]
    seconds = time.time() - begin_at
    journeys = [journey for chunk_journeys, _ in results for journey in chunk_journeys]
    return journeys, seconds, sum(cpu for _, cpu in results)


# --- where the CPU went (Linux /proc; zeros elsewhere) ---------------------------------


@dataclass(frozen=True)
class Cpu:
    """CPU seconds during the measured run."""

    workers: float = 0.0
    clients: float = 0.0
    database: float = 0.0
    machine_busy: float = 0.0
    machine_total: float = 0.0


# --- the server and its database -------------------------------------------------------


@contextlib.contextmanager
def empty_database(kind: str) -> Iterator[tuple[str, Path | None]]:
    """The URL of an empty database of this kind, removed afterwards, and the pid file of
    its server (None for SQLite)."""
    from tests.postgresql import PostgresServer

    if kind == "postgresql":
        server = PostgresServer.start()
        try:
            url = server.create_database("enkat_respond_load")
            yield url, server.folder / "data" / "postmaster.pid"
        finally:
            server.stop()
        return
    folder = Path(tempfile.mkdtemp(prefix="enkat-respond-load-"))
    try:
        yield f"sqlite:///{folder / 'respond-load.sqlite'}", None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare(url: str, deltagare: int, warm_up: int) -> tuple[list[str], list[str]]:
    """Migrate, then a förbund and personal links: (measured, warm-up) tokens, the
    warm-up ones in an insats of their own that the checks leave out."""
    from flask_migrate import upgrade

    from enkat.extensions import db
    from enkat.services.answering import invitations

    app = bench_app(url)
    with app.app_context():
        upgrade()
        forbund = create_forbund("lasttest", "Samordningsförbundet Lasttest")
        tokens = []
        for slug, links in ((INSATS, deltagare), ("uppvarmning", warm_up)):
            insats = create_insats(forbund, slug, slug.capitalize())
            tokens.append([invitations.create_invitation(insats, INSTRUMENT, TIMEPOINT)[1]
                           for _ in range(links)])
        db.session.commit()
        db.engine.dispose()
    return tokens[0], tokens[1]


# --- the run and its figures -----------------------------------------------------------


@dataclass
class Result:
    database: str
    journeys: list[Journey]
    seconds: float
    stored: Stored
    warm_up: list[Journey]
    cpu: Cpu
    floor: list[Journey]
    load: tuple[float, float, float]

    @property
    def requests(self) -> list[tuple[str, float, int]]:
        return [request for journey in self.journeys for request in journey.requests]

    @property
    def errors(self) -> list[str]:
        return [journey.error for journey in self.journeys if journey.error]


def run(kind: str, arguments: argparse.Namespace) -> Result:
    from tests.gunicorn import serve

    with empty_database(kind) as (url, pid_file):
        tokens, warm_up_tokens = prepare(url, arguments.deltagare, arguments.warm_up)
        with tempfile.TemporaryDirectory(prefix="enkat-gunicorn-") as folder:
            with serve(url, Path(folder), workers=arguments.workers,
                       environment=PROFILED) as server:
                warm_up, _ = run_clients("127.0.0.1", server.port, warm_up_tokens, 0.0,
                                         list(range(len(warm_up_tokens))),
                                         [0.0] * len(warm_up_tokens))
                journeys, seconds, cpu = measured(server.port, server.workers, pid_file,
                                                  tokens, arguments)
                load = os.getloadavg()
            log = server.log.read_text(errors="replace")
            server_errors = [line for line in log.splitlines()
                             if "[ERROR]" in line or "Traceback" in line]
        floor = run_floor(url, arguments)
        stored = check_stored(url, journeys, INSTRUMENT, INSATS)
    for line in server_errors[:10]:
        print(f"  gunicorn: {line}")
    return Result(kind, journeys, seconds, stored, warm_up, cpu, floor, load)


#: The server says what each request cost (enkat/profiling.py).
PROFILED = {"ENKAT_PROFILE": "true"}


def run_floor(url: str, arguments: argparse.Namespace) -> list[Journey]:
    """The floor's page (bench/floor_app.py) fetched `FLOOR_REQUESTS` times by each of
    `--deltagare` clients at once, through gunicorn with `--workers` workers; after a
    warm-up round of one request per client."""
    from tests.gunicorn import serve

    with tempfile.TemporaryDirectory(prefix="enkat-floor-") as folder:
        with serve(url, Path(folder), workers=arguments.workers,
                   application="bench.floor_app:app") as server:
            fetch_floor(server.port, arguments.deltagare, 1)
            return fetch_floor(server.port, arguments.deltagare, FLOOR_REQUESTS)


def fetch_floor(port: int, clients: int, times: int) -> list[Journey]:
    def client(index: int) -> Journey:
        journey = Journey(f"floor-{index}")
        browser = Browser("127.0.0.1", port, journey, agent="respond-load-floor")
        try:
            for _ in range(times):
                browser.get("floor", "/")
        finally:
            browser.close()
        return journey

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(client, range(clients)))


def measured(port: int, pids: list[int], pid_file: Path | None, tokens: list[str],
             arguments: argparse.Namespace) -> tuple[list[Journey], float, Cpu]:
    """The run, and the CPU the gunicorn workers, the clients, the database server and
    the whole machine spent on it."""
    workers, database = process_cpu(pids), process_cpu(server_processes(pid_file))
    busy, total = machine_cpu()
    journeys, seconds, clients = simulate(port, tokens, arguments)
    busy_after, total_after = machine_cpu()
    cpu = Cpu(workers=cpu_since(workers, process_cpu(pids)), clients=clients,
              database=cpu_since(database, process_cpu(server_processes(pid_file))),
              machine_busy=busy_after - busy, machine_total=total_after - total)
    return journeys, seconds, cpu


def print_result(result: Result, arguments: argparse.Namespace) -> None:
    requests = result.requests
    by_kind = defaultdict(list)
    for kind, seconds, _ in requests:
        by_kind[kind].append(seconds)
    finished = sum(1 for journey in result.journeys if journey.finished)
    together, seconds = at_once(result.journeys)
    print(f"\n{result.database}: {len(result.journeys)} deltagare opening their links within "
          f"{arguments.ramp:g} s, {arguments.workers} gunicorn workers, think "
          f"{arguments.think:g} s; {finished} finished; {together} answering at once for "
          f"{seconds:.0f} s")
    floor = Profile.of(result.floor, "floor")
    profiles = {kind: Profile.of(result.journeys, kind) for kind in KINDS}
    print(PERCENTILE_HEADER + PROFILE_HEADER)
    for kind in KINDS:
        if by_kind[kind]:
            print(percentile_row(kind, by_kind[kind]) + profiles[kind].row(floor))
    print(percentile_row("all", [seconds for _, seconds, _ in requests]))
    floor_seconds = [seconds for journey in result.floor for _, seconds, _ in journey.requests]
    if floor_seconds:
        print(percentile_row("floor", floor_seconds) + floor.row(floor)
              + "   (a minimal Flask + SQLAlchemy page reading one row, bench/floor_app.py)")
    print("load average during the run: " + " ".join(f"{each:.2f}" for each in result.load)
          + f" on {os.cpu_count()} cores (latencies suffer from others' work; CPU per "
          "request much less)")
    print(f"{len(requests):,} requests in {result.seconds:.1f} s: "
          f"{len(requests) / result.seconds:.0f} req/s; errors: {len(result.errors)}")
    for error in sorted(set(result.errors))[:10]:
        print(f"  error: {error}")
    print_cpu(result.cpu, len(requests))
    warm = [seconds for journey in result.warm_up for _, seconds, _ in journey.requests]
    if warm:
        errors = sum(1 for journey in result.warm_up if journey.error)
        print(percentile_row("warm-up", warm) + f"   ({len(result.warm_up)} deltagare at "
              f"once on the fresh workers before the run, not counted; errors: {errors})")
    stored = result.stored
    print(f"stored: {stored.submitted} submitted of {len(result.journeys)} "
          f"({stored.complete} with exactly the answers sent), lost {stored.lost}, "
          f"not sent {stored.unsent}, "
          f"duplicated {stored.duplicated}, differing {stored.differing}, "
          f"drafts left {stored.drafts}, links not marked used {stored.links_unused}")


PROFILE_HEADER = f" {'CPU ms':>7} {'SQL':>5} {'max':>4} {'× floor':>8}"


@dataclass(frozen=True)
class Profile:
    """Worker CPU and SQL statements of one request type, as the server reported them."""

    requests: int = 0
    cpu_ms: float = 0.0
    statements: float = 0.0
    most_statements: int = 0

    @classmethod
    def of(cls, journeys: list[Journey], kind: str) -> Profile:
        rows = [(cpu, statements) for journey in journeys
                for each, cpu, statements in journey.profile if each == kind]
        if not rows:
            return cls()
        return cls(len(rows), sum(cpu for cpu, _ in rows) / len(rows),
                   sum(statements for _, statements in rows) / len(rows),
                   max(statements for _, statements in rows))

    def row(self, floor: Profile) -> str:
        if not self.requests:
            return ""
        ratio = f"{self.cpu_ms / floor.cpu_ms:>7.1f}×" if floor.cpu_ms else ""
        return (f" {self.cpu_ms:>7.2f} {self.statements:>5.1f} {self.most_statements:>4} "
                f"{ratio:>8}")


def print_cpu(cpu: Cpu, requests: int) -> None:
    if not cpu.machine_total:
        return
    rest = cpu.machine_busy - cpu.workers - cpu.clients - cpu.database

    def per_request(seconds: float) -> str:
        return f"{seconds * 1000 / requests:.1f} ms"

    database = f", PostgreSQL {per_request(cpu.database)}" if cpu.database else ""
    print(f"CPU per request: gunicorn workers {per_request(cpu.workers)}{database}, simulated "
          f"browsers {per_request(cpu.clients)}, the rest of the machine "
          f"{per_request(rest)}; machine busy {cpu.machine_busy / cpu.machine_total:.0%} "
          f"of {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--deltagare", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds a deltagare takes per question (0: no pause)")
    parser.add_argument("--ramp", type=float, default=3.0,
                        help="the deltagare open their links within this many seconds "
                             "(0: all in the same instant)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--warm-up", type=int, default=None,
                        help="deltagare answering before the run (default: 2 per worker)")
    arguments = parser.parse_args()
    if arguments.warm_up is None:
        arguments.warm_up = 2 * arguments.workers
    from tests.postgresql import PostgresUnavailable

    kinds = ("sqlite", "postgresql") if arguments.database == "both" else (arguments.database,)
    print(f"{arguments.deltagare} deltagare answer {INSTRUMENT} through personal links; "
          f"targets: no errors, none lost or duplicated, p95 ≤ 100 ms", flush=True)
    for kind in kinds:
        try:
            print_result(run(kind, arguments), arguments)
        except PostgresUnavailable as missing:
            print(f"\n{kind}: skipped ({missing})")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
