"""A gunicorn worker killed (SIGKILL, as the OOM killer or a crash would) in the middle
of "Skicka" (issue 6, §4) leaves the whole response or none of it, and the deltagare
goes on through the worker the master starts instead: a reload sends once.

"The middle" is made a definite place with PostgreSQL rather than left to luck:
- before the commit: the test holds a share lock on the response's row. Sending locks
  the link's row, reads the answers and then marks the response submitted, so the
  worker waits on that lock with the link locked and its write begun, and is killed
  there;
- at the commit: the database's commits wait for a synchronous standby that does not
  exist, so the worker has sent COMMIT and the database has made it durable, but the
  worker has not heard back when it is killed (the browser gets no answer either).
Then a random variant: many deltagare send while workers are killed at random moments.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
import pytest

from enkat.services.answering.drafts import open_draft, save_page
from enkat.services.answering.invitations import find_invitation
from enkat.services.tokens import hash_token
from tests.gunicorn import Gunicorn, serve
from tests.visitor import Visitor

from .test_instances import (
    ANSWERS,
    Stored,
    answer,
    database_work,
    migrated_database,
    new_links,
    responses_of_link,
    stored,
)

#: How long the test waits for the database to show what it waits for.
DEADLINE = 30
SENDERS, KILLS, SEND_ATTEMPTS = 10, 2, 10
#: The sessions of the test's database but the watcher's that wait for an event type (and
#: event), or the one of them with a pid.
WAITING = ("SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
           "AND pid <> pg_backend_pid() AND wait_event_type = %s "
           "AND wait_event = coalesce(%s, wait_event) AND pid = coalesce(%s, pid)")


@pytest.fixture(scope="module")
def database(postgres_server) -> str:
    """Commits here are synchronous (the server's default is not), so they wait for a
    synchronous standby whenever one is named (`commits_wait_for_a_standby`)."""
    url = migrated_database(postgres_server, "killed_worker")
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        connection.execute("ALTER DATABASE killed_worker SET synchronous_commit = on")
    return url


@pytest.fixture
def watcher(database) -> Iterator[psycopg.Connection]:
    """The test's own connection, to watch the servers' sessions and steer the database."""
    with psycopg.connect(conninfo(database), autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def server(database, tmp_path_factory) -> Iterator[Gunicorn]:
    """One worker: the request being sent is unambiguously that worker's."""
    with serve(database, tmp_path_factory.mktemp("one-worker"), workers=1,
               environment={"ENKAT_SECRET_KEY": uuid.uuid4().hex}) as served:
        yield served


def conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def answered_link(database: str, server: Gunicorn, slug: str) -> tuple[Visitor, str]:
    """A browser on the review page of a link whose every question is answered."""
    [token] = new_links(database, slug)
    browser, link = Visitor(), f"{server.url}/s/{token}"
    assert answer(browser, link, ANSWERS, list(ANSWERS)).url == f"{link}/granska"
    return browser, link


def waiting_backend(watcher: psycopg.Connection, event_type: str,
                    event: str | None = None) -> tuple[int, str]:
    """The pid and statement of the session that waits for `event_type` (and `event`),
    once the database shows one.

    pg_stat_activity reads a session's statement and state from a snapshot taken when a
    transaction first looks, but its wait event live: under load the first look can pair
    the statement the session ran before (the last request's COMMIT) with the lock it now
    waits for. So a session seen waiting is looked at again, in a transaction of its own
    (the watcher commits each statement), where it already waits in the statement shown.
    """
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = watcher.execute(WAITING, (event_type, event, None)).fetchall()
        if found:
            [(pid, _)] = found
            again = watcher.execute(WAITING, (event_type, event, pid)).fetchone()
            if again:
                return again
        time.sleep(0.02)
    raise AssertionError(f"no session waited for {event_type} {event or ''}")


def wait_until_gone(watcher: psycopg.Connection, pid: int) -> None:
    """Wait until the session of a dead worker has ended, and with it its transaction."""
    deadline = time.monotonic() + DEADLINE
    while watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
        assert time.monotonic() < deadline, f"session {pid} outlived its worker"
        time.sleep(0.02)


def kill_the_worker(server: Gunicorn) -> None:
    [worker] = server.workers
    server.kill_worker(worker)
    server.wait_for_workers(1, besides=(worker,))


def assert_connection_broke(sending: Future) -> None:
    """The browser's POST got no answer: the connection broke."""
    assert isinstance(sending.exception(timeout=DEADLINE), OSError), sending.result()


def assert_sent_on_reload(browser: Visitor, link: str) -> None:
    """The browser reloads the review page and taps "Skicka" again, through the new
    worker: it lands on the thanks page."""
    review = browser.get(f"{link}/granska")
    assert review.status in (200, 410)
    sent = browser.post(f"{link}/granska")
    assert sent.url == f"{link}/tack" and "Tack för dina svar!" in sent.text


def test_a_worker_killed_before_the_commit_leaves_no_response(database, server, watcher):
    browser, link = answered_link(database, server, "fore-commit")
    token = link.rsplit("/", 1)[1]
    with (psycopg.connect(conninfo(database)) as locker, locker.transaction(),
          ThreadPoolExecutor(1) as background):
        # The send locks the link's row first, so the last statement that can be held
        # up is the one that marks the response submitted: hold its row.
        locker.execute("SELECT 1 FROM responses WHERE invitation_id = (SELECT id FROM "
                       "invitations WHERE token_hash = %s) FOR SHARE", (hash_token(token),))
        sending = background.submit(browser.post, f"{link}/granska")
        pid, statement = waiting_backend(watcher, "Lock")
        assert statement.startswith("UPDATE responses"), statement  # marking it submitted
        held = watcher.execute(
            "SELECT relation::regclass::text, mode FROM pg_locks WHERE pid = %s AND "
            "relation IN ('responses'::regclass, 'invitations'::regclass)", (pid,)).fetchall()
        assert ("responses", "RowExclusiveLock") in held  # the response is being written
        assert ("invitations", "RowShareLock") in held  # the link is locked (FOR UPDATE)
        kill_the_worker(server)
        assert_connection_broke(sending)
    # The lock is released. The dead worker's session goes on to find no one to answer,
    # and ends without COMMIT: the database rolls its transaction back.
    wait_until_gone(watcher, pid)
    assert responses_of_link(database, token) == (False, [Stored(False, stored(ANSWERS))])

    assert_sent_on_reload(browser, link)
    assert responses_of_link(database, token) == (True, [Stored(True, stored(ANSWERS))])


@contextlib.contextmanager
def commits_wait_for_a_standby(database: str, watcher: psycopg.Connection) -> Iterator[None]:
    """While inside, a synchronous commit waits for a standby that never comes: it is
    durable in the database, and visible and answered once the standby is no longer
    named. Only the commits of `database` are synchronous on the test server."""
    watcher.execute("ALTER SYSTEM SET synchronous_standby_names = 'no_such_standby'")
    watcher.execute("SELECT pg_reload_conf()")
    try:
        wait_until_commits_wait(database, watcher)
        yield
    finally:
        watcher.execute("ALTER SYSTEM RESET synchronous_standby_names")
        watcher.execute("SELECT pg_reload_conf()")


def wait_until_commits_wait(database: str, watcher: psycopg.Connection) -> None:
    """The server reads the new setting on its own time: commit probes until one waits,
    then let that one go."""
    deadline = time.monotonic() + DEADLINE
    with ThreadPoolExecutor(1) as background:
        while time.monotonic() < deadline:
            with psycopg.connect(conninfo(database)) as probe:
                # A transaction that writes: only those wait for a standby.
                probe.execute("SELECT pg_logical_emit_message(true, 'enkat-test', 'probe')")
                committing = background.submit(probe.commit)
                while not committing.done():
                    if watcher.execute(
                            "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND "
                            "wait_event = 'SyncRep'", (probe.info.backend_pid,)).fetchone():
                        watcher.execute("SELECT pg_cancel_backend(%s)",
                                        (probe.info.backend_pid,))
                        committing.result(timeout=DEADLINE)
                        return
                    time.sleep(0.02)
    raise AssertionError("commits never waited for the standby")


def test_a_worker_killed_at_the_commit_leaves_the_whole_response(database, server, watcher):
    browser, link = answered_link(database, server, "vid-commit")
    token = link.rsplit("/", 1)[1]
    with ThreadPoolExecutor(1) as background:
        with commits_wait_for_a_standby(database, watcher):
            sending = background.submit(browser.post, f"{link}/granska")
            pid, statement = waiting_backend(watcher, "IPC", "SyncRep")
            assert statement == "COMMIT", statement
            kill_the_worker(server)
            assert_connection_broke(sending)
    wait_until_gone(watcher, pid)
    assert responses_of_link(database, token) == (True, [Stored(True, stored(ANSWERS))])

    assert_sent_on_reload(browser, link)  # the browser never heard: it sends again
    assert responses_of_link(database, token) == (True, [Stored(True, stored(ANSWERS))])


# --- at random --------------------------------------------------------------------------


def send_until_thanked(browser: Visitor, link: str) -> int:
    """Tap "Skicka", and again after every broken connection, as a person reloads; the
    number of broken attempts."""
    for broken in range(SEND_ATTEMPTS):
        try:
            sent = browser.post(f"{link}/granska")
        except OSError:
            continue
        assert sent.url == f"{link}/tack" and "Tack för dina svar!" in sent.text
        return broken
    raise AssertionError(f"{SEND_ATTEMPTS} attempts to send broke")


def kill_at_random_moments(server: Gunicorn, kills: int, chance: random.Random) -> None:
    killed: list[int] = []
    for _ in range(kills):
        time.sleep(chance.uniform(0, 0.1))
        alive = [pid for pid in server.workers if pid not in killed]
        victim = chance.choice(alive or server.wait_for_workers(1, besides=tuple(killed)))
        server.kill_worker(victim)
        killed.append(victim)


def save_every_page(database: str, tokens: list[str]) -> None:
    """The links' drafts with every question answered, saved as their pages would."""
    with database_work(database):
        for token in tokens:
            draft = open_draft(find_invitation(token).invitation)
            for item_id, value in ANSWERS.items():
                assert save_page(draft, {item_id: (value,)}, (item_id,)) == ()


def test_workers_killed_at_random_moments_leave_every_response_whole_and_once(
        database, tmp_path):
    tokens = new_links(database, "slumpen", SENDERS)
    save_every_page(database, tokens)
    with (serve(database, tmp_path, workers=2,
                environment={"ENKAT_SECRET_KEY": uuid.uuid4().hex}) as server,
          ThreadPoolExecutor(SENDERS) as browsers):
        links = [f"{server.url}/s/{token}" for token in tokens]
        visitors = [Visitor() for _ in links]
        for visitor, link in zip(visitors, links, strict=True):
            assert visitor.get(f"{link}/granska").status == 200
        sends = [browsers.submit(send_until_thanked, visitor, link)
                 for visitor, link in zip(visitors, links, strict=True)]
        kill_at_random_moments(server, KILLS, random.Random())
        broken = sum(send.result(timeout=DEADLINE * 2) for send in sends)
    for token in tokens:
        assert responses_of_link(database, token) == (True, [Stored(True, stored(ANSWERS))]), \
            f"{broken} sends broke"
