"""What the benches that drive enkat through gunicorn share (`respond_load`, `soak`).

- reading pages as a browser does: forms, their hidden and typed values, the links;
- one simulated browser (`Browser`): a cookie jar, HTTP/1.1, every request timed, the
  stylesheets and scripts a page links fetched with it unless the browser keeps them
  (their answer said `max-age`, as enkat's versioned static files do); with
  `retries` it does what a person does when a request is cut (the server closed the
  connection without an answer): reloads, that is sends the same request again;
- a deltagare answering through a personal link (`answer_survey`), step by step with the
  saves respond.js makes, and the steps and the send on their own (`answer_steps`,
  `send_answers`) for other ways into the same pages;
- what the database holds afterwards, compared with what the deltagare sent
  (`check_stored`);
- percentiles, and CPU and memory of processes read from Linux /proc (zeros elsewhere).

Not a bench of its own: `make bench` leaves it out. Its page reading is tested in
tests/unit/test_bench_clients.py.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from enkat.profiling import CPU_HEADER, STATEMENTS_HEADER

#: respond.js saves 300 ms after the last change.
SAVE_DEBOUNCE = 0.3
#: Share of deltagare who switch language, and share who change an answer before "Nästa".
SWITCH_LANGUAGE = 0.3
CHANGE_MIND = 0.2
REQUEST_TIMEOUT = 60
#: The status recorded for a request cut before any answer came.
CUT = 0
#: How long a person looks at the broken page before reloading it.
RELOAD_PAUSE = 0.5


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
    #: what the typed fields hold already (a default date, a value filled in by the link)
    values: dict[str, str] = field(default_factory=dict)


class PageParser(HTMLParser):
    """The forms, the links, the primary link, the language links and the files a browser
    fetches with the page (stylesheets and scripts) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.primary_link: str | None = None
        self.languages: dict[str, str] = {}
        self.assets: list[str] = []
        self._required = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(action=found.get("action", "")))
        elif tag == "fieldset":
            self._required = found.get("aria-required") == "true"
        elif tag == "a":
            self._link(found)
        elif tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.assets.append(found["href"])
        elif tag == "script" and found.get("src"):
            self.assets.append(found["src"])
        elif tag in ("input", "button", "textarea", "select") and self.forms:
            self._field(tag, found, self.forms[-1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._required = False

    def _link(self, found: dict[str, str]) -> None:
        if "href" in found:
            self.links.append(found["href"])
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
            if "value" in found:
                form.values[name] = found["value"]
            if "aria-required" in found:
                form.required.add(name)


def read_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def main_form(forms: list[Form]) -> Form | None:
    """The page's own form: the first but the sign-out form of a signed-in page."""
    return next((form for form in forms if not form.action.endswith("/logout")), None)


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


class Cut(Unexpected):
    """The connection closed before an answer came, and reloading did not help."""


@dataclass
class Journey:
    """What one client did and saw in one go (a deltagare: one link, `token`);
    `answers` by item id, as finally sent."""

    token: str
    requests: list[tuple[str, float, int]] = field(default_factory=list)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (kind, worker CPU ms, SQL statements) of each request a profiling server answered
    #: (`ENKAT_PROFILE`, enkat/profiling.py)
    profile: list[tuple[str, float, int]] = field(default_factory=list)
    #: time.time() of every cut request
    cut_at: list[float] = field(default_factory=list)
    error: str | None = None
    finished: bool = False
    #: time.time() of its first request and of the end of its last
    began: float = 0.0
    ended: float = 0.0

    def sent(self) -> bool:
        """Whether "Skicka" was posted at all, answered or cut."""
        return any(kind == "send" for kind, _, _ in self.requests)


class Browser:
    """One person's browser: a cookie jar, HTTP/1.1 to the server, every request timed.

    A request cut before any answer came (a killed worker, a reset connection) is sent
    again up to `retries` times after a short pause, as a person reloads the page; every
    cut is recorded with status `CUT`. A time-out is never retried: that is no cut."""

    def __init__(self, host: str, port: int, journey: Journey, *, retries: int = 0,
                 agent: str = "respond-load") -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}
        #: Addresses whose answer this browser keeps (a `max-age` in Cache-Control): it
        #: asks for them once, as a browser with a cache does.
        self.kept: set[str] = set()
        self.journey = journey
        self.retries = retries
        self.agent = agent

    def get(self, kind: str, path: str, expect: int = 200) -> tuple[str, str]:
        content, location = self._send(kind, "GET", path, None, None, (expect,))
        return content.decode("utf-8"), location

    def page(self, kind: str, path: str) -> PageParser:
        """A page read, and the stylesheets and scripts it links fetched (as `static`)
        unless kept from before."""
        page = read_page(self.get(kind, path)[0])
        for asset in page.assets:
            if asset not in self.kept:
                self.get("static", asset)
        return page

    def download(self, kind: str, path: str) -> bytes:
        return self._send(kind, "GET", path, None, None, (200,))[0]

    def prepared_download(self, kind: str, path: str, refresh: float) -> bytes:
        """A file built on the worker: ask (303 to its waiting page), reload that page
        every `refresh` seconds as its `<meta http-equiv="refresh">` does until it offers
        the file, then fetch it. The waiting page's requests count as `kind`-wait."""
        _, waiting = self._send(kind, "GET", path, None, None, (303,))
        waiting = urlsplit(waiting).path
        while True:
            page = self.get(f"{kind}-wait", waiting)[0]
            if "Filen är klar" in page:
                return self.download(kind, f"{waiting}/hamta")
            if "Filen förbereds" not in page:
                raise Unexpected(f"{kind}: the file was not made: {page[:300]}")
            time.sleep(refresh)

    def post(self, kind: str, path: str, fields: list[tuple[str, str]], expect: int,
             *, also: tuple[int, ...] = ()) -> tuple[str, str]:
        """POST a form, url-encoded as browsers and respond.js send it; `also`: further
        statuses a person takes in their stride."""
        content_type, body = encode_urlencoded(fields)
        content, location = self._send(kind, "POST", path, body, content_type,
                                       (expect, *also))
        return content.decode("utf-8"), location

    def _send(self, kind: str, method: str, path: str, body: bytes | None,
              content_type: str | None, expect: tuple[int, ...]) -> tuple[bytes, str]:
        """(body, Location) of the response; the time is from sending to the last byte."""
        headers = {"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5", "User-Agent": self.agent}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in range(self.retries + 1):
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            start = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except TimeoutError:
                self.connection.close()
                self.journey.requests.append((kind, time.perf_counter() - start, CUT))
                raise Unexpected(f"{kind} {method}: no answer in {REQUEST_TIMEOUT} s") from None
            except (OSError, http.client.HTTPException) as failed:
                self.connection.close()
                self.journey.requests.append((kind, time.perf_counter() - start, CUT))
                self.journey.cut_at.append(time.time())
                if attempt == self.retries:
                    raise Cut(f"{kind} {method}: {type(failed).__name__}: {failed}") from None
                time.sleep(RELOAD_PAUSE)
        self.journey.requests.append((kind, time.perf_counter() - start, response.status))
        self._keep_profile(kind, response)
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        if method == "GET" and response.status == 200 and may_keep(
                response.headers.get("Cache-Control", "")):
            self.kept.add(path)
        if response.status not in expect:
            raise Unexpected(f"{kind} {method} {urlsplit(path).path}: {response.status}, "
                             f"expected {' or '.join(map(str, expect))}")
        return content, response.headers.get("Location", "")

    def _keep_profile(self, kind: str, response: http.client.HTTPResponse) -> None:
        cpu = response.headers.get(CPU_HEADER)
        if cpu is not None:
            statements = int(response.headers.get(STATEMENTS_HEADER, "0"))
            self.journey.profile.append((kind, float(cpu), statements))

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def close(self) -> None:
        self.connection.close()


def may_keep(cache_control: str) -> bool:
    """Whether a browser keeps an answer with this Cache-Control header for the length of
    a journey: a positive `max-age`, and no `no-store`."""
    directives = dict(part.strip().partition("=")[::2]
                      for part in cache_control.lower().split(","))
    max_age = directives.get("max-age", "")
    return "no-store" not in directives and max_age.isdigit() and int(max_age) > 0


def encode_urlencoded(fields: list[tuple[str, str]]) -> tuple[str, bytes]:
    return "application/x-www-form-urlencoded", urlencode(fields).encode("utf-8")


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


# --- answering a survey ------------------------------------------------------------------


def answer_survey(host: str, port: int, token: str, think: float, seed: int,
                  start_at: float = 0.0, *, retries: int = 0) -> Journey:
    """One deltagare from opening the link (at `start_at`, time.time()) to the thank-you
    page; `retries`: how often a cut request is reloaded (see `Browser`)."""
    time.sleep(max(0.0, start_at - time.time()))
    journey = Journey(token, began=time.time())
    chance = random.Random(seed)
    browser = Browser(host, port, journey, retries=retries)
    try:
        _walk(browser, f"/s/{token}", Pace(think, chance), chance)
        journey.finished = True
    except (Unexpected, ValueError) as failed:
        journey.error = str(failed)
    finally:
        browser.close()
        journey.ended = time.time()
    return journey


def _walk(browser: Browser, start: str, pace: Pace, chance: random.Random) -> None:
    page = browser.page("start", start)
    if chance.random() < SWITCH_LANGUAGE and page.languages:
        pace.wait(0.5)
        language = chance.choice([code for code in page.languages if code != "sv"])
        page = browser.page("language", urljoin(start, page.languages[language]))
    if page.primary_link is None:
        raise Unexpected("start: no link to begin with")
    pace.wait()  # reads what the survey is for, who sees the answers, then "Börja"
    send_answers(browser, answer_steps(browser, page.primary_link, pace, chance), pace)


def answer_steps(browser: Browser, location: str, pace: Pace, chance: random.Random) -> str:
    """Answer every step from `location` on; the review page the last one leads to."""
    while "/fraga/" in location:
        location = _answer_step(browser, path_of(location), pace, chance)
    return path_of(location)


def _answer_step(browser: Browser, path: str, pace: Pace, chance: random.Random) -> str:
    """Answer one step as respond.js and "Nästa" do; where the page sends us next."""
    form = main_form(browser.page("step", path).forms)
    if form is None:
        raise Unexpected(f"step {path}: no form")
    action = path_of(form.action or path)
    answers: dict[str, list[str]] = {}
    for _ in range(2 if chance.random() < CHANGE_MIND else 1):
        pace.before_save()
        answers = choose_answers(form, chance)
        browser.post("save", action, form_fields(form, answers) + [("go_to", "save")], 204)
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


def send_answers(browser: Browser, path: str, pace: Pace) -> None:
    """The review page, "Skicka" and the page it leads to (thanks, or the next form)."""
    if not path.endswith("/granska"):
        raise Unexpected(f"next: sent to {path}, expected the review page")
    form = main_form(browser.page("review", path).forms)
    if form is None:
        raise Unexpected("review: no form")
    pace.wait(0.5)
    location = browser.post("send", path_of(form.action or path), list(form.hidden.items()),
                            303)[1]
    browser.page("thanks", path_of(location))


# --- checking what was stored ----------------------------------------------------------


def bench_app(url: str):
    from enkat import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


@dataclass
class Stored:
    """What the database holds, compared with what the deltagare sent."""

    responses: int = 0
    submitted: int = 0
    drafts: int = 0
    complete: int = 0
    #: sent ("Skicka" posted, answered or cut) and no submitted response
    lost: int = 0
    #: never sent, and rightly nothing submitted
    unsent: int = 0
    duplicated: int = 0
    differing: int = 0
    links_unused: int = 0


def check_stored(url: str, journeys: list[Journey], instrument: str, insats: str) -> Stored:
    """Every link of `insats` must have at most one submitted response of `instrument`,
    exactly one once its deltagare sent, with exactly the answers sent; any response of
    a link no deltagare had is a duplicate."""
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
            {"instrument": instrument, "insats": insats}).all()
        answers = defaultdict(lambda: defaultdict(list))
        for response_id, item_id, value in db.session.execute(text(
                "SELECT a.response_id, a.item_id, a.value FROM answers a "
                "JOIN responses r ON r.id = a.response_id "
                "JOIN insatser s ON s.id = r.insats_id WHERE s.slug = :insats "
                "ORDER BY a.position"), {"insats": insats}):
            answers[response_id][item_id].append(value)
        db.engine.dispose()
    by_link = defaultdict(list)
    for token_hash, response_id, submitted_at, used_at in responses:
        if submitted_at is not None:
            by_link[token_hash].append((response_id, used_at))
    stored = Stored(responses=len(responses),
                    submitted=sum(1 for row in responses if row.submitted_at is not None),
                    drafts=sum(1 for row in responses if row.submitted_at is None))
    stored.duplicated = sum(len(rows) - 1 for rows in by_link.values() if len(rows) > 1)
    stored.duplicated += len(set(by_link) - {hash_token(j.token) for j in journeys})
    for journey in journeys:
        _compare(stored, journey, by_link.get(hash_token(journey.token), []), answers)
    return stored


