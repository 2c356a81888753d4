"""An insats' measurement schedule: the standard one is valid, a refused one leaves the old."""

from __future__ import annotations

from enkat.models import ScheduleTrigger
from enkat.services.organisation.schedules import (
    ScheduleRow,
    replace_schedule,
    schedule_said,
    standard_schedule,
)

from ..refusals import actions, refusal

T = ScheduleTrigger


def test_the_standard_schedule_is_a_valid_schedule_with_the_nns_timepoints(insats, admin):
    entries = replace_schedule(insats, standard_schedule(),
                               by=admin)
    said = {(e.instrument_id, e.timepoint): schedule_said(e) for e in entries}
    assert said[("ors", "session-{n}")] == "varje träff"
    assert said[("nns-deltagare-pagaende", "pagaende")] == "efter 90 dagar"
    assert said[("skapa", "uppfoljning-{n}m")] == "var 90:e dag"
    assert said[("finsam-uppfoljning", "uppfoljning-18m")] == "540 dagar efter avslut"
    assert said[("finsam-avslut", "avslut")] == "vid avslut"


def test_a_refused_schedule_leaves_the_old_one(insats, admin):
    replace_schedule(insats, [ScheduleRow("ors", "session-{n}",
                                          T.EVERY_SESSION)], by=admin)
    problems = refusal(replace_schedule, insats, [
        ScheduleRow("srs", "session-{n}", T.EVERY_SESSION),
        ScheduleRow("srs", "session-{n}", T.EVERY_SESSION),
        ScheduleRow("finsam-uppfoljning", "uppfoljning-12m", T.AFTER_EXIT_DAYS, 365),
        ScheduleRow("nns-deltagare-avslut", "avslut", T.AT_EXIT, 5),
    ], by=admin)
    assert [(field, row) for field, row, _ in problems] == [
        ("timepoint", 2), ("days", 3), ("timepoint", 1)]
    assert "”Efter 6 månader”, ”Efter 18 månader”" in problems[0][2]
    assert [e.instrument_id for e in insats.schedule] == ["ors"]
    assert actions() == ["schedule-changed"]
