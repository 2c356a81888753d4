"""`enkat worker` kept running beside `enkat serve` (`make run`).

Without a worker nothing in the background happens: no utskick is mailed, no download
built, no purge run, and nobody is told. So the server watches the worker it started:
when the worker exits while the server runs (killed, out of memory, a crash), the server
says so in its log, in Swedish, and starts a new one, while gunicorn goes on serving.
A worker that dies at once (a bad setting, a database that cannot be reached) is started
again ever more slowly, `first_delay` doubling up to `longest_delay`, so it does not spin;
one that ran for `steady_seconds` before it died starts again after `first_delay`.

The worker runs in a session of its own, so a Ctrl-C in the terminal reaches only the
server, which then stops the worker as a service manager would (`stop`): a worker stopped
that way is not started again.

Only the process that started the worker stops it. gunicorn's workers are forks of the
server and leave through `sys.exit`, which runs the server's `finally` (and so `stop`)
in each of them as well. A fork taken while the watcher was polling holds a copy of
Popen's wait lock that nobody releases: in it `stop` sent SIGINT to the live worker
(the server then reported it dead and started another while shutting down) and then
waited on that lock until gunicorn killed it, 30 s after a SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

#: How long a worker that finished its jobs on SIGINT may take to stop.
STOP_TIMEOUT_SECONDS = 30
#: How often the worker is looked at. It is polled, never waited on: a thread blocked in
#: waitpid() holds Popen's wait lock, which every gunicorn worker forked meanwhile copies
#: held (see above).
POLL_SECONDS = 0.5


class WorkerKeeper:
    """Starts the worker command, and starts it again whenever it exits unasked, with
    back-off; `say` receives each line for the server's log."""

    def __init__(self, command: Sequence[str], *, say: Callable[[str], None],
                 first_delay: float = 1.0, longest_delay: float = 60.0,
                 steady_seconds: float = 60.0, poll_seconds: float = POLL_SECONDS) -> None:
        self._command = list(command)
        self._say = say
        self._first_delay, self._longest_delay = first_delay, longest_delay
        self._steady_seconds, self._poll_seconds = steady_seconds, poll_seconds
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # `stop` and a new start never cross
        self._process: subprocess.Popen | None = None
        self._watcher: threading.Thread | None = None
        self._owner = os.getpid()  # the process `stop` belongs to (see above)

    def start(self) -> None:
        """Start the worker and watch it; from the main thread (it sets a signal handler)."""
        _heed_sigint()
        self._launch()
        self._watcher = threading.Thread(target=self._watch, name="enkat-worker-keeper",
                                         daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """As a service manager stops it: SIGINT lets Huey finish the jobs under way
        (SIGKILL after `STOP_TIMEOUT_SECONDS`); no new worker is started after this.
        Called in a fork of the process that started the worker, it does nothing."""
        if os.getpid() != self._owner:
            return
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and not stop_process(process):
            self._say(f"enkat worker (process {process.pid}) stannade inte inom "
                      f"{STOP_TIMEOUT_SECONDS} s och avbröts (SIGKILL).")
        if self._watcher is not None:
            self._watcher.join(timeout=STOP_TIMEOUT_SECONDS)

    def _launch(self) -> bool:
        with self._lock:
            if self._stopping.is_set():
                return False
            self._process = subprocess.Popen(self._command, start_new_session=True)
        self._say(f"enkat worker startad (process {self._process.pid}).")
        return True

    def _watch(self) -> None:
        delay = self._first_delay
        while self._process is not None:
            started, process = time.monotonic(), self._process
            while (code := process.poll()) is None:
                if self._stopping.wait(self._poll_seconds):
                    return
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self._steady_seconds:
                delay = self._first_delay
            self._say(f"enkat worker (process {process.pid}) avslutades oväntat{_how(code)}. "
                      f"En ny startas om {delay:g} s; webbservern svarar under tiden.")
            if self._stopping.wait(delay) or not self._launch():
                return
            delay = min(delay * 2, self._longest_delay)


def _heed_sigint() -> None:
    """SIGINT handled in this process, if it was ignored, so that the worker started from
    it can be stopped from its first instant.

    A shell without job control starts its background jobs ignoring SIGINT (a CI script,
    `make run &` in a script), and a child inherits an ignored signal; Python leaves it
    so, and Huey sets its own handler only once its consumer has started. A worker asked
    to stop before that never heard it and was killed `STOP_TIMEOUT_SECONDS` later (seen
    in CI: `enkat serve` stopped under load took over 30 s). A handler is not inherited:
    the worker starts with SIGINT's default, and Python makes that KeyboardInterrupt.
    gunicorn sets a handler of its own for SIGINT in the server anyway."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _how(code: int) -> str:
    """The exit, as far as it is known: a process reaped by gunicorn first reads as 0."""
    if code < 0:
        return f" (signal {-code})"
    return f" (kod {code})" if code else ""


def stop_process(process: subprocess.Popen) -> bool:
    """SIGINT, then SIGKILL if it has not stopped within `STOP_TIMEOUT_SECONDS`; whether
    it stopped on the SIGINT."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False
    return True
