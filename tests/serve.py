"""`enkat serve` started as `make run` starts it: the installed console script in a
subprocess on a free loopback port, for the tests that must meet the application the way
its first user does (tests/integration/test_serve.py, the browser tests).

The server keeps its database where ENKAT_DATABASE_URL says and signs its sessions with
the ENKAT_SECRET_KEY given here (so nothing is written into the repository's instance
folder); everything else is the command's own doing: migrating, the demo with `--demo`,
gunicorn with its workers, the address it serves on as its base URL.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.gunicorn import stop_process
from tests.postgresql import free_port

ENKAT = str(Path(sys.executable).with_name("enkat"))
#: Migrating and loading the demo take 20–40 s on a quiet machine; allow for a busy one.
START_TIMEOUT = 300


@dataclass
class Served:
    """A running `enkat serve`: its address and what it printed."""

    process: subprocess.Popen
    port: int
    output: Path
    secret_key: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def printed(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_until_answering(self) -> None:
        """Until the sign-in page answers; fails with what the command printed if it exits
        or takes too long."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        raise RuntimeError(f"enkat serve did not answer on {self.url}:\n{self.printed()[-4000:]}")

    def stop(self) -> None:
        stop_process(self.process)


@contextlib.contextmanager
def enkat_serve(database_url: str, folder: Path, *, demo: bool = False,
                secret_key: str | None = None,
                environment: dict[str, str] | None = None) -> Iterator[Served]:
    """`enkat serve [--demo]` on a free loopback port against this database, started in
    `folder` (which receives what it prints, `serve.log`); yields once it answers, stops
    it afterwards. Servers given the same `secret_key` accept each other's sessions."""
    secret_key = secret_key or uuid.uuid4().hex
    settings = {**os.environ, **(environment or {}),
                "ENKAT_DATABASE_URL": database_url, "ENKAT_SECRET_KEY": secret_key}
    port = free_port()
    command = [ENKAT, "serve", "--host", "127.0.0.1", "--port", str(port),
               *(["--demo"] if demo else [])]
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / "serve.log"
    with output.open("w") as log:
        process = subprocess.Popen(command, cwd=folder, env=settings, stdout=log,
                                   stderr=subprocess.STDOUT)
    served = Served(process, port, output, secret_key)
    try:
        served.wait_until_answering()
        yield served
    finally:
        served.stop()
