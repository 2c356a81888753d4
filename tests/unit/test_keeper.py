"""The worker beside `enkat serve` is started again when it dies (enkat/keeper.py), ever
more slowly when it dies at once; tests/integration/test_serve.py kills the real one."""

from __future__ import annotations

import os
import re
import signal
import sys
import time

from enkat import keeper
from enkat.keeper import WorkerKeeper

DIES_AT_ONCE = [sys.executable, "-c", "raise SystemExit(3)"]
RESTART = re.compile(r"avslutades oväntat \(kod 3\)\. En ny startas om ([\d.]+) s;")


def until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the keeper did not get that far"
        time.sleep(0.01)


def test_a_worker_that_dies_at_once_is_started_again_ever_more_slowly():
    said: list[str] = []
    keeper = WorkerKeeper(DIES_AT_ONCE, say=said.append, first_delay=0.01, longest_delay=0.08,
                          poll_seconds=0.01)
    keeper.start()
    try:
        until(lambda: len(RESTART.findall("\n".join(said))) >= 6)
    finally:
        keeper.stop()
    delays = [float(delay) for delay in RESTART.findall("\n".join(said))]
    assert delays[:6] == [0.01, 0.02, 0.04, 0.08, 0.08, 0.08]  # doubling, then at most 0.08
    assert said[0].startswith("enkat worker startad (process ")


def test_a_worker_stopped_with_the_server_is_not_started_again():
    said: list[str] = []
    keeper = WorkerKeeper([sys.executable, "-c", "import time; time.sleep(600)"],
                          say=said.append, first_delay=0.01)
    keeper.start()
    keeper.stop()  # returns once its watcher has ended: nothing starts after it
    assert len(said) == 1 and "startad" in said[0]


#: A worker that says when it is ready (its SIGINT handler set) and marks a SIGINT.
MARKS_SIGINT = """
import pathlib, signal, sys, time
ready, interrupted = map(pathlib.Path, sys.argv[1:])
def leave(*_):
    interrupted.touch()
    sys.exit(0)
signal.signal(signal.SIGINT, leave)
ready.touch()
time.sleep(600)
"""


def test_a_fork_of_the_server_leaving_leaves_its_worker_alone(tmp_path):
    """gunicorn's workers are forks of `enkat serve` and run its `finally`, and so `stop`,
    as they leave. A fork taken while the watcher polls copies Popen's wait lock held
    (held here by hand, as the watcher holds it for a moment every poll): there `stop`
    sent SIGINT to the live worker and then hung on the lock until gunicorn killed it."""
    ready, interrupted = tmp_path / "ready", tmp_path / "interrupted"
    keeper = WorkerKeeper([sys.executable, "-c", MARKS_SIGINT, str(ready), str(interrupted)],
                          say=[].append)
    keeper.start()
    until(ready.exists)
    worker = keeper._process
    with worker._waitpid_lock:  # the watcher polling at the moment of the fork
        fork = os.fork()
        if fork == 0:  # the gunicorn worker leaving
            try:
                keeper.stop()
            finally:
                os._exit(0)
    try:
        until(lambda: os.waitpid(fork, os.WNOHANG) != (0, 0))
    except AssertionError:
        os.kill(fork, signal.SIGKILL)
        raise
    assert not interrupted.exists() and worker.poll() is None
    keeper.stop()  # in the server itself, it stops the worker as before
    assert interrupted.exists()


def test_a_worker_asked_to_stop_at_once_stops_though_the_server_ignored_sigint(monkeypatch):
    """A shell without job control starts its background jobs ignoring SIGINT (CI runs
    so), and children inherit it: a worker asked to stop before it had set a handler of
    its own (as Huey does once its consumer has started) never heard it and was killed
    `STOP_TIMEOUT_SECONDS` later. Now the SIGINT stops it."""
    monkeypatch.setattr(keeper, "STOP_TIMEOUT_SECONDS", 5)  # a failure shows sooner
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        worker_keeper = WorkerKeeper([sys.executable, "-c", "import time; time.sleep(600)"],
                                     say=[].append)
        worker_keeper.start()
        worker = worker_keeper._process
        worker_keeper.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert worker.returncode in (1, -signal.SIGINT)  # KeyboardInterrupt, or before Python


def test_a_worker_that_does_not_stop_on_sigint_is_killed_and_the_log_says_so(monkeypatch,
                                                                             tmp_path):
    monkeypatch.setattr(keeper, "STOP_TIMEOUT_SECONDS", 1)
    ready = tmp_path / "ready"
    said: list[str] = []
    worker_keeper = WorkerKeeper(
        [sys.executable, "-c", "import pathlib, signal, sys, time; "
         "signal.signal(signal.SIGINT, signal.SIG_IGN); pathlib.Path(sys.argv[1]).touch(); "
         "time.sleep(600)", str(ready)], say=said.append)
    worker_keeper.start()
    until(ready.exists)
    worker = worker_keeper._process
    worker_keeper.stop()
    assert worker.returncode == -signal.SIGKILL
    assert said[-1] == (f"enkat worker (process {worker.pid}) stannade inte inom 1 s "
                        "och avbröts (SIGKILL).")
