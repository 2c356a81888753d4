"""Mätpunkter said in Swedish words for reports."""

import pytest

from enkat.instruments.timepoints import timepoint_slug, timepoint_words


@pytest.mark.parametrize(("timepoint", "words"), [
    ("start", "Vid start"), ("pagaende", "Under insatsen"), ("avslut", "Vid avslut"),
    ("arlig", "Årlig"), ("session-{n}", "Varje samtal"), ("session-7", "Samtal 7"),
    ("uppfoljning-{n}m", "Uppföljning efter avslut"), ("uppfoljning-6m", "Efter 6 månader"),
    ("uppfoljning-1m", "Efter 1 månad"), ("kursdag-2", "Kursdag 2"),
])
def test_a_timepoint_in_words(timepoint, words):
    assert timepoint_words(timepoint) == words


def test_a_pattern_as_part_of_an_id():
    assert timepoint_slug("uppfoljning-{n}m") == "uppfoljning-nm"
    assert timepoint_slug("start") == "start"
