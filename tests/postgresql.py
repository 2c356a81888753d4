"""Start and stop a throw-away PostgreSQL server for the tests.

PostgreSQL refuses to run as root, so when the tests run as root (as in CI containers)
the server runs as the `postgres` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries, or the server would not start."""


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise PostgresUnavailable(f"{name} not found (install the postgresql package)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], run_as: list[str]) -> None:
    result = subprocess.run(run_as + command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{' '.join(command)} failed: {result.stderr.strip()}")


@dataclass
class PostgresServer:
    folder: Path
    port: int
    run_as: list[str]

    @classmethod
    def start(cls) -> PostgresServer:
        # Not pytest's tmp_path: its parents are private to root, closed to `postgres`.
        folder = Path(tempfile.mkdtemp(prefix="enkat-postgresql-"))
        run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as missing:
                raise PostgresUnavailable("running as root and no postgres user") from missing
            os.chown(folder, account.pw_uid, account.pw_gid)
            run_as = ["runuser", "-u", "postgres", "--"]
        data = folder / "data"
        _run([_binary("initdb"), "-D", str(data), "-U", "enkat", "--auth=trust",
              "-E", "UTF8", "--no-sync"], run_as)
        server = cls(folder=folder, port=free_port(), run_as=run_as)
        server.resume()
        return server

    def resume(self) -> None:
        """Start the server (again, after `pause`), on the same port with the same data."""
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        _run([_binary("pg_ctl"), "-D", str(self.folder / "data"), "-l",
              str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start"],
             self.run_as)

    def pause(self) -> None:
        """Stop the server and keep its data, as an outage would."""
        _run([_binary("pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"],
             self.run_as)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://enkat@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        with psycopg.connect(host="127.0.0.1", port=self.port, user="enkat",
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self.pause()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
