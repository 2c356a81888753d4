"""Serve enkat through real gunicorn on loopback, as the README's production command does,
for the tests and benches that need whole processes: logs, several instances, killed
workers, load and soak.

gunicorn runs from the repository folder with the ENKAT_* environment. Its configuration
is the repository's `gunicorn.conf.py` (the token-redacting logger) plus two hooks that
keep a mark per live worker, so a caller knows when every worker has loaded the app and
which pids to measure or kill: a worker leaves its mark once it is ready, and the master
removes it when the worker exits, however it died.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.postgresql import free_port

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60

#: The repository's configuration, then the marks of live workers.
CONFIGURATION = """
exec(open({repository_configuration!r}).read())

from pathlib import Path


def post_worker_init(worker):
    (Path({ready!r}) / str(worker.pid)).touch()


def child_exit(server, worker):
    (Path({ready!r}) / str(worker.pid)).unlink(missing_ok=True)
"""


def stop_process(process: subprocess.Popen) -> None:
    """Stop a server as its service manager would: SIGTERM, then SIGKILL after 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Gunicorn:
    """A running gunicorn master and its workers."""

    process: subprocess.Popen
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "gunicorn.log"

    @property
    def workers(self) -> list[int]:
        """The pids of the workers that are ready now."""
        return sorted(int(mark.name) for mark in (self.folder / "ready").iterdir())

    def wait_for_workers(self, count: int, *, besides: tuple[int, ...] = ()) -> list[int]:
        """Wait until `count` workers are ready, none of them in `besides` (the ones that
        were killed), and return their pids."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            ready = [pid for pid in self.workers if pid not in besides]
            if len(ready) >= count:
                return ready
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start its workers:\n{self.log_tail()}")
            time.sleep(0.05)

    def kill_worker(self, pid: int) -> None:
        """Kill a worker outright (SIGKILL), as the kernel's OOM killer or a crash would;
        the master starts another."""
        os.kill(pid, signal.SIGKILL)

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""

    def stop(self) -> None:
        stop_process(self.process)


@contextlib.contextmanager
def serve(database_url: str, folder: Path, *, workers: int = 2,
          environment: dict[str, str] | None = None,
          application: str = "wsgi:app") -> Iterator[Gunicorn]:
    """gunicorn serving `application` (enkat's wsgi:app) on a free loopback port against
    this database; yields once every worker is ready, stops it afterwards. `folder`
    receives the configuration, the worker marks and `gunicorn.log` (errors and access
    log). Every instance started with the same `environment` (ENKAT_SECRET_KEY) accepts
    the others' sessions."""
    ready = folder / "ready"
    ready.mkdir(parents=True)
    configuration = folder / "gunicorn.conf.py"
    configuration.write_text(CONFIGURATION.format(
        repository_configuration=str(ROOT / "gunicorn.conf.py"), ready=str(ready)))
    settings = {"ENKAT_SECRET_KEY": uuid.uuid4().hex,
                "ENKAT_SESSION_COOKIE_SECURE": "false",  # plain http on loopback
                **(environment or {}),
                "ENKAT_DATABASE_URL": database_url}
    port = free_port()
    with (folder / "gunicorn.log").open("w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", str(configuration),
             "--workers", str(workers), "--bind", f"127.0.0.1:{port}", application],
            cwd=ROOT, env={**os.environ, **settings}, stdout=log, stderr=subprocess.STDOUT)
    server = Gunicorn(process, port, folder)
    try:
        server.wait_for_workers(workers)
        yield server
    finally:
        server.stop()
