"""Measure what starting enkat costs a process: `create_app()` in a fresh interpreter
(peak RSS, CPU, the heavy libraries it loaded), and a gunicorn worker's RSS after it has
served a respondent page (prints figures, asserts nothing).

Every gunicorn worker and the job worker pay the start once each; what they load and
never use is memory each of them holds for its life. CPU and RSS are the process's own,
which other work on the machine changes little; wall-clock time is printed beside the
load average.

    .venv/bin/python bench/app_start.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from respond_load import INSATS, INSTRUMENT, TIMEPOINT  # noqa: E402

from tests.gunicorn import serve  # noqa: E402

HEAVY = ("matplotlib", "scipy", "pandas", "pyreadstat", "docx", "PIL", "openpyxl",
         "weasyprint", "fontTools", "numpy", "xlsxwriter")

PROBE = """
import json, os, sys, time
wall, cpu = time.perf_counter(), time.process_time()
from enkat import create_app
create_app({{"SQLALCHEMY_DATABASE_URI": {url!r}, "SECRET_KEY": "bench"}})
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
status = open("/proc/self/status").read()
print(json.dumps({{"wall": wall, "cpu": cpu, "load": os.getloadavg()[0],
                  "peak": int(status.split("VmHWM:")[1].split()[0]) / 1024,
                  "modules": sorted({{name.split(".")[0] for name in sys.modules}})}}))
"""


def app_start(url: str) -> dict:
    """`create_app()` measured in an interpreter of its own."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(url=url)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.splitlines()[-1])


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:", 1)[1].split()[0]) / 1024


def prepared_link(url: str) -> str:
    """A migrated database with one personal link; its token."""
    from flask_migrate import upgrade

    from enkat import create_app
    from enkat.extensions import db
    from enkat.services.answering.invitations import create_invitation
    from enkat.services.organisation.forbund import create_forbund
    from enkat.services.organisation.insatser import create_insats

    with create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}).app_context():
        upgrade()
        insats = create_insats(create_forbund("start", "Samordningsförbundet Start"), INSATS,
                               INSATS.capitalize())
        token = create_invitation(insats, INSTRUMENT, TIMEPOINT)[1]
        db.session.commit()
        db.engine.dispose()
    return token


def worker_after_respondent_page(url: str, folder: Path) -> tuple[float, float, int]:
    """(RSS after start, RSS after a respondent page: MB, status) of one gunicorn worker."""
    token = prepared_link(url)
    with serve(url, folder / "gunicorn", workers=1) as server:
        (pid,) = server.wait_for_workers(1)
        started = resident_mb(pid)
        with urllib.request.urlopen(f"{server.url}/s/{token}") as response:
            status = response.status
        return started, resident_mb(pid), status


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="enkat-app-start-"))
    try:
        measure(f"sqlite:///{folder / 'enkat.sqlite'}", folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(url: str, folder: Path) -> None:
    started = app_start(url)
    heavy = [name for name in HEAVY if name in started["modules"]]
    print(f"create_app()        peak RSS {started['peak']:6.0f} MB   cpu {started['cpu']:.2f} s   "
          f"wall {started['wall']:.2f} s (load {started['load']:.1f})")
    print(f"                    heavy libraries loaded: {', '.join(heavy) or 'none'}")
    before, after, status = worker_after_respondent_page(url, folder)
    print(f"gunicorn worker     RSS {before:6.0f} MB ready, {after:.0f} MB after a respondent "
          f"page (HTTP {status}; load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
