"""Measure tidy CSV import, re-import and export at scale, and the answers workbook (XLSX)
the förbund downloads (prints figures, asserts nothing).

The data are the demo förbund's year, exported once and copied `--copies` times under new
response ids and deltagare codes, so the file has realistic instruments and answers.

    .venv/bin/python bench/import_export.py [--copies 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from enkat import create_app
from enkat.demo import load_demo
from enkat.extensions import db
from enkat.models import Forbund
from enkat.services.answering.tidy_import import import_responses
from enkat.services.results.answer_exports import AnswerFilter, export_responses, tidy_xlsx


def demo_export(app) -> str:
    with app.app_context():
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


def timed(label: str, work) -> object:
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:8.2f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="enkat-bench-"))
    url = arguments.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    app.instance_path = str(folder)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    data = copied(demo_export(app), arguments.copies)
    lines = data.count(b"\n") - 1
    print(f"database: {url.split(':')[0]}")
    print(f"file: {lines} rows, {len(data) / 1e6:.1f} MB")
    with app.app_context():
        summary, seconds = timed("import", lambda: import_responses(
            data, create_missing=True))
        db.session.commit()
        print(f"  {summary.responses_created} responses, {lines / seconds:,.0f} rows/s")
        again, _ = timed("import again (unchanged)", lambda: import_responses(data))
        db.session.commit()
        print(f"  {again.responses_unchanged} unchanged")
        out = io.StringIO()
        written, seconds = timed("export", lambda: export_responses(out))
        print(f"  {written} rows, {written / seconds:,.0f} rows/s")
        bench = db.session.scalars(select(Forbund).where(Forbund.slug == "bench")).one()
        (workbook, rows), seconds = timed("answers workbook (XLSX)",
                                          lambda: tidy_xlsx(AnswerFilter(forbund=bench)))
        print(f"  {rows} rows, {rows / seconds:,.0f} rows/s, {len(workbook) / 1e6:.1f} MB")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak memory (max RSS, whole run) {peak / 1024:.0f} MB")


if __name__ == "__main__":
    main()
