"""Measure tidy CSV import, re-import and export at scale, and the answers workbook (XLSX)
the förbund downloads, on SQLite and PostgreSQL (prints figures, asserts nothing).

The data are the demo förbund's year, exported once and copied `--copies` times under new
response ids and deltagare codes, so the file has realistic instruments and answers.
Each step prints wall-clock time beside the load average (other work on the machine
stretches it), the CPU time of this process (what the step costs enkat; PostgreSQL's
server works in processes of its own, not counted) and the SQL statements it ran (an
executemany or a COPY is one). The workbook is built in a child process of its own, so
its peak memory (max RSS) is the workbook's and not the rest of the run's.

    .venv/bin/python bench/import_export.py [--copies 10] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from enkat import create_app  # noqa: E402
from enkat.extensions import db  # noqa: E402
from enkat.models import Forbund  # noqa: E402
from enkat.services.answering.tidy_import import import_responses  # noqa: E402
from enkat.services.results.answer_exports import (  # noqa: E402
    AnswerFilter,
    export_responses,
    tidy_xlsx,
)
from tests.postgresql import PostgresServer, PostgresUnavailable  # noqa: E402


def application(url: str, folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    app.instance_path = str(folder)
    return app


@contextlib.contextmanager
def empty_database(kind: str) -> Iterator[str]:
    """The URL of an empty database of this kind, with enkat's schema; removed afterwards."""
    if kind == "postgresql":
        server = PostgresServer.start()
        try:
            yield migrated(server.create_database("enkat_bench"))
        finally:
            server.stop()
        return
    folder = Path(tempfile.mkdtemp(prefix="enkat-bench-"))
    try:
        yield migrated(f"sqlite:///{folder / 'bench.sqlite'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def migrated(url: str) -> str:
    from flask_migrate import upgrade

    with application(url, Path(tempfile.mkdtemp(prefix="enkat-bench-"))).app_context():
        upgrade()
    return url


def demo_export() -> str:
    """The demo förbund's year as tidy CSV (built once, in a SQLite database of its own)."""
    from enkat.demo import load_demo  # here: the workbook's process should not hold it

    with empty_database("sqlite") as url:
        with application(url, Path(tempfile.mkdtemp())).app_context():
            load_demo()
            out = io.StringIO()
            export_responses(out)
            db.session.rollback()
    return out.getvalue()


def copied(export: str, copies: int) -> bytes:
    """The export repeated under new response ids and codes in a new förbund."""
    table = list(csv.reader(io.StringIO(export, newline="")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table[0])
    for copy in range(copies):
        for row in table[1:]:
            response_id, _forbund, insats, participant, *rest = row
            code = f"{participant}-{copy}" if participant else ""
            writer.writerow([f"{response_id}-{copy}", "bench", insats, code, *rest])
    return out.getvalue().encode("utf-8")


# --- measuring -----------------------------------------------------------------------


@dataclass
class Measured:
    result: Any
    wall: float
    cpu: float
    statements: int
    load: float  # the one-minute load average at the end of the step


def measured(work: Callable[[], Any]) -> Measured:
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return Measured(result, wall, cpu, statements[0], os.getloadavg()[0])


def report(label: str, step: Measured, rows: int, what: str = "") -> None:
    print(f"{label:<26} wall {step.wall:6.2f} s (load {step.load:4.1f})  "
          f"cpu {step.cpu:6.2f} s  {rows / step.wall:>9,.0f} rows/s wall  "
          f"{rows / step.cpu:>9,.0f} rows/s cpu  {step.statements:>4} statements  {what}")


def peak_rss() -> float:
    """This process's peak resident memory in MB. Not getrusage's ru_maxrss: Linux keeps
    that across exec, so a child would report its parent's peak."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:", 1)[1].split()[0]) / 1024


def measure_workbook(url: str) -> dict[str, float]:
    """Run in a child process: the answers workbook of the bench förbund."""
    with application(url, Path(tempfile.mkdtemp())).app_context():
        bench = db.session.scalars(select(Forbund).where(Forbund.slug == "bench")).one()
        before = peak_rss()
        step = measured(lambda: tidy_xlsx(AnswerFilter(forbund=bench)))
        peak = peak_rss()
        tracemalloc.start()
        tidy_xlsx(AnswerFilter(forbund=bench))
        traced = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    workbook, rows = step.result
    return {"wall": step.wall, "cpu": step.cpu, "statements": step.statements,
            "load": step.load, "rows": rows, "megabytes": len(workbook) / 1e6,
            "rss_before": before, "rss_peak": peak, "traced": traced}


def run(kind: str, data: bytes) -> None:
    rows = data.count(b"\n") - 1
    with empty_database(kind) as url:
        print(f"\n{kind}: file of {rows:,} rows, {len(data) / 1e6:.1f} MB")
        with application(url, Path(tempfile.mkdtemp())).app_context():
            step = measured(lambda: import_responses(data, create_missing=True))
            db.session.commit()
            report("import", step, rows, f"{step.result.responses_created} responses")
            step = measured(lambda: import_responses(data))
            db.session.commit()
            report("import again (unchanged)", step, rows,
                   f"{step.result.responses_unchanged} unchanged")
            out = io.StringIO()
            step = measured(lambda: export_responses(out))
            report("export (tidy CSV)", step, step.result)
        child = subprocess.run(
            [sys.executable, __file__, "--measure-workbook", url],
            capture_output=True, text=True, check=True)
        workbook = json.loads(child.stdout.splitlines()[-1])
        step = Measured(None, workbook["wall"], workbook["cpu"], int(workbook["statements"]),
                        workbook["load"])
        report("answers workbook (XLSX)", step, int(workbook["rows"]),
               f"{workbook['megabytes']:.1f} MB")
        print(f"{'':<26} peak memory of the workbook's process: max RSS "
              f"{workbook['rss_peak']:.0f} MB ({workbook['rss_before']:.0f} MB before the "
              f"workbook), tracemalloc peak {workbook['traced']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--measure-workbook", metavar="URL", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure_workbook:
        print(json.dumps(measure_workbook(arguments.measure_workbook)))
        return
    data = copied(demo_export(), arguments.copies)
    kinds = ("sqlite", "postgresql") if arguments.database == "both" else (arguments.database,)
    for kind in kinds:
        try:
            run(kind, data)
        except PostgresUnavailable as missing:
            print(f"{kind}: skipped ({missing})")


if __name__ == "__main__":
    main()
