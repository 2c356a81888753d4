"""Time a full förbund report at national scale against the plain SQL it needs.

Builds a database with `--answers` answers (default 1,000,000) across 50 insatser of one
förbund, or spread over `--forbund` förbund of 50 insatser each, the first one measured
(see `scale_data.py`), then measures in a fresh Python process, so that its peak memory
belongs to the report and not to the data build:
- the plain SQL: hand-written aggregate queries that compute what the report shows
  (deltagare active/new/ended per insats and kön, registration answers per item and value,
  NNS answer counts per item, value and timepoint; for ORS, SKAPA and processtrappan each
  deltagare's first and latest total and number of ratings, SKAPA's areas, SRS flags;
  the coverage table's responses per instrument, without a code and without an
  enrolment; the summary's years side by side: deltagare, exits and NNS answers of
  the years before the previous one);
- the full förbund report, `build_report_for(forbund, period=2025)`: its time, the CPU
  time of the measuring process, and the split: the report's own statements run alone
  (execute and fetch every row, "its SQL") and the rest (Python: building rows and
  tables); and its rendering to JSON and XLSX;
- the peak memory: max RSS of the measuring process, its growth over the measurements,
  and the tracemalloc peak of one report call.
Several `--answers` give the growth curve, one database each. Each timing is the best of
`--repeat` runs; the load average is printed beside every wall-clock figure, since other
work on the machine stretches them (CPU times and statement counts are steadier). It
prints figures and asserts nothing.

    .venv/bin/python bench/report_scale.py [--database sqlite|postgresql|both]
        [--answers 100000 1000000 10000000] [--forbund 75] [--repeat 2] [--seed 3]
        [--keep] [--profile]

PostgreSQL is a throw-away server (`tests/postgresql.py`: needs the server binaries).
`--keep` keeps the SQLite file; `--profile` prints a cProfile of one report call.
Targets (issue 18, §3): report ≤ 3 s at a million answers on both databases, ≤ 2× the
plain SQL at 100,000 and at 1,000,000 answers.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scale_data  # noqa: E402
from sqlalchemy import bindparam, event, select, text  # noqa: E402

from enkat import create_app  # noqa: E402
from enkat.extensions import db  # noqa: E402
from enkat.models import Forbund  # noqa: E402
from enkat.reports.exports import to_json  # noqa: E402
from enkat.reports.exports.xlsx_export import to_xlsx  # noqa: E402
from enkat.reports.period import Period  # noqa: E402
from enkat.reports.summary import trend_periods  # noqa: E402
from enkat.services.results import report_data  # noqa: E402
from enkat.services.results.reports import build_report_for  # noqa: E402
from tests.postgresql import PostgresServer, PostgresUnavailable  # noqa: E402

PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
#: The surveys whose answers the plain SQL counts (the bench's data, as scale_data writes it).
NNS_DELTAGARE = ("nns-deltagare-pagaende", "nns-deltagare-avslut")

# --- the plain SQL: what the report shows, counted by the database ---------------------

#: Days from start to end of an enrolment, for the trial-period exits.
DAYS_ENROLLED = {
    "sqlite": "julianday(e.ended_on) - julianday(e.started_on)",
    "postgresql": "e.ended_on - e.started_on",
}

#: Enrolments overlapping the period, with their inskrivning response and its kön.
ENROLMENTS_CTE = """
WITH e AS (
    SELECT e.participant_id, e.insats_id, e.started_on, e.ended_on, i.trial_period_days,
           s.id AS start_id, k.value AS kon
    FROM enrolments e
    JOIN insatser i ON i.id = e.insats_id
    LEFT JOIN responses s
      ON s.participant_id = e.participant_id AND s.insats_id = e.insats_id
     AND s.answered_on = e.started_on AND s.submitted_at IS NOT NULL
     AND s.instrument_version_id IN (
         SELECT id FROM instrument_versions WHERE instrument_id = 'finsam-inskrivning')
    LEFT JOIN answers k ON k.response_id = s.id AND k.item_id = 'kon'
    WHERE e.insats_id IN :insatser
      AND e.started_on <= :end AND (e.ended_on IS NULL OR e.ended_on >= :start)
)
"""

DELTAGARE_SQL = ENROLMENTS_CTE + """
SELECT e.insats_id, e.kon, COUNT(*) AS active,
       SUM(CASE WHEN e.started_on >= :start THEN 1 ELSE 0 END) AS started,
       SUM(CASE WHEN e.ended_on <= :end THEN 1 ELSE 0 END) AS ended,
       SUM(CASE WHEN e.ended_on <= :end AND {days} < e.trial_period_days
                THEN 1 ELSE 0 END) AS trial_exits
