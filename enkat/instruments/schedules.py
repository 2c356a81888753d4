"""Measurement schedules shipped as data (`instruments/schedules/standard.json`): named
parts, each a list of which instrument is due at which mätpunkt and when, and the parts
that make the NNS standard schedule.

Plain data only: the trigger is the stored word (`at_start`, `every_session`,
`after_days`, `every_days`, `at_exit`, `after_exit_days`), which the services turn into
the database's `ScheduleTrigger` (and refuse if it is none of these).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .loader import bundled_directory


@dataclass(frozen=True)
class PlannedMeasurement:
    instrument_id: str
    timepoint: str
    trigger: str
    days: int | None = None


@dataclass(frozen=True)
class ScheduleParts:
    parts: dict[str, tuple[PlannedMeasurement, ...]]
    standard_parts: tuple[str, ...]

    def part(self, name: str) -> tuple[PlannedMeasurement, ...]:
        return self.parts[name]

    @property
    def standard(self) -> tuple[PlannedMeasurement, ...]:
        return tuple(entry for name in self.standard_parts for entry in self.parts[name])


@cache
def bundled_schedules() -> ScheduleParts:
    return read_schedules(bundled_directory() / "schedules" / "standard.json")


def read_schedules(path: Path) -> ScheduleParts:
    """The parts of a schedule file; a ValueError names a part the standard lacks."""
    data = json.loads(path.read_text(encoding="utf-8"))
    parts = {name: tuple(PlannedMeasurement(entry["instrument"], entry["timepoint"],
                                            entry["trigger"], entry.get("days"))
                         for entry in rows)
             for name, rows in data["parts"].items()}
    unknown = [name for name in data["standard"] if name not in parts]
    if unknown:
        raise ValueError(f"{path}: standard names unknown parts: {', '.join(unknown)}")
    return ScheduleParts(parts, tuple(data["standard"]))