def _compare(stored: Stored, journey: Journey, submitted: list, answers: dict) -> None:
    if not submitted:
        if journey.sent():
            stored.lost += 1
        else:
            stored.unsent += 1
        return
    response_id, used_at = submitted[0]
    saved = {item: tuple(values) for item, values in answers[response_id].items()}
    if saved == journey.answers:
        stored.complete += 1
    else:
        stored.differing += 1
    if used_at is None:
        stored.links_unused += 1


# --- figures -----------------------------------------------------------------------------


def at_once(journeys: list[Journey]) -> tuple[int, float]:
    """The most journeys under way at the same moment, and for how many seconds in all
    that many were."""
    changes = sorted([(journey.began, 1) for journey in journeys]
                     + [(journey.ended, -1) for journey in journeys])
    most, seconds, under_way, since = 0, 0.0, 0, 0.0
    for moment, change in changes:
        if under_way == most and most:
            seconds += moment - since
        under_way += change
        if under_way > most:
            most, seconds = under_way, 0.0
        since = moment
    return most, seconds


def percentile_row(label: str, seconds: list[float]) -> str:
    """n, p50, p95, p99 and max in milliseconds."""
    cuts = (statistics.quantiles(seconds, n=100, method="inclusive") if len(seconds) > 1
            else seconds * 99)
    figures = [cuts[49], cuts[94], cuts[98], max(seconds)]
    return f"{label:<9} {len(seconds):>6} " + " ".join(f"{s * 1000:>8.1f}" for s in figures)


PERCENTILE_HEADER = (f"{'request':<9} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
                     f"{'max ms':>8}")


# --- CPU and memory of processes (Linux /proc; zeros elsewhere) --------------------------


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


def process_rss(pid: int) -> int | None:
    """Resident memory of a process in bytes (VmRSS), None when it is gone."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


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