FROM e
GROUP BY e.insats_id, e.kon
"""

#: Background of those who started; before (inskrivning), after (avslut) and follow-ups
#: of those who ended; each answer counted per item, value and kön.
REGISTRATION_SQL = ENROLMENTS_CTE + """
SELECT 'background', a.item_id, a.value, e.kon, COUNT(*)
FROM e JOIN answers a ON a.response_id = e.start_id
WHERE e.started_on >= :start
GROUP BY a.item_id, a.value, e.kon
UNION ALL
SELECT 'before', a.item_id, a.value, e.kon, COUNT(*)
FROM e JOIN answers a ON a.response_id = e.start_id
WHERE e.ended_on <= :end
GROUP BY a.item_id, a.value, e.kon
UNION ALL
SELECT r.timepoint, a.item_id, a.value, e.kon, COUNT(*)
FROM e
JOIN responses r
  ON r.participant_id = e.participant_id AND r.insats_id = e.insats_id
 AND r.submitted_at IS NOT NULL
JOIN instrument_versions v ON v.id = r.instrument_version_id
JOIN answers a ON a.response_id = r.id
WHERE e.ended_on <= :end
  AND ((v.instrument_id = 'finsam-avslut' AND r.answered_on = e.ended_on)
       OR (v.instrument_id = 'finsam-uppfoljning' AND r.answered_on >= e.ended_on))
GROUP BY r.timepoint, a.item_id, a.value, e.kon
"""

NNS_SQL = """
SELECT v.instrument_id, r.timepoint, a.item_id, a.value, k.value AS kon, COUNT(*)
FROM responses r
JOIN instrument_versions v ON v.id = r.instrument_version_id
JOIN answers a ON a.response_id = r.id
LEFT JOIN answers k ON k.response_id = r.id AND k.item_id = 'kon'
WHERE r.insats_id IN :insatser AND v.instrument_id IN :instruments
  AND r.submitted_at IS NOT NULL AND r.answered_on BETWEEN :start AND :end
GROUP BY v.instrument_id, r.timepoint, a.item_id, a.value, k.value
"""

#: Submitted responses of rated instruments about the deltagare enrolled in the period,
#: up to its end, each with the sum, count and lowest of its answers.
RATED_CTE = """
WITH rated AS (
    SELECT r.id, r.participant_id, v.instrument_id, r.answered_on,
           SUM(CAST(a.value AS DOUBLE PRECISION)) AS total, COUNT(*) AS answered,
           MIN(CAST(a.value AS DOUBLE PRECISION)) AS lowest
    FROM responses r
    JOIN instrument_versions v ON v.id = r.instrument_version_id
    JOIN answers a ON a.response_id = r.id
    WHERE r.insats_id IN :insatser AND v.instrument_id IN :instruments
      AND r.submitted_at IS NOT NULL AND r.answered_on <= :end
      AND r.participant_id IN (
          SELECT participant_id FROM enrolments
          WHERE insats_id IN :insatser AND started_on <= :end
            AND (ended_on IS NULL OR ended_on >= :start))
    GROUP BY r.id, r.participant_id, v.instrument_id, r.answered_on
)
"""

#: Pre/post: each deltagare's first and latest total and number of ratings.
COURSES_SQL = RATED_CTE + """
, ranked AS (
    SELECT participant_id, instrument_id, total,
           COUNT(*) OVER (PARTITION BY participant_id, instrument_id) AS n,
           ROW_NUMBER() OVER (PARTITION BY participant_id, instrument_id
                              ORDER BY answered_on, id) AS first_rank,
           ROW_NUMBER() OVER (PARTITION BY participant_id, instrument_id
                              ORDER BY answered_on DESC, id DESC) AS latest_rank
    FROM rated
)
SELECT participant_id, instrument_id, MAX(n),
       MAX(CASE WHEN first_rank = 1 THEN total END),
       MAX(CASE WHEN latest_rank = 1 THEN total END)
