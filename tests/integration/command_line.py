"""The installed `enkat` console script, run as a user runs it: a new process with its
own environment and working folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENKAT = str(Path(sys.executable).with_name("enkat"))


def enkat(database_url: str, folder: Path, *args: str, input: str | None = None,
          language: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the console script; a new session has no terminal, so a password prompt
    reads the typed lines from standard input, as from a pipe. `language` sets the
    terminal's language variables (LANG, LANGUAGE, ...)."""
    environment = {**os.environ, "ENKAT_DATABASE_URL": database_url,
                   "ENKAT_SECRET_KEY": "first-run", **(language or {})}
    return subprocess.run([ENKAT, *args], capture_output=True, text=True, env=environment,
                          cwd=folder, input=input, timeout=300, start_new_session=True)


def succeeded(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout
