"""The schedules shipped as data: the demo and the standard schedule are built from them."""

from __future__ import annotations

import json

import pytest

from enkat.instruments import bundled_directory, load_directory
from enkat.instruments.schedules import bundled_schedules, read_schedules


def test_the_standard_is_its_parts_in_order():
    schedules = bundled_schedules()
    assert schedules.standard_parts == ("registrering", "uppfoljning-18m", "ors-srs", "skapa")
    assert schedules.standard == sum((schedules.part(name) for name in schedules.standard_parts),
                                     ())
    assert [(entry.instrument_id, entry.timepoint) for entry in schedules.part("ors-srs")] == [
        ("ors", "session-{n}"), ("srs", "session-{n}")]


def test_every_planned_measurement_names_a_bundled_instrument_and_one_of_its_timepoints():
    instruments = load_directory(bundled_directory())
    for part in bundled_schedules().parts.values():
        for entry in part:
            assert entry.instrument_id in instruments, entry
            timepoint = entry.timepoint.replace("{n}", "1")
            assert instruments[entry.instrument_id].matches_timepoint(timepoint), entry


def test_a_standard_naming_a_part_that_is_not_there_is_refused(tmp_path):
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps({"standard": ["saknas"], "parts": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="saknas"):
        read_schedules(path)