FROM ranked WHERE first_rank = 1 OR latest_rank = 1
GROUP BY participant_id, instrument_id
"""

#: SKAPA per area: deltagare with two ratings of it, mean first, latest and change,
#: and how many improved by a step.
AREAS_SQL = """
WITH rated AS (
    SELECT r.id, r.participant_id, v.instrument_id, a.item_id, r.answered_on,
           CAST(a.value AS DOUBLE PRECISION) AS value
    FROM responses r
    JOIN instrument_versions v ON v.id = r.instrument_version_id
    JOIN answers a ON a.response_id = r.id
    WHERE r.insats_id IN :insatser AND v.instrument_id IN :instruments
      AND r.submitted_at IS NOT NULL AND r.answered_on <= :end
      AND r.participant_id IN (
          SELECT participant_id FROM enrolments
          WHERE insats_id IN :insatser AND started_on <= :end
            AND (ended_on IS NULL OR ended_on >= :start))
), ranked AS (
    SELECT participant_id, instrument_id, item_id, value,
           COUNT(*) OVER (PARTITION BY participant_id, instrument_id, item_id) AS n,
           ROW_NUMBER() OVER (PARTITION BY participant_id, instrument_id, item_id
                              ORDER BY answered_on, id) AS first_rank,
           ROW_NUMBER() OVER (PARTITION BY participant_id, instrument_id, item_id
                              ORDER BY answered_on DESC, id DESC) AS latest_rank
    FROM rated
), ends AS (
    SELECT instrument_id, item_id,
           MAX(CASE WHEN first_rank = 1 THEN value END) AS first,
           MAX(CASE WHEN latest_rank = 1 THEN value END) AS latest
    FROM ranked WHERE n >= 2 AND (first_rank = 1 OR latest_rank = 1)
    GROUP BY participant_id, instrument_id, item_id
)
SELECT instrument_id, item_id, COUNT(*), AVG(first), AVG(latest), AVG(latest - first),
       SUM(CASE WHEN latest - first >= 1 THEN 1 ELSE 0 END)
FROM ends GROUP BY instrument_id, item_id
"""

#: SRS flags: sessions, below the cut-off, an item low, a drop from the session before,
#: and deltagare with any flag.
SESSIONS_SQL = RATED_CTE + """
, flagged AS (
    SELECT participant_id,
           CASE WHEN total < 36 THEN 1 ELSE 0 END AS below,
           CASE WHEN lowest < 9 THEN 1 ELSE 0 END AS item_low,
           CASE WHEN LAG(total) OVER (PARTITION BY participant_id
                                      ORDER BY answered_on, id) - total >= 1
                THEN 1 ELSE 0 END AS dropped
    FROM rated
), people AS (
    SELECT COUNT(*) AS sessions, SUM(below) AS below, SUM(item_low) AS item_low,
           SUM(dropped) AS dropped, MAX(below + item_low + dropped) AS flagged
    FROM flagged GROUP BY participant_id
)
SELECT SUM(sessions), SUM(below), SUM(item_low), SUM(dropped),
       SUM(CASE WHEN flagged > 0 THEN 1 ELSE 0 END)
FROM people
"""


#: Coverage: per instrument, the responses of the period, those without a deltagare code,
#: and those (and their deltagare) without an enrolment in the response's insats.
COVERAGE_SQL = """
SELECT v.instrument_id, COUNT(*),
       SUM(CASE WHEN r.participant_id IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.participant_id IS NOT NULL AND e.participant_id IS NULL
                THEN 1 ELSE 0 END),
       COUNT(DISTINCT CASE WHEN r.participant_id IS NOT NULL AND e.participant_id IS NULL
                           THEN r.participant_id END)
FROM responses r
JOIN instrument_versions v ON v.id = r.instrument_version_id
LEFT JOIN (SELECT DISTINCT participant_id, insats_id FROM enrolments
           WHERE insats_id IN :insatser AND started_on <= :end
             AND (ended_on IS NULL OR ended_on >= :start)) e
  ON e.participant_id = r.participant_id AND e.insats_id = r.insats_id
WHERE r.insats_id IN :insatser AND r.submitted_at IS NOT NULL
  AND r.answered_on BETWEEN :start AND :end
