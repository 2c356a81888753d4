"""Mätpunkter said in Swedish words for reports and staff pages, and the ones offered to
choose from."""

import pytest

from enkat.instruments.timepoints import (
    schedule_timepoints,
    timepoint_choices,
    timepoint_slug,
    timepoint_words,
)


@pytest.mark.parametrize(("timepoint", "words"), [
    ("start", "Vid start"), ("pagaende", "Under insatsen"), ("avslut", "Vid avslut"),
    ("arlig", "Årlig"), ("session-{n}", "Varje samtal"), ("session-7", "Samtal 7"),
    ("uppfoljning-{n}m", "Uppföljning efter N månader"), ("uppfoljning-6m", "Efter 6 månader"),
    ("uppfoljning-1m", "Efter 1 månad"), ("kursdag-2", "Kursdag 2"),
])
def test_a_timepoint_in_words(timepoint, words):
    assert timepoint_words(timepoint) == words


def test_a_pattern_as_part_of_an_id():
    assert timepoint_slug("uppfoljning-{n}m") == "uppfoljning-nm"
    assert timepoint_slug("start") == "start"


def test_every_offered_timepoint_has_words_of_its_own():
    offered = timepoint_choices(["start", "uppfoljning-{n}m", "avslut", "arlig", "pagaende"],
                                set())
    words = [timepoint_words(timepoint) for timepoint in offered]
    assert words == ["Vid start", "Efter 3 månader", "Efter 6 månader", "Efter 12 månader",
                     "Efter 18 månader", "Efter 24 månader", "Vid avslut", "Årlig",
                     "Under insatsen"]
    assert not any("-" in word for word in words)


def test_sessions_offered_are_the_missed_ones_and_the_next_three():
    assert timepoint_choices(["session-{n}"], set()) == ["session-1", "session-2", "session-3"]
    assert timepoint_choices(["session-{n}"], {"session-1", "session-3"}) == [
        "session-2", "session-4", "session-5", "session-6"]


def test_a_fixed_timepoint_is_offered_again_and_an_answered_follow_up_is_not():
    """A deltagare enrolled again starts again; a follow-up is made once."""
    assert timepoint_choices(["start", "uppfoljning-{n}m"], {"start", "uppfoljning-3m"},
                             (3, 6)) == ["start", "uppfoljning-6m"]


def test_a_single_fixed_timepoint_is_the_only_choice():
    assert timepoint_choices(["avslut"], {"avslut"}) == ["avslut"]


def test_a_schedule_names_each_timepoint_and_series_once_and_follow_ups_by_month():
    found = schedule_timepoints([["session-{n}"], ["start", "uppfoljning-{n}m", "avslut"],
                                 ["uppfoljning-6m", "uppfoljning-18m"], ["start"]])
    assert found == ["session-{n}", "start", "uppfoljning-{n}m", "uppfoljning-3m",
                     "uppfoljning-6m", "uppfoljning-12m", "uppfoljning-18m", "uppfoljning-24m",
                     "avslut"]
