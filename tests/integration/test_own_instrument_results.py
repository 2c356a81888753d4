"""A förbund's own instrument gives results as its file declares, through the command
line a förbund scripts: `enkat instruments publish`, `enkat import responses`,
`enkat report --format json`. The deltagare were never enrolled through the Finsam
forms; their answers count all the same, and the report says so.

The expected figures are worked out here from the same data with scipy.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import statistics
from fractions import Fraction
from pathlib import Path

import pytest
from scipy import stats

from .command_line import enkat, succeeded

AREAS = ("boende", "halsa", "ekonomi", "relationer", "sysselsattning", "fritid")
INSTRUMENT = {
    "format": 1, "id": "livsomraden", "version": 1,
    "title": {"sv": "Livsområden"}, "audience": "deltagare", "rated_by": "self",
    "languages": ["sv"], "timepoints": ["start", "uppfoljning-{n}m"],
    "source": {"owner": "Samordningsförbundet Prov", "licence": "fri",
               "verified": "egen enkät"},
    "scales": {"sex": {"codes": [{"code": c, "label": str(c)} for c in range(1, 7)]}},
    "items": [*({"id": area, "type": "ordinal", "text": f"Hur går det med {area}?",
                 "scale": "sex"} for area in AREAS),
              {"id": "egen-plan", "type": "yesno", "text": "Har du en egen plan?",
               "positive": ["ja"], "indicator": "har-en-plan"}],
    "scoring": {"scores": [{"id": "medel", "label": "Medel", "method": "mean",
                            "items": list(AREAS), "meaningful_change": 1}],
                "indicators": [{"id": "har-en-plan", "label": "Har en egen plan"}]},
}
YEAR = ("2025-01-01", "2025-12-31")


def answers_of_the_year(rng: random.Random) -> list[tuple[str, str, dt.date, dict[str, str]]]:
    """(deltagare, timepoint, date, answers): 40 deltagare rated one to four times, some
    before the year (their course starts there), the plan asked every time."""
    rows = []
    for person in range(40):
        code = f"LIV{person:03d}"
        day = dt.date(2024, 11, 1) + dt.timedelta(days=rng.randrange(0, 200))
        level = rng.randint(1, 4)
        for visit in range(rng.randint(1, 4)):
            level = min(6, max(1, level + rng.choice((-1, 0, 1, 1))))
            answers = {area: str(min(6, max(1, level + rng.choice((-1, 0, 0, 1)))))
                       for area in AREAS}
            answers["egen-plan"] = rng.choice(("ja", "ja", "nej"))
            rows.append((code, "start" if visit == 0 else f"uppfoljning-{3 * visit}m",
                         day, answers))
            day += dt.timedelta(days=rng.randrange(60, 100))
    return rows


def tidy_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["response_id", "forbund", "insats", "participant", "instrument",
                     "instrument_version", "timepoint", "answered_on", "item", "value"])
    for number, (code, timepoint, day, answers) in enumerate(rows):
        for item, value in answers.items():
            writer.writerow([f"liv-{number}", "prov", "livsstegen", code, "livsomraden", 1,
                             timepoint, day.isoformat(), item, value])
    return out.getvalue().encode()


def expected(rows):
    """The figures the report must give, from the rows as plain Python and scipy."""
    end = dt.date.fromisoformat(YEAR[1])
    start = dt.date.fromisoformat(YEAR[0])
    courses: dict[str, list[Fraction]] = {}
    in_year = {code for code, _, day, _ in rows if start <= day <= end}
    for code, _, day, answers in sorted(rows, key=lambda row: row[2]):
        if code in in_year and day <= end:
            courses.setdefault(code, []).append(  # exact, as the report sums in SQL
                Fraction(sum(int(answers[area]) for area in AREAS), len(AREAS)))
    pairs = [(values[0], values[-1]) for values in courses.values() if len(values) >= 2]
    first, latest = [float(p[0]) for p in pairs], [float(p[1]) for p in pairs]
    changes = [b - a for a, b in pairs]
    plans = [answers["egen-plan"] for _, timepoint, day, answers in rows
             if start <= day <= end and timepoint == "start"]
    return {
        "pairs": len(pairs), "first": statistics.mean(first), "latest": statistics.mean(latest),
        "change": float(statistics.mean(changes)),
        "p": stats.ttest_rel(latest, first).pvalue,
        "stepped": sum(change >= 1 for change in changes) / len(courses),
        "plan_at_start": plans.count("ja") / len(plans),
        "deltagare": len(in_year),
        "responses": sum(start <= day <= end for _, _, day, _ in rows),
    }


def value(table: dict, label: str, column: int = 1):
    row = next(row for row in table["rows"] if row[0] == label)
    return row[column]


def test_an_own_instrument_answered_without_enrolment_gives_its_declared_results(
        own_database_url, tmp_path: Path):
    rows = answers_of_the_year(random.Random(15))  # every step class 0 or at least 5
    (tmp_path / "livsomraden.json").write_text(json.dumps(INSTRUMENT), encoding="utf-8")
    (tmp_path / "svar.csv").write_bytes(tidy_csv(rows))

    def run(*args: str) -> str:
        return succeeded(enkat(own_database_url, tmp_path, *args))

    run("db", "upgrade")
    run("create-forbund", "--slug", "prov", "--name", "Samordningsförbundet Prov")
    run("instruments", "publish", "livsomraden.json", "--forbund", "prov")
    run("import", "responses", "svar.csv", "--forbund", "prov", "--create-missing")
    run("report", "--insats", "livsstegen", "--forbund", "prov", "--from", YEAR[0],
        "--to", YEAR[1], "--format", "json", "-o", "rapport.json")
    report = json.loads((tmp_path / "rapport.json").read_text(encoding="utf-8"))
    tables = {table["id"]: table for table in report["tables"]}
    want = expected(rows)

    prepost = tables["livsomraden-medel-prepost"]
    assert value(prepost, "Deltagare med minst två skattningar") == want["pairs"]
    assert value(prepost, "Medelvärde första skattningen") == pytest.approx(want["first"])
    assert value(prepost, "Medelvärde senaste skattningen") == pytest.approx(want["latest"])
    assert value(prepost, "Medelförändring") == pytest.approx(want["change"])
    assert value(prepost, "p-värde, parat t-test") == pytest.approx(want["p"], rel=1e-9)
    steps = tables["livsomraden-medel-steg"]
    assert value(steps, "Stegförflyttning framåt", 2) == pytest.approx(want["stepped"])
    assert len(tables["livsomraden-omraden"]["rows"]) == len(AREAS)

    at_start = tables["livsomraden-start"]
    assert value(at_start, "7. Har du en egen plan?", 2) == pytest.approx(
        want["plan_at_start"])
    assert {"table": "livsomraden-start", "item": "egen-plan"}.items() <= next(
        r for r in report["indicators"] if r["table"] == "livsomraden-start").items()

    coverage = report["coverage"]
    assert coverage["participants_without_enrolment"] == want["deltagare"]
    assert coverage["responses_without_enrolment"] == want["responses"]
    assert (f"{want['deltagare']} deltagare har svar men ingen inskrivning under perioden i "
            f"insatsen där de svarade ({want['responses']} svar).") in coverage["statements"]
    [own] = coverage["instruments"]
    assert (own["instrument"], own["responses"], own["left_out"]) == (
        "livsomraden", want["responses"], 0)