GROUP BY v.instrument_id
"""

#: The key figures of the years before the previous one (the summary's years side by
#: side): deltagare enrolled, started and ended each year, why those who ended did so,
#: and the NNS answers; `{years}` is a row per year (n, ys, ye).
TREND_DELTAGARE_SQL = """
WITH years AS ({years})
SELECT y.n, COUNT(*), SUM(CASE WHEN e.started_on >= y.ys THEN 1 ELSE 0 END),
       SUM(CASE WHEN e.ended_on <= y.ye THEN 1 ELSE 0 END)
FROM years y
JOIN enrolments e ON e.started_on <= y.ye AND (e.ended_on IS NULL OR e.ended_on >= y.ys)
WHERE e.insats_id IN :insatser
GROUP BY y.n
"""
TREND_EXITS_SQL = """
WITH years AS ({years})
SELECT y.n, a.item_id, a.value, COUNT(*)
FROM years y
JOIN enrolments e ON e.ended_on BETWEEN y.ys AND y.ye
JOIN responses r
  ON r.participant_id = e.participant_id AND r.insats_id = e.insats_id
 AND r.answered_on = e.ended_on AND r.submitted_at IS NOT NULL
JOIN instrument_versions v ON v.id = r.instrument_version_id
JOIN answers a ON a.response_id = r.id
WHERE e.insats_id IN :insatser AND v.instrument_id = 'finsam-avslut'
  AND e.ended_on BETWEEN :trend_start AND :trend_end
GROUP BY y.n, a.item_id, a.value
"""
TREND_NNS_SQL = """
WITH years AS ({years})
SELECT y.n, v.instrument_id, r.timepoint, a.item_id, a.value, COUNT(*)
FROM responses r
JOIN years y ON r.answered_on BETWEEN y.ys AND y.ye
JOIN instrument_versions v ON v.id = r.instrument_version_id
JOIN answers a ON a.response_id = r.id
WHERE r.insats_id IN :insatser AND v.instrument_id IN :instruments
  AND r.submitted_at IS NOT NULL AND r.answered_on BETWEEN :trend_start AND :trend_end
GROUP BY y.n, v.instrument_id, r.timepoint, a.item_id, a.value
"""


def years_rows(periods: tuple[Period, ...]) -> tuple[str, dict[str, dt.date]]:
    """`SELECT n, ys, ye` joined by UNION ALL, one per period, and its parameters (with
    the first start and the last end, trend_start and trend_end)."""
    rows = " UNION ALL ".join(f"SELECT {n} AS n, :ys{n} AS ys, :ye{n} AS ye"
                              for n in range(len(periods)))
    dates = {"trend_start": periods[0].start, "trend_end": periods[-1].end}
    for n, period in enumerate(periods):
        dates |= {f"ys{n}": period.start, f"ye{n}": period.end}
    return rows, dates


def plain_sql(insats_ids: list[int], period: Period) -> int:
    """Run the aggregates the report needs, for the period, the one before and, for the
    summary's years side by side, the years before those; rows read."""
    dialect = db.engine.dialect.name
    previous = period.previous()
    years, year_dates = years_rows(trend_periods(period)[:-2])
    queries = [
        (DELTAGARE_SQL.format(days=DAYS_ENROLLED[dialect]), period, ()),
        (DELTAGARE_SQL.format(days=DAYS_ENROLLED[dialect]), previous, ()),
        (REGISTRATION_SQL, period, ()),
        (NNS_SQL, period, NNS_DELTAGARE),
        (NNS_SQL, previous, NNS_DELTAGARE),
        (COVERAGE_SQL, period, ()),
        (COURSES_SQL, period, ("ors", "skapa", "skapa-personal", "processtrappan")),
        (AREAS_SQL, period, ("skapa", "skapa-personal")),
        (SESSIONS_SQL, period, ("srs",)),
        (TREND_DELTAGARE_SQL.format(years=years), period, ()),
        (TREND_EXITS_SQL.format(years=years), period, ()),
        (TREND_NNS_SQL.format(years=years), period, NNS_DELTAGARE),
    ]
    rows = 0
    for sql, dates, instruments in queries:
        query = text(sql).bindparams(bindparam("insatser", expanding=True))
        parameters = {"insatser": insats_ids, "start": dates.start, "end": dates.end,
                      **year_dates}
        if instruments:
            query = query.bindparams(bindparam("instruments", expanding=True))
            parameters["instruments"] = list(instruments)
        rows += len(db.session.execute(query, parameters).all())
    return rows


