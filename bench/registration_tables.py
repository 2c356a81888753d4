"""Time of the registration tables, whose deltagare table and exit reasons are
suppressed together (`enkat.scoring.suppression.suppress_linked`). Prints, never asserts.

    .venv/bin/python bench/registration_tables.py [--repeat 3]

Draws an insats' year (seeded) of 60, 300 and 2,000 deltagare: starts over 18 months,
six in ten ended after 20 to 300 days, kön and exit reason at random over the bundled
forms' codes; times `registration_tables` at k = 5 and k = 3 the first time (cold) and
again (warm: the protection of the same counts is kept in the process), and counts the
figures hidden in the deltagare table and the exit reasons. Small groups (many cells
under k) are the costly case: every hidden figure is audited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.inputs import EnrolmentFacts
from enkat.reports.period import Period
from enkat.reports.registration import RegistrationForms, registration_tables
from enkat.scoring.suppression import Suppression

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def year_of(count: int, forms: RegistrationForms, chance: random.Random) -> list[EnrolmentFacts]:
    assert forms.kon is not None and forms.exit_reason is not None
    people = []
    for number in range(count):
        start = dt.date(2024, 6, 1) + dt.timedelta(days=chance.randint(0, 500))
        end = start + dt.timedelta(days=chance.randint(20, 300)) if chance.random() < .6 else None
        end = end if end is not None and end <= YEAR.end else None
        people.append(EnrolmentFacts(
            participant_id=number, insats_id=1, started_on=start, ended_on=end,
            trial_period_days=90,
            inskrivning={"kon": (chance.choice(forms.kon.codes),), "forsorjning": ("lon",)},
            avslut=None if end is None else {
                "avslutsanledning": (chance.choice(forms.exit_reason.codes),),
                "forsorjning": ("lon",), "sysselsattning": ("ingen",)}))
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs")
    repeat = max(1, parser.parse_args().repeat)
    bundled = load_directory(bundled_directory())
    forms = RegistrationForms(bundled["finsam-inskrivning"], bundled["finsam-avslut"],
                              bundled["finsam-uppfoljning"])
    for count in (60, 300, 2000):
        people = year_of(count, forms, random.Random(count))
        for k in (5, 3):
            times, tables = [], []
            for _ in range(1 + repeat):
                started = time.perf_counter()
                tables = registration_tables(people, YEAR, forms, Suppression(k))
                times.append(time.perf_counter() - started)
            linked = [t for t in tables if t.id in ("deltagare", "avslutsanledning")]
            hidden = sum(1 for table in linked for row in table.rows
                         for figure in row.figures if figure.suppressed)
            print(f"{count:>5} deltagare, k = {k}: cold {times[0] * 1000:6.0f} ms, "
                  f"warm {min(times[1:]) * 1000:5.0f} ms, {hidden} figures hidden in the "
                  "deltagare table and the exit reasons")


if __name__ == "__main__":
    main()
