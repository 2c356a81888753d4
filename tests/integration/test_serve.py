"""`enkat serve --demo`, the command `make run` runs, serves every visitor like the
production `gunicorn wsgi:app`: the real console script in a subprocess on a free
loopback port, talked to over HTTP by visitors with cookie jars of their own.

Under the command as it was (gunicorn inside the command's application context) every
request of a worker shared `g`, so the first visitor got "Tjänsten är tillfälligt
otillgänglig" and every later one Werkzeug's English "400 Bad Request – The CSRF session
token is missing", all with one CSRF token. The demo loads once per database for the
module (20–40 s).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import sqlite3
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import default_exceptions

from enkat.demo import DEMO_PASSWORD
from tests.gunicorn import stop_process
from tests.postgresql import free_port
from tests.serve import ENKAT, Served, enkat_serve
from tests.visitor import Page, Visitor
from tests.worker import enqueue_purges, purges_recorded, wait_for

DATABASES = ["sqlite", "postgresql"]
#: Demo sign-ins (enkat/demo.py) and the name each one's pages greet.
ADMIN = ("admin@alvdalen.example", "Karin Ek (förbundschef)")
PERSONAL = ("anna.berg@alvdalen.example", "Anna Berg")
ANALYST = ("analytiker@alvdalen.example", "Lars Holm (processledare)")
#: Where administrators and analysts land after signing in: the förbund's overview.
FORBUND_START = "/forbund/"
#: The anonymous NNS survey at exit: ten statements, then gender.
NNS_AVSLUT = {**{f"q{number}": "5" for number in range(1, 11)}, "kon": "kvinna"}


@pytest.fixture(scope="module", params=DATABASES)
def served(request, tmp_path_factory) -> Iterator[tuple[Served, str]]:
    """`enkat serve --demo` on an empty database of each kind, and the database's URL."""
    folder = tmp_path_factory.mktemp(f"serve-{request.param}")
    if request.param == "sqlite":
        database_url = f"sqlite:///{folder / 'enkat.sqlite'}"
    else:
        database_url = request.getfixturevalue("postgres_server").create_database("serve_demo")
    with enkat_serve(database_url, folder, demo=True) as server:
        yield server, database_url


def raw_csrf_token(server: Served, signed: str) -> str:
    """The session's CSRF secret behind a form's signed, time-stamped token: two tokens
    of one session differ in their time stamp, not in this."""
    return URLSafeTimedSerializer(server.secret_key, salt="wtf-csrf-token").loads(signed)


def sign_in(server: Served, email: str) -> tuple[Visitor, str, Page]:
    """A new browser signs in: the visitor, the CSRF token its sign-in form carried, and
    the page it landed on."""
    visitor = Visitor()
    form = visitor.get(f"{server.url}/login")
    assert form.status == 200, form.text
    token = visitor.csrf_token
    landed = visitor.post(f"{server.url}/login", {"email": email, "password": DEMO_PASSWORD})
    return visitor, token, landed


def assert_signed_in(server: Served, landed: Page, name: str, start: str = "/") -> None:
    """Signed in and on the start of their role: personal on their insatser at /,
    administrators and analysts on the förbund's overview."""
    assert (landed.status, landed.url) == (200, f"{server.url}{start}"), landed.text[:2000]
    assert name in landed.text and "Logga ut" in landed.text


def invite(server: Served, database_url: str) -> str:
    """A personal link made as staff make one on the command line, against the database
    the server serves."""
    made = subprocess.run(
        [ENKAT, "invite", "--insats", "steget-vidare", "--instrument", "nns-deltagare-avslut",
         "--timepoint", "avslut", "--base-url", server.url],
        capture_output=True, text=True, timeout=120, cwd=server.output.parent,
        env={**os.environ, "ENKAT_DATABASE_URL": database_url,
             "ENKAT_SECRET_KEY": server.secret_key})
    assert made.returncode == 0, made.stderr
    return made.stdout.splitlines()[0].strip()


def test_two_visitors_sign_in_one_after_the_other_each_with_a_csrf_token_of_their_own(served):
    server, _ = served
    first, first_token, first_landed = sign_in(server, ADMIN[0])
    assert_signed_in(server, first_landed, ADMIN[1], FORBUND_START)
    second, second_token, second_landed = sign_in(server, PERSONAL[0])
    assert_signed_in(server, second_landed, PERSONAL[1])
    assert raw_csrf_token(server, first_token) != raw_csrf_token(server, second_token)
    # each still is who they are: no visitor inherits another's sign-in
    assert ADMIN[1] in first.get(f"{server.url}/").text
    assert PERSONAL[1] in second.get(f"{server.url}/").text


