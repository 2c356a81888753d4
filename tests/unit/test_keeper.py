"""The worker beside `enkat serve` is started again when it dies (enkat/keeper.py), ever
more slowly when it dies at once; tests/integration/test_serve.py kills the real one."""

from __future__ import annotations

import re
import sys
import time

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
