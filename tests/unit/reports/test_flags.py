"""The samtalsunderlag's flags in words, over scoring's values (ORS-SRS.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.instruments import Instrument, bundled_directory, load_directory
from enkat.reports.flags import Flag, ors_flags, session_flag_words, srs_flags
from enkat.scoring import course, ratings_from_responses, session_flags


@pytest.fixture(scope="module")
def bundled() -> dict[str, Instrument]:
    return load_directory(bundled_directory())


def rated(instrument: Instrument, *sessions: dict[str, str]):
    score = instrument.scores[0]
    every = {item_id: "" for item_id in score.items}
    responses = [(dt.date(2025, 1, day), {item_id: (value,) for item_id, value
                                          in {**every, **answers}.items()})
                 for day, answers in enumerate(sessions, start=1)]
    return score, ratings_from_responses(instrument, score, responses)


def same(value: str, instrument: Instrument) -> dict[str, str]:
    return {item_id: value for item_id in instrument.scores[0].items}


def test_the_words_of_a_flagged_srs_session_and_an_ors_without_change(bundled):
    ors, srs = bundled["ors"], bundled["srs"]
    ors_score, ors_ratings = rated(ors, *(same(value, ors)
                                          for value in ("4.0", "4.2", "4.4", "4.6")))
    srs_score, srs_ratings = rated(srs, same("9.5", srs), {**same("9.0", srs), "metod": "8.0"})
    latest = session_flags(srs_score, srs_ratings)[-1]
    assert [flag.text for flag in srs_flags(srs, srs_score, latest)
            + ors_flags(ors_score, course(ors_ratings))] == [
        "SRS 35,0 i senaste samtalet, under 36",
        "SRS under 9 på: Sätt att arbeta eller metod",
        "SRS lägre än i samtalet före (−3,0)",
        "Ingen tillförlitlig förändring av ORS efter 4 samtal (+2,4, behöver minst 5)",
    ]
    assert session_flag_words(latest, srs_score) == "under 36, fråga under 9, lägre än förra"


def test_a_reliable_deterioration_and_too_early_to_say(bundled):
    ors = bundled["ors"]
    score, ratings = rated(ors, same("5.0", ors), same("3.5", ors))
    assert ors_flags(score, course(ratings)) == [
        Flag("ORS försämrad: −6,0 sedan första samtalet")]
    score, ratings = rated(ors, *(same(value, ors) for value in ("4.0", "4.2", "4.4")))
    assert ors_flags(score, course(ratings)) == []
    assert session_flag_words(session_flags(score, ratings)[-1], score) is None  # no ORS flag
