"""Time and memory of the samhällsnytta computation at a förbund's real size. Prints,
never asserts.

    .venv/bin/python bench/samhallsnytta.py [--deltagare 2000] [--repeat 5]

Draws `--deltagare` courses (seeded) with one to three sources before and after and a
follow-up at 6 and 18 months for half of them, over the ten sources of the bundled
forms, and times `enkat.scoring.samhallsnytta.saving` at the horizons 12, 36 and 120
months (best of `--repeat`), with the tracemalloc peak of one run.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from fractions import Fraction

from enkat.scoring.samhallsnytta import PAYERS, Assumptions, Price, SupportCourse, saving

SOURCES = ("a-kassa", "aktivitetsersattning", "aktivitetsstod", "forsorjningsstod",
           "ingen-offentlig-forsorjning", "sjukersattning", "sjukpenning-rehabpenning",
           "studiestod", "lon", "annan")


def courses(count: int, chance: random.Random) -> list[SupportCourse]:
    def some() -> frozenset[str]:
        return frozenset(chance.sample(SOURCES, chance.randint(1, 3)))
    return [SupportCourse(some(), some(), {6: some(), 18: some()} if chance.random() < 0.5
                          else {}) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltagare", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    chance = random.Random(16)
    payers = sorted(PAYERS)
    prices = {source: Price(chance.randrange(0, 20_000, 500), chance.choice(payers))
              for source in SOURCES}
    drawn = courses(arguments.deltagare, chance)
    print(f"{arguments.deltagare} deltagare, {len(SOURCES)} sources, all priced")
    for horizon in (12, 36, 120):
        assumptions = Assumptions(horizon, Fraction(1, 4), Fraction(1, 2))
        best = min(_timed(drawn, prices, assumptions) for _ in range(arguments.repeat))
        tracemalloc.start()
        figures = saving(drawn, prices, assumptions)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"horizon {horizon:>3} months: {best * 1000:7.1f} ms, peak "
              f"{peak / 1024:7.0f} KiB, {figures.included} included, "
              f"saving month 1 {float(figures.monthly[0]):,.0f} kr")


def _timed(drawn, prices, assumptions) -> float:
    started = time.perf_counter()
    saving(drawn, prices, assumptions)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
