"""Time and memory of writing the demo's förbund report in each format. Prints, never
asserts.

    .venv/bin/python bench/report_formats.py [--repeat 3]

Loads the demo (`enkat db upgrade`, `enkat demo`) into its own SQLite file, builds the
förbund report for 2025 once, then, for each format in a fresh Python process (so that
its peak memory belongs to that format): the best of `--repeat` renderings
(`enkat.reports.rendering.render`: for html, pdf and docx the layout, every chart and
the file), the tracemalloc peak of one rendering (Python's own allocations), and the
process's peak resident memory (max RSS, with what the C libraries take: matplotlib's
Agg, pango and cairo for the PDF) before and after rendering. Also the file's size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ENKAT = Path(sys.executable).with_name("enkat")
FORBUND = "alvdalen"
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # FORMAT: measure one
    parser.add_argument("--database", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(measure(arguments.database, arguments.child, arguments.repeat)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run([str(ENKAT), *command], check=True, capture_output=True,
                           env={"ENKAT_DATABASE_URL": url, "ENKAT_SECRET_KEY": "bench",
                                "PATH": "/usr/bin:/bin"})
        from enkat.reports import FORMATS

        print(f"The demo's förbund report ({FORBUND}, 2025), best of {arguments.repeat}:")
        print(f"{'format':8}{'time':>9}{'py peak':>10}{'max RSS':>10}{'growth':>9}"
              f"{'size':>10}")
        for format in FORMATS:
            child = subprocess.run([sys.executable, __file__, "--child", format,
                                    "--database", url, "--repeat", str(arguments.repeat)],
                                   check=True, capture_output=True, text=True)
            figures = json.loads(child.stdout.splitlines()[-1])
            print(f"{format:8}{figures['seconds']:>8.2f}s{figures['python_peak_mb']:>8.0f}MB"
                  f"{figures['max_rss_mb']:>8.0f}MB{figures['rss_growth_mb']:>7.0f}MB"
                  f"{figures['kilobytes']:>8.0f}kB")


def measure(url: str, format: str, repeat: int) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from enkat import create_app
    from enkat.reports.period import Period
    from enkat.reports.rendering import render
    from enkat.services.organisation.forbund import get_forbund
    from enkat.services.results.reports import build_report_for

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        report = build_report_for(get_forbund(FORBUND), period=Period(*YEAR))
    before = _max_rss_mb()
    data = render(report, format)  # loads what the format needs (matplotlib, WeasyPrint)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        render(report, format)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    render(report, format)
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": best, "python_peak_mb": python_peak / 2**20,
            "max_rss_mb": _max_rss_mb(), "rss_growth_mb": _max_rss_mb() - before,
            "kilobytes": len(data) / 1024}


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


if __name__ == "__main__":
    main()
