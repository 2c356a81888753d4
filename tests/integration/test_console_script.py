"""The installed `enkat` console script, end to end, as an administrator would run it."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ENKAT = str(Path(sys.executable).with_name("enkat"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_pair(request, tmp_path):
    """Two empty databases of one kind: the source and the target of a transfer."""
    if request.param == "sqlite":
        return [f"sqlite:///{tmp_path / name}.sqlite" for name in ("source", "target")]
    server = request.getfixturevalue("postgres_server")
    return [server.create_database(name) for name in ("cli_source", "cli_target")]


def enkat(database_url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ENKAT_DATABASE_URL": database_url,
                   "ENKAT_SECRET_KEY": "console-test"}
    result = subprocess.run([ENKAT, *args], capture_output=True, text=True, env=environment,
                            cwd=instance, timeout=300)
    assert result.returncode == 0, f"enkat {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def test_demo_exported_and_imported_into_an_empty_database_is_identical(database_pair, tmp_path):
    source, target = database_pair
    enkat(source, tmp_path, "db", "upgrade")
    demo = enkat(source, tmp_path, "demo")
    assert "admin@alvdalen.example" in demo.stdout and "demo-losenord" in demo.stdout
    enkat(source, tmp_path, "export", "responses", "-o", "source.csv")

    enkat(target, tmp_path, "db", "upgrade")
    imported = enkat(target, tmp_path, "import", "responses", "source.csv", "--create-missing")
    assert "1 nytt förbund" in imported.stdout
    enkat(target, tmp_path, "export", "responses", "-o", "target.csv")

    exported = (tmp_path / "source.csv").read_bytes()
    assert exported.count(b"\n") > 3000
    assert (tmp_path / "target.csv").read_bytes() == exported


def test_instruments_check_needs_no_database_and_list_shows_every_instrument(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert "inga fel" in enkat(url, tmp_path, "instruments", "check").stdout
    enkat(url, tmp_path, "db", "upgrade")
    listing = enkat(url, tmp_path, "instruments", "list").stdout
    assert len(listing.strip().splitlines()) == 14


def test_serve_with_demo_answers_on_its_port_and_prints_the_sign_ins(tmp_path):
    """What `make run` does: migrate, load the demo, serve with gunicorn."""
    from tests.postgresql import free_port

    port = free_port()
    environment = {**os.environ, "ENKAT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite'}",
                   "ENKAT_SECRET_KEY": "serve-test"}
    server = subprocess.Popen([ENKAT, "serve", "--demo", "--port", str(port), "--workers", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=environment, cwd=tmp_path)
    try:
        status = wait_for_page(f"http://127.0.0.1:{port}/login", server)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert status == 200, output
    assert "admin@alvdalen.example" in output
    assert f"http://127.0.0.1:{port}/login" in output


def wait_for_page(url: str, server: subprocess.Popen, attempts: int = 120) -> int | None:
    """Poll until the page answers (at most `attempts` half-seconds) or the server exits."""
    import time
    import urllib.error
    import urllib.request

    for _ in range(attempts):
        if server.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    return None


def test_a_sqlite_backup_restores_to_the_same_data(tmp_path):
    """`enkat backup` of a live database, then the copy used as the database: same data."""
    live, copy = f"sqlite:///{tmp_path / 'live.sqlite'}", tmp_path / "backup" / "copy.sqlite"
    enkat(live, tmp_path, "db", "upgrade")
    enkat(live, tmp_path, "demo")
    assert "säkerhetskopian är skriven" in enkat(live, tmp_path, "backup", str(copy)).stdout
    enkat(live, tmp_path, "export", "responses", "-o", "live.csv")
    enkat(f"sqlite:///{copy}", tmp_path, "export", "responses", "-o", "restored.csv")
    assert (tmp_path / "restored.csv").read_bytes() == (tmp_path / "live.csv").read_bytes()


def test_backup_refuses_to_overwrite_and_points_postgresql_to_pg_dump(tmp_path, postgres_server):
    live = f"sqlite:///{tmp_path / 'live.sqlite'}"
    enkat(live, tmp_path, "db", "upgrade")
    (tmp_path / "taken.sqlite").write_bytes(b"")
    environment = {**os.environ, "ENKAT_DATABASE_URL": live, "ENKAT_SECRET_KEY": "x"}
    taken = subprocess.run([ENKAT, "backup", "taken.sqlite"], capture_output=True, text=True,
                           env=environment, cwd=tmp_path, timeout=120)
    assert taken.returncode == 1 and "finns redan" in taken.stderr
    environment["ENKAT_DATABASE_URL"] = postgres_server.create_database("cli_backup")
    refused = subprocess.run([ENKAT, "backup", "x.sqlite"], capture_output=True, text=True,
                             env=environment, cwd=tmp_path, timeout=120)
    assert refused.returncode == 1 and "pg_dump" in refused.stderr


def test_a_new_sqlite_database_and_its_backup_are_for_their_owner_only(tmp_path):
    """`enkat db upgrade` creates the database 0600 under the usual umask 022, so its -wal
    and -shm files are 0600 too (SQLite gives them the database's mode); so is a backup."""
    database, copy = tmp_path / "enkat.sqlite", tmp_path / "copy.sqlite"
    umask = os.umask(0o022)
    try:
        enkat(f"sqlite:///{database}", tmp_path, "db", "upgrade")
        enkat(f"sqlite:///{database}", tmp_path, "backup", str(copy))
    finally:
        os.umask(umask)
    assert _mode(database) == 0o600 and _mode(copy) == 0o600
    connection = sqlite3.connect(database)
    try:
        connection.execute("CREATE TABLE written (x)")  # WAL: the -wal and -shm files exist
        modes = {suffix: _mode(database.with_name(database.name + suffix))
                 for suffix in ("-wal", "-shm")}
    finally:
        connection.close()
    assert modes == {"-wal": 0o600, "-shm": 0o600}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