# --- measuring, in a fresh process -----------------------------------------------------


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float, object]:
    """(first, best) seconds of `repeat` runs, and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return seconds[0], min(seconds), result


def traced_peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def print_profile(work: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(work)
    for order in ("cumulative", "tottime"):
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(25)


def statements_of(work: Callable[[], object]) -> list[tuple[str, object]]:
    """The SQL statements `work` runs, with their parameters, as the driver gets them."""
    seen: list[tuple[str, object]] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def sql_alone(statements: list[tuple[str, object]]) -> float:
    """Seconds to run the statements on the driver's cursor, fetching every row."""
    connection = db.engine.raw_connection()
    try:
        start = time.perf_counter()
        for statement, parameters in statements:
            cursor = connection.cursor()
            cursor.execute(statement, parameters)
            cursor.fetchall()
        return time.perf_counter() - start
    finally:
        connection.close()


def server_cpu() -> float:
    """CPU seconds so far of the PostgreSQL server serving the session (a local one, so
    /proc has it): its postmaster's processes, with the parallel workers that have ended
    (their time is the postmaster's children's); 0 on SQLite, whose work is this
    process's own."""
    if db.engine.dialect.name != "postgresql":
        return 0.0
    postmaster = int(_stat(db.session.scalar(text("SELECT pg_backend_pid()")))[1])
    ticks = sum(sum(map(int, fields[11:15])) for fields in [_stat(postmaster)])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                fields = _stat(int(entry.name))
                if int(fields[1]) == postmaster:
                    ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str]:
    """/proc/<pid>/stat after the command's name: state, ppid, …, utime at [11]."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_of(work: Callable[[], object]) -> float:
    """CPU seconds of this process and of the database server's backend running `work`."""
    start, server = time.process_time(), server_cpu()
    work()
    return time.process_time() - start + server_cpu() - server