def answer_every_question(deltagare: Visitor, link: str) -> Page:
    """From the first question on, "Nästa" with an answer until the review."""
    page = deltagare.get(f"{link}/fraga/q1")
    while "/fraga/" in page.url:
        key = page.url.rsplit("/fraga/", 1)[1]
        assert page.status == 200, page.text[:2000]
        page = deltagare.post(page.url, {"go_to": "next", f"answer-{key}": NNS_AVSLUT[key]})
    return page


def test_a_deltagare_answers_a_whole_survey_through_a_personal_link(served):
    server, database_url = served
    link = invite(server, database_url)
    deltagare = Visitor(headers={"Accept-Language": "sv"})
    start = deltagare.get(link)
    assert start.status == 200 and "Steget vidare" in start.text, start.text[:2000]
    page = answer_every_question(deltagare, link)
    assert page.url == f"{link}/granska", page.text[:2000]
    assert page.text.count("Till mycket stor del") == 10 and "Kvinna" in page.text
    thanks = deltagare.post(f"{link}/granska")
    assert (thanks.status, thanks.url) == (200, f"{link}/tack"), thanks.text[:2000]
    assert "Tack för dina svar!" in thanks.text
    again = Visitor().get(f"{link}/fraga/q1")
    assert again.status == 410 and "Den här länken har redan använts" in again.text


def test_a_visitor_signs_in_after_another_signed_out(served):
    server, _ = served
    first, _, landed = sign_in(server, ADMIN[0])
    assert_signed_in(server, landed, ADMIN[1], FORBUND_START)
    signed_out = first.post(f"{server.url}/logout")
    assert (signed_out.status, signed_out.url) == (200, f"{server.url}/login"), signed_out.text
    assert first.get(f"{server.url}/").url.startswith(f"{server.url}/login")
    _, _, fourth_landed = sign_in(server, ANALYST[0])
    assert_signed_in(server, fourth_landed, ANALYST[1], FORBUND_START)


# --- error pages ---------------------------------------------------------------------------


def assert_own_error_page(page: Page, status: int, title: str, language: str = "sv") -> None:
    """The project's page for `status` in `language`, nothing of Werkzeug's English one."""
    assert page.status == status, page.text[:2000]
    assert f'<html lang="{language}"' in page.text and title in page.text, page.text[:2000]
    default = default_exceptions[status]()
    for english in (default.name, default.description, "CSRF", "The browser"):
        assert english not in page.text, f"{status}: {english!r} in\n{page.text[:2000]}"


def post_too_much(url: str, length: int) -> Page:
    """A form post announcing `length` bytes that waits for the answer before sending
    them (as `Expect: 100-continue` does): the server refuses on the announced length, and
    a client still sending would only see the connection closed."""
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest("POST", address.path)
        for header, value in (("Content-Type", "application/x-www-form-urlencoded"),
                              ("Content-Length", str(length)), ("Expect", "100-continue")):
            connection.putheader(header, value)
        connection.endheaders()
        response = connection.getresponse()
        return Page(response.status, url, response.read().decode())
    finally:
        connection.close()


def test_every_error_a_visitor_can_meet_is_our_own_page_in_their_language(served):
    server, database_url = served
    url = server.url
    # 400: a form posted without the session's CSRF token (a sign-in page kept open
    # across a restart of the browser): staff pages in Swedish, the respondent's in theirs
    assert_own_error_page(Visitor().post(f"{url}/login", {"email": ADMIN[0]}), 400,
                          "Sidan behöver laddas om")
    link = invite(server, database_url)
    english = Visitor(headers={"Accept-Language": "en"})
    assert_own_error_page(english.post(f"{link}/fraga/q1", {"answer-q1": "5"}), 400,
                          "The page needs to be opened again", "en")
    # 403: personal on the förbund's pages
    personal, _, _ = sign_in(server, PERSONAL[0])
    assert_own_error_page(personal.get(f"{url}/forbund/"), 403, "Du har inte behörighet")
    # 404: an address that does not exist; under /s/ in the respondent's language
    assert_own_error_page(personal.get(f"{url}/finns-inte"), 404, "Sidan finns inte")
    assert_own_error_page(english.get(f"{link}/finns/inte"), 404, "The page does not exist",
                          "en")
    # 405: a post to a page that only shows; in Arabic under /s/
    refused = personal.post(f"{url}/")
    assert_own_error_page(refused, 405, "Det går inte att göra så på den här sidan")
    arabic = Visitor(headers={"Accept-Language": "ar"})
    assert_own_error_page(arabic.post(f"{link}/tack"), 405,
                          "لا يمكن القيام بذلك في هذه الصفحة", "ar")
    # 410: a link that has been used
    deltagare = Visitor()
    answer_every_question(deltagare, link)
    assert deltagare.post(f"{link}/granska").url == f"{link}/tack"
    assert_own_error_page(Visitor().get(link), 410, "Den här länken har redan använts")
    # 413: more than MAX_CONTENT_LENGTH (5 MB)
    assert_own_error_page(post_too_much(f"{url}/login", 6_000_000), 413,
                          "Det som skickades är för stort")
    # 429: guessing links, from an address of its own so no other visitor is held up
    guesser = Visitor(source_address="127.0.0.2")
    pages = [guesser.get(f"{url}/s/gissad-{number}") for number in range(31)]
    assert {page.status for page in pages[:30]} == {404}
    assert_own_error_page(pages[30], 429, "För många försök")


