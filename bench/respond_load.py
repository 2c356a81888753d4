"""Load test: many deltagare answer `nns-deltagare-avslut` at once through gunicorn.

For each database (a temporary SQLite file; a throw-away PostgreSQL from
`tests/postgresql.py`) it migrates an empty database, creates a förbund, an insats and
one personal link per deltagare, starts gunicorn (`--workers`) on loopback with the
ENKAT_* environment, and lets `--deltagare` simulated deltagare start at the same moment.
Each is a browser of its own (its own session cookie and connections) and does what a
person with a script-enabled browser does:
- opens the link (start), fetches the stylesheet and script once (static), and chooses
  English or Arabic now and then through the page's language links (language);
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

    .venv/bin/python bench/respond_load.py [--database sqlite|postgresql|both]
        [--deltagare 100] [--workers 4] [--think 2.0] [--ramp 0] [--client-processes 2]
        [--warm-up N] [--seed 4]

`--think 0` sends every request as soon as the last one is answered (a stress test, not
people); `--ramp 30` starts the deltagare spread over 30 s instead of in the same second.
Before the run, `--warm-up` deltagare (2 per worker) answer in an insats of their own, so
that the figures are not those of workers loading instruments and templates; their
figures are printed apart. The clients run in `--client-processes` processes, so that
parsing pages in one Python process does not hold up the timing of the others. The CPU
line says where the machine's time went (Linux /proc): on a shared machine, "the rest of
the machine" is other people's work, and the latencies suffer from it.
Targets (issue 4, §6): zero errors, zero lost or duplicated responses, p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INSTRUMENT = "nns-deltagare-avslut"
INSATS = "steget"
TIMEPOINT = "avslut"
#: respond.js saves 300 ms after the last change.
SAVE_DEBOUNCE = 0.3
#: The order the request types are printed in.
KINDS = ("start", "static", "language", "step", "save", "next", "review", "send", "thanks")
#: Share of deltagare who switch language, and share who change an answer before "Nästa".
SWITCH_LANGUAGE = 0.3
CHANGE_MIND = 0.2
REQUEST_TIMEOUT = 60


# --- reading pages ---------------------------------------------------------------------


@dataclass
class Form:
    """A form as a browser sees it: where it posts, what it sends unasked, its choices."""

    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    #: field name -> the values its radio buttons or checkboxes offer ("" left out)
    choices: dict[str, list[str]] = field(default_factory=dict)
    multiple: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    #: (name, value) of the submit buttons
    buttons: list[tuple[str, str]] = field(default_factory=list)
    #: names of fields a person would have to type into
    typed: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    """The forms, the primary link and the language links of a respondent page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.primary_link: str | None = None
        self.languages: dict[str, str] = {}
        self._required = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(action=found.get("action", "")))
        elif tag == "fieldset":
            self._required = found.get("aria-required") == "true"
        elif tag == "a":
            self._link(found)
        elif tag in ("input", "button", "textarea", "select") and self.forms:
            self._field(tag, found, self.forms[-1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._required = False

    def _link(self, found: dict[str, str]) -> None:
        if "hreflang" in found:
            self.languages[found["hreflang"]] = found["href"]
        elif "primary" in found.get("class", "").split() and self.primary_link is None:
            self.primary_link = found.get("href")

    def _field(self, tag: str, found: dict[str, str], form: Form) -> None:
        name, kind = found.get("name"), found.get("type", "text" if tag != "button" else "submit")
        if not name:
            return
        if kind == "hidden":
            form.hidden[name] = found.get("value", "")
        elif kind == "submit":
            form.buttons.append((name, found.get("value", "")))
        elif kind in ("radio", "checkbox"):
            offered = form.choices.setdefault(name, [])
            if found.get("value"):
                offered.append(found["value"])
            if kind == "checkbox":
                form.multiple.add(name)
            if self._required or "aria-required" in found:
                form.required.add(name)
        else:
            form.typed.add(name)
            if "aria-required" in found:
                form.required.add(name)


def read_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def choose_answers(form: Form, chance: random.Random) -> dict[str, list[str]]:
    """Random answers among the options the form offers; an optional question is now and
    then left unanswered, as people do. Typed fields are not simulated."""
    required_typed = form.typed & form.required
    if required_typed:
        raise ValueError(f"cannot answer typed fields {sorted(required_typed)}")
    answers = {}
    for name, offered in form.choices.items():
        if name not in form.required and chance.random() < 0.1:
            answers[name] = []
        elif name in form.multiple:
            answers[name] = sorted(chance.sample(offered, chance.randint(1, len(offered))))
        else:
            answers[name] = [chance.choice(offered)]
    return answers


# --- one simulated browser -------------------------------------------------------------


class Unexpected(Exception):
    """A response a browser would not expect: the journey ends here."""


@dataclass
class Journey:
    """What one deltagare did and saw; `answers` by item id, as finally sent."""

    token: str
    requests: list[tuple[str, float, int]] = field(default_factory=list)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error: str | None = None
    finished: bool = False


class Browser:
    """One person's browser: a cookie jar, HTTP/1.1 to the server, every request timed."""

    def __init__(self, host: str, port: int, journey: Journey) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.journey = journey

    def get(self, kind: str, path: str, expect: int = 200) -> tuple[str, str]:
        return self._send(kind, "GET", path, None, None, expect)

    def post(self, kind: str, path: str, fields: list[tuple[str, str]], expect: int,
             multipart: bool = False) -> tuple[str, str]:
        content_type, body = (encode_multipart(fields) if multipart
                              else encode_urlencoded(fields))
        return self._send(kind, "POST", path, body, content_type, expect)

    def _send(self, kind: str, method: str, path: str, body: bytes | None,
              content_type: str | None, expect: int) -> tuple[str, str]:
        """(body, Location) of the response; the time is from sending to the last byte."""
        headers = {"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5", "User-Agent": "respond-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as failed:
            self.connection.close()
            self.journey.requests.append((kind, time.perf_counter() - start, 0))
            raise Unexpected(f"{kind} {method}: {type(failed).__name__}: {failed}") from None
        self.journey.requests.append((kind, time.perf_counter() - start, response.status))
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        if response.status != expect:
            raise Unexpected(f"{kind} {method}: {response.status}, expected {expect}")
        return content.decode("utf-8"), response.headers.get("Location", "")

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def close(self) -> None:
        self.connection.close()


def encode_urlencoded(fields: list[tuple[str, str]]) -> tuple[str, bytes]:
    from urllib.parse import urlencode

    return "application/x-www-form-urlencoded", urlencode(fields).encode("utf-8")


def encode_multipart(fields: list[tuple[str, str]]) -> tuple[str, bytes]:
    """What `fetch` sends for a FormData body."""
    boundary = f"----enkatload{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return (f"multipart/form-data; boundary={boundary}",
            ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8"))


def form_fields(form: Form, answers: dict[str, list[str]]) -> list[tuple[str, str]]:
    fields = list(form.hidden.items())
    fields.extend((name, value) for name, values in answers.items() for value in values)
    return fields


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class Pace:
    """How long a person takes; all zero with `--think 0`."""

    think: float
    chance: random.Random

    def wait(self, share: float = 1.0) -> None:
        if self.think > 0:
            time.sleep(self.think * share * self.chance.uniform(0.5, 1.5))

    def before_save(self) -> None:
        self.wait()
        if self.think > 0:
            time.sleep(SAVE_DEBOUNCE)


def answer_survey(host: str, port: int, token: str, think: float, seed: int,
                  start_at: float = 0.0) -> Journey:
    """One deltagare from opening the link (at `start_at`, time.time()) to the thank-you
    page."""
    time.sleep(max(0.0, start_at - time.time()))
    journey = Journey(token)
    chance = random.Random(seed)
    browser = Browser(host, port, journey)
    try:
        _walk(browser, f"/s/{token}", Pace(think, chance), chance)
        journey.finished = True
    except (Unexpected, ValueError) as failed:
        journey.error = str(failed)
    finally:
        browser.close()
    return journey


def _walk(browser: Browser, start: str, pace: Pace, chance: random.Random) -> None:
    page = read_page(browser.get("start", start)[0])
    browser.get("static", "/static/respond.css")
    if chance.random() < SWITCH_LANGUAGE and page.languages:
        pace.wait(0.5)
        language = chance.choice([code for code in page.languages if code != "sv"])
        page = read_page(browser.get("language", urljoin(start, page.languages[language]))[0])
    if page.primary_link is None:
        raise Unexpected("start: no link to begin with")
    location = page.primary_link
    browser.get("static", "/static/respond.js")
    while "/fraga/" in location:
        location = _answer_step(browser, path_of(location), pace, chance)
    _send(browser, path_of(location), pace)


def _answer_step(browser: Browser, path: str, pace: Pace, chance: random.Random) -> str:
    """Answer one step as respond.js and "Nästa" do; where the page sends us next."""
    forms = read_page(browser.get("step", path)[0]).forms
    if not forms:
        raise Unexpected(f"step {path}: no form")
    form = forms[0]
    action = path_of(form.action or path)
    answers: dict[str, list[str]] = {}
    for _ in range(2 if chance.random() < CHANGE_MIND else 1):
        pace.before_save()
        answers = choose_answers(form, chance)
        browser.post("save", action, form_fields(form, answers) + [("go_to", "save")], 204,
                     multipart=True)
    pace.wait(0.25)
    fields = form_fields(form, answers) + [("go_to", "next")]
    location = browser.post("next", action, fields, 303)[1]
    for name, values in answers.items():
        item_id = name.removeprefix("answer-")
        if values:
            browser.journey.answers[item_id] = tuple(values)
        else:  # left empty: "Nästa" clears what a save may have kept
            browser.journey.answers.pop(item_id, None)
    return location


def _send(browser: Browser, path: str, pace: Pace) -> None:
    if not path.endswith("/granska"):
        raise Unexpected(f"next: sent to {path}, expected the review page")
    forms = read_page(browser.get("review", path)[0]).forms
    if not forms:
        raise Unexpected("review: no form")
    pace.wait(0.5)
    location = browser.post("send", path_of(forms[0].action or path),
                            list(forms[0].hidden.items()), 303)[1]
    browser.get("thanks", path_of(location))


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


def process_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each of these processes has used so far."""
    used = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings; a process new since `before` counts whole."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def server_processes(pid_file: Path | None) -> list[int]:
    """The PostgreSQL server and its backends (the children of the postmaster)."""
    try:
        postmaster = int(pid_file.read_text().split()[0]) if pid_file else None
    except (OSError, ValueError, IndexError):
        return []
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(stat.parent.name))
    return [postmaster, *children] if postmaster else []


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores."""
    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return (total - idle) / os.sysconf("SC_CLK_TCK"), total / os.sysconf("SC_CLK_TCK")


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


def bench_app(url: str):
    from enkat import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def prepare(url: str, deltagare: int, warm_up: int) -> tuple[list[str], list[str]]:
    """Migrate, then a förbund and personal links: (measured, warm-up) tokens, the
    warm-up ones in an insats of their own that the checks leave out."""
    from flask_migrate import upgrade

    from enkat.extensions import db
    from enkat.services import invitations, organisation

    app = bench_app(url)
    with app.app_context():
        upgrade()
        forbund = organisation.create_forbund("lasttest", "Samordningsförbundet Lasttest")
        tokens = []
        for slug, links in ((INSATS, deltagare), ("uppvarmning", warm_up)):
            insats = organisation.create_insats(forbund, slug, slug.capitalize())
            tokens.append([invitations.create_invitation(insats, INSTRUMENT, TIMEPOINT)[1]
                           for _ in range(links)])
        db.session.commit()
        db.engine.dispose()
    return tokens[0], tokens[1]


# --- checking what was stored ----------------------------------------------------------


@dataclass
class Stored:
    """What the database holds, compared with what the deltagare sent."""

    responses: int = 0
    submitted: int = 0
    drafts: int = 0
    complete: int = 0
    lost: int = 0
    duplicated: int = 0
    differing: int = 0
    links_unused: int = 0


def check_stored(url: str, journeys: list[Journey]) -> Stored:
    from sqlalchemy import text

    from enkat.extensions import db
    from enkat.services.tokens import hash_token

    app = bench_app(url)
    with app.app_context():
        responses = db.session.execute(text(
            "SELECT i.token_hash, r.id, r.submitted_at, i.used_at FROM responses r "
            "JOIN instrument_versions v ON v.id = r.instrument_version_id "
            "JOIN insatser s ON s.id = r.insats_id "
            "LEFT JOIN invitations i ON i.id = r.invitation_id "
            "WHERE v.instrument_id = :instrument AND s.slug = :insats"),
            {"instrument": INSTRUMENT, "insats": INSATS}).all()
        answers = defaultdict(lambda: defaultdict(list))
        for response_id, item_id, value in db.session.execute(text(
                "SELECT response_id, item_id, value FROM answers ORDER BY position")):
            answers[response_id][item_id].append(value)
        db.engine.dispose()
    by_link = defaultdict(list)
    for token_hash, response_id, submitted_at, used_at in responses:
        by_link[token_hash].append((response_id, submitted_at, used_at))
    stored = Stored(responses=len(responses),
                    submitted=sum(1 for row in responses if row.submitted_at is not None),
                    drafts=sum(1 for row in responses if row.submitted_at is None))
    stored.duplicated = sum(len(rows) - 1 for rows in by_link.values() if len(rows) > 1)
    stored.duplicated += len(set(by_link) - {hash_token(j.token) for j in journeys})
    for journey in journeys:
        _compare(stored, journey, by_link.get(hash_token(journey.token), []), answers)
    return stored


def _compare(stored: Stored, journey: Journey, rows: list, answers: dict) -> None:
    submitted = [row for row in rows if row[1] is not None]
    if not submitted:
        stored.lost += 1
        return
    response_id, _, used_at = submitted[0]
    saved = {item: tuple(values) for item, values in answers[response_id].items()}
    if saved == journey.answers:
        stored.complete += 1
    else:
        stored.differing += 1
    if used_at is None:
        stored.links_unused += 1


# --- the run and its figures -----------------------------------------------------------


@dataclass
class Result:
    database: str
    journeys: list[Journey]
    seconds: float
    stored: Stored
    warm_up: list[Journey]
    cpu: Cpu

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
            with serve(url, Path(folder), workers=arguments.workers) as server:
                warm_up, _ = run_clients("127.0.0.1", server.port, warm_up_tokens, 0.0,
                                         list(range(len(warm_up_tokens))),
                                         [0.0] * len(warm_up_tokens))
                journeys, seconds, cpu = measured(server.port, server.workers, pid_file,
                                                  tokens, arguments)
            log = server.log.read_text(errors="replace")
            server_errors = [line for line in log.splitlines()
                             if "[ERROR]" in line or "Traceback" in line]
        stored = check_stored(url, journeys)
    for line in server_errors[:10]:
        print(f"  gunicorn: {line}")
    return Result(kind, journeys, seconds, stored, warm_up, cpu)


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


def percentile_row(label: str, seconds: list[float]) -> str:
    cuts = (statistics.quantiles(seconds, n=100, method="inclusive") if len(seconds) > 1
            else seconds * 99)
    figures = [cuts[49], cuts[94], cuts[98], max(seconds)]
    return f"{label:<9} {len(seconds):>6} " + " ".join(f"{s * 1000:>8.1f}" for s in figures)


def print_result(result: Result, arguments: argparse.Namespace) -> None:
    requests = result.requests
    by_kind = defaultdict(list)
    for kind, seconds, _ in requests:
        by_kind[kind].append(seconds)
    finished = sum(1 for journey in result.journeys if journey.finished)
    print(f"\n{result.database}: {len(result.journeys)} deltagare at once, "
          f"{arguments.workers} gunicorn workers, think {arguments.think:g} s; "
          f"{finished} finished")
    print(f"{'request':<9} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in KINDS:
        if by_kind[kind]:
            print(percentile_row(kind, by_kind[kind]))
    print(percentile_row("all", [seconds for _, seconds, _ in requests]))
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
          f"duplicated {stored.duplicated}, differing {stored.differing}, "
          f"drafts left {stored.drafts}, links not marked used {stored.links_unused}")


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
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="start the deltagare spread over this many seconds (0: at once)")
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