def measure(url: str, repeat: int, profile: bool) -> dict:
    """The figures of one database; runs in its own process (see `measured_apart`)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        forbund = db.session.scalar(select(Forbund).where(
            Forbund.slug == scale_data.FORBUND_SLUG))
        insats_ids = list(report_data.insatser_of(forbund.id))

        def report():
            return build_report_for(forbund, period=PERIOD)

        rss_before = max_rss_mb()
        _, sql_seconds, sql_rows = best_of(repeat, lambda: plain_sql(insats_ids, PERIOD))
        report_first, report_seconds, built = best_of(repeat, report)
        load = os.getloadavg()[0]
        report_cpu = min(cpu_of(report) for _ in range(repeat))
        sql_cpu = min(cpu_of(lambda: plain_sql(insats_ids, PERIOD)) for _ in range(repeat))
        statements = statements_of(report)
        own_sql = min(sql_alone(statements) for _ in range(repeat))
        _, json_seconds, _ = best_of(repeat, lambda: to_json(built))
        _, xlsx_seconds, _ = best_of(repeat, lambda: to_xlsx(built))
        rss_after = max_rss_mb()
        traced = traced_peak_mb(report)
        if profile:
            print_profile(report)
    return {
        "sql_seconds": sql_seconds, "sql_rows": sql_rows, "report_first": report_first,
        "report_seconds": report_seconds, "report_cpu": report_cpu, "sql_cpu": sql_cpu,
        "load": load,
        "statements": len(statements), "own_sql_seconds": own_sql,
        "tables": len(built.tables), "json_seconds": json_seconds, "xlsx_seconds": xlsx_seconds,
        "rss_before_mb": rss_before, "rss_peak_mb": rss_after, "traced_peak_mb": traced,
    }


def measured_apart(url: str, arguments: argparse.Namespace) -> dict:
    """`measure` in a fresh interpreter, so max RSS is the report's, not the build's."""
    command = [sys.executable, __file__, "--measure", url, "--repeat", str(arguments.repeat)]
    if arguments.profile:
        command.append("--profile")
    finished = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(finished.stdout.splitlines()[-1])


# --- building the database -------------------------------------------------------------


@contextlib.contextmanager
def empty_database(kind: str, keep: bool) -> Iterator[str]:
    """The URL of an empty database of this kind, removed afterwards."""
    if kind == "postgresql":
        server = PostgresServer.start()
        try:
            yield server.create_database("enkat_bench")
        finally:
            server.stop()
        return
    folder = Path(tempfile.mkdtemp(prefix="enkat-bench-"))
    try:
        yield f"sqlite:///{folder / 'report-scale.sqlite'}"
    finally:
        if keep:
            print(f"kept {folder / 'report-scale.sqlite'}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def build_database(url: str, answers: int, seed: int, forbund: int) -> scale_data.Totals:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        totals = scale_data.build(answers, seed, forbund)
        db.engine.dispose()
    return totals


# --- the run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    database: str
    totals: scale_data.Totals
    build_seconds: float
    figures: dict


def run(kind: str, answers: int, arguments: argparse.Namespace) -> Result:
    with empty_database(kind, arguments.keep) as url:
        start = time.perf_counter()
        totals = build_database(url, answers, arguments.seed, arguments.forbund)
        build_seconds = time.perf_counter() - start
        everywhere = totals.everywhere
        print(f"{kind}: built {everywhere.answers:,} answers, {everywhere.responses:,} "
              f"responses, {everywhere.participants:,} deltagare in {everywhere.insatser} "
              f"insatser of {arguments.forbund} förbund in {build_seconds:.1f} s "
              f"(load {os.getloadavg()[0]:.1f}); the förbund measured: {totals.answers:,} "
              f"answers, {totals.participants:,} deltagare", flush=True)
        print("  its answers by instrument: " + ", ".join(
            f"{i} {n:,}" for i, n in sorted(totals.answers_by_instrument.items())), flush=True)
        figures = measured_apart(url, arguments)
    return Result(kind, totals, build_seconds, figures)


def print_table(results: list[Result]) -> None:
    print(f"\nfull förbund report, {PERIOD.start} – {PERIOD.end} (previous period for "
          "comparisons); best of the runs; targets: ≤ 3 s at 1 M, ≤ 2× SQL")
    header = ("database", "all answ.", "its answ.", "build s", "SQL s", "report s", "ratio",
              "load", "SQL CPU s", "CPU s", "CPU ratio", "its SQL s", "Python s", "stmts",
              "1st rep s", "JSON s", "XLSX s", "peak MB", "growth MB", "traced MB")
    print(" ".join(f"{h:>10}" for h in header))
    for r in results:
        f = r.figures
        cells = (r.database, f"{r.totals.everywhere.answers:,}", f"{r.totals.answers:,}",
                 f"{r.build_seconds:.1f}", f"{f['sql_seconds']:.2f}",
                 f"{f['report_seconds']:.2f}",
                 f"{f['report_seconds'] / f['sql_seconds']:.1f}×", f"{f['load']:.1f}",
                 f"{f['sql_cpu']:.2f}", f"{f['report_cpu']:.2f}",
                 f"{f['report_cpu'] / f['sql_cpu']:.1f}×", f"{f['own_sql_seconds']:.2f}",
                 f"{f['report_seconds'] - f['own_sql_seconds']:.2f}", f"{f['statements']}",
                 f"{f['report_first']:.2f}", f"{f['json_seconds']:.3f}",
                 f"{f['xlsx_seconds']:.3f}", f"{f['rss_peak_mb']:.0f}",
                 f"{f['rss_peak_mb'] - f['rss_before_mb']:.0f}", f"{f['traced_peak_mb']:.0f}")
        print(" ".join(f"{c:>10}" for c in cells))
    print("all answ.: in the database; its answ.: of the förbund reported on; load: 1-minute "
          "load average after the timings; SQL CPU s, CPU s: CPU time of the plain SQL and "
          "of one report, of the measuring process and, on PostgreSQL, of the server's "
          "backend serving it (steady under load); its SQL s: the "
          "report's statements run alone, every row fetched; Python s: report s − its SQL s; "
          "peak MB: max RSS of the measuring process (imports included); growth MB: its "
          "rise during the measurements; traced MB: tracemalloc peak of one report call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--answers", type=int, nargs="+", default=[1_000_000],
                        help="answers in the database; several give the growth curve")
    parser.add_argument("--forbund", type=int, default=1,
                        help="förbund the answers are spread over (75: national scale)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each step")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of one report call (stderr)")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, arguments.repeat, arguments.profile)))
        return
    kinds = ("sqlite", "postgresql") if arguments.database == "both" else (arguments.database,)
    results = []
    for kind in kinds:
        for answers in arguments.answers:
            try:
                results.append(run(kind, answers, arguments))
            except PostgresUnavailable as missing:
                print(f"{kind}: skipped ({missing})")
                break
    print_table(results)


if __name__ == "__main__":
    main()