@pytest.mark.parametrize("served", ["sqlite"], indirect=True)
def test_a_locked_database_file_is_our_own_503_page(served):
    """The SQLite file's write lock held elsewhere (a backup, a long import) beyond the
    busy timeout: the calm 503 page, not a 500 or Werkzeug's. A lock is SQLite's: a
    PostgreSQL that cannot be reached is test_outage's."""
    server, database_url = served
    visitor = Visitor()
    visitor.get(f"{server.url}/login")
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        locked = visitor.post(f"{server.url}/login",
                              {"email": ADMIN[0], "password": DEMO_PASSWORD})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_own_error_page(locked, 503, "Tjänsten är tillfälligt otillgänglig")


def test_the_server_runs_a_job_worker_beside_it(served):
    """`make run` needs no second command for the background jobs: a job enqueued on the
    served installation's queue is run."""
    server, database_url = served
    before = purges_recorded(database_url)
    enqueue_purges(database_url)
    wait_for(lambda: purges_recorded(database_url) == before + 1, what="the served worker")
    assert "enkat worker kör" in server.printed()


WORKER_STARTED = re.compile(r"enkat worker startad \(process (\d+)\)\.")


def test_a_job_worker_that_dies_is_started_again_while_the_server_goes_on(served):
    """The worker killed (SIGKILL, as the OOM killer would): the server says so in its
    log, starts a new worker that runs the next job, and answers meanwhile."""
    server, database_url = served
    [first] = WORKER_STARTED.findall(server.printed())
    os.kill(int(first), signal.SIGKILL)
    wait_for(lambda: len(WORKER_STARTED.findall(server.printed())) == 2,
             what="a new worker started")
    assert f"enkat worker (process {first}) avslutades oväntat" in server.printed()
    with urllib.request.urlopen(f"{server.url}/login", timeout=30) as answer:
        assert answer.status == 200
    before = purges_recorded(database_url)
    enqueue_purges(database_url)
    wait_for(lambda: purges_recorded(database_url) == before + 1, what="the new worker")


def process_gone(pid: int) -> bool:
    """Ended: no such process, or one that has ended and waits to be reaped (a zombie of
    an init that does not reap, as in a container)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_server_stopped_as_it_starts_leaves_no_job_worker_behind(tmp_path):
    """SIGTERM (a service manager's stop, `kill`) the moment the server says it started
    the job worker: the server stops, and so does its worker, quietly. The worker was
    started before gunicorn handled SIGTERM, so a server stopped then died at once and
    left its worker running with nobody to stop it (it runs in a session of its own)."""
    output = tmp_path / "serve.log"
    environment = {**os.environ, "ENKAT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite'}",
                   "ENKAT_SECRET_KEY": "serve-test"}
    with output.open("w") as log:
        server = subprocess.Popen([ENKAT, "serve", "--port", str(free_port()), "--workers", "1"],
                                  stdout=log, stderr=subprocess.STDOUT, env=environment,
                                  cwd=tmp_path)
    try:
        wait_for(lambda: WORKER_STARTED.search(output.read_text()), timeout=120,
                 what="the server starting its worker", interval=0.005)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    finally:
        stop_process(server)
    worker = int(WORKER_STARTED.search(output.read_text())[1])
    try:
        wait_for(lambda: process_gone(worker), what="the job worker to stop")
    finally:
        if not process_gone(worker):
            os.kill(worker, signal.SIGKILL)
    printed = output.read_text()
    assert "Traceback" not in printed and "avbröts (SIGKILL)" not in printed, printed
