"""Every figure of the demo's reports stays what the report queries of 5 December 2026
gave (commit 78e21d4, before courses, areas and session flags were counted the faster
ways): the förbund's and each insats' report, for 2025 and for its first half, compared
as lossless snapshots (each figure's value, n, interval and suppression mark), so a
suppressed figure is compared too. The file was written by that commit's code, on
SQLite and on PostgreSQL alike (the two gave the same bytes)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

from enkat.reports.filed.snapshot import report_snapshot
from enkat.reports.period import Period
from enkat.services.organisation.forbund import get_forbund
from enkat.services.results.reports import build_report_for

SNAPSHOTS = Path(__file__).with_name("demo_report_snapshots.json.gz")
PERIODS = (Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
           Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))


def test_every_figure_of_the_demo_reports_is_what_it_was(demo):
    forbund = get_forbund("alvdalen")
    found = {}
    for period in PERIODS:
        for insats in (None, *sorted(forbund.insatser, key=lambda insats: insats.slug)):
            name = f"{insats.slug if insats else 'forbund'} {period.start}..{period.end}"
            found[name] = report_snapshot(build_report_for(forbund, insats, period=period))
    expected = json.loads(gzip.decompress(SNAPSHOTS.read_bytes()))
    assert sorted(found) == sorted(expected)
    for name, snapshot in expected.items():
        assert json.loads(json.dumps(found[name])) == snapshot, name
