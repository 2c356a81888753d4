"""Courses, change classes, SRS flags and stegförflyttning, worked out by hand.

ORS total: cut-off 25, RCI 5 (ORS-SRS.md). SRS total: cut-off 36, item flag below 9,
drop flag 1. SKAPA mean and Processtrappan step: meaningful change 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from enkat.instruments import Score, Text
from enkat.scoring import (
    ChangeClass,
    Rating,
    Reason,
    StepClass,
    change_class,
    course,
    item_courses,
    ratings_from_responses,
    session_flags,
    step_class,
)


def ors_course(*totals: float | None):
    return course(Rating(session, total) for session, total in enumerate(totals, start=1))


@pytest.mark.parametrize(("totals", "expected"), [
    # Δ = 26.5 − 17.0 = 9.5 ≥ 5; first 17.0 ≤ 25; latest 26.5 > 25
    ((17.0, 21.0, 26.5), ChangeClass.RECOVERED),
    # Δ = 24 − 16 = 8 ≥ 5, but latest 24 ≤ 25: reliable, not recovered
    ((16.0, 24.0), ChangeClass.IMPROVED),
    # Δ = 22 − 18 = 4 < 5
    ((18.0, 22.0), ChangeClass.UNCHANGED),
    # Δ = 14.5 − 20 = −5.5 ≤ −5
    ((20.0, 14.5), ChangeClass.DETERIORATED),
    # first 27 > 25: cannot recover, its own group, whatever follows
    ((27.0, 35.0), ChangeClass.ABOVE_CUTOFF_AT_START),
    ((27.0, 12.0), ChangeClass.ABOVE_CUTOFF_AT_START),
    # only one score
    ((19.0,), ChangeClass.ONE_RATING_ONLY),
    # first exactly 25 is in the clinical range: 25 → 30 is Δ 5 and latest > 25
    ((25.0, 30.0), ChangeClass.RECOVERED),
    # 16.4 − 11.4 is exactly 5 (floats say 4.999999999999998): improved, not unchanged
    ((11.4, 16.4), ChangeClass.IMPROVED),
    # Δ = −5 exactly is deteriorated; Δ = −4.9 is not
    ((20.0, 15.0), ChangeClass.DETERIORATED),
    ((20.0, 15.1), ChangeClass.UNCHANGED),
])
def test_ors_change_classes(ors, totals, expected):
    assert change_class(ors.score("total"), ors_course(*totals)) is expected


def test_a_course_runs_from_the_first_to_the_latest_score():
    ratings = [Rating(3, 21.0), Rating(1, 17.0), Rating(4, None), Rating(2, 19.5),
               Rating(5, 26.5)]
    result = course(ratings)  # given out of order: sorted by session number
    assert (result.first, result.latest, result.change) == (17.0, 26.5, 9.5)
    assert (result.first_at, result.latest_at) == (1, 5)
    assert (result.n_ratings, result.n_without_score) == (4, 1)


def test_a_course_by_date():
    result = course([Rating(dt.date(2025, 5, 1), 22.0), Rating(dt.date(2025, 1, 10), 18.0)])
    assert (result.first_at, result.change) == (dt.date(2025, 1, 10), 4.0)


def test_a_course_cannot_mix_dates_and_sessions():
    with pytest.raises(ValueError, match="mixes session numbers and dates"):
        course([Rating(1, 17.0), Rating(dt.date(2025, 1, 1), 20.0)])


def test_a_course_without_a_score(ors):
    result = ors_course(None, None)
    assert result.n_ratings == 0 and result.reason is Reason.NO_VALID_RATING
    assert change_class(ors.score("total"), result) is None
    assert course([]).reason is Reason.NO_VALID_RATING


def test_one_rating_has_no_change():
    result = ors_course(19.0)
    assert result.change is None and result.reason is Reason.ONE_RATING_ONLY


def test_no_change_class_without_an_rci(skapa):
    assert change_class(skapa.score("medel"), ors_course(3.0, 7.0)) is None


def lower_is_better(cutoff: float | None = 10) -> Score:
    """A symptom score: 0–40, lower is better, clinical from 10 up."""
    return Score(id="symtom", label=Text.of("Symtom"), method="sum", items=("a",),
                 higher_is_better=False, cutoff=cutoff, rci=5, meaningful_change=2)


@pytest.mark.parametrize(("totals", "expected"), [
    ((20.0, 8.0), ChangeClass.RECOVERED),  # fell 12 ≥ 5 and ended below the cut-off 10
    ((20.0, 12.0), ChangeClass.IMPROVED),  # fell 8, still at or above 10
    ((20.0, 17.0), ChangeClass.UNCHANGED),  # fell 3 < 5
    ((12.0, 18.0), ChangeClass.DETERIORATED),  # rose 6 ≥ 5
    ((9.0, 30.0), ChangeClass.ABOVE_CUTOFF_AT_START),  # started on the healthy side
])
def test_a_lower_is_better_score_mirrors_the_rule(totals, expected):
    assert change_class(lower_is_better(), ors_course(*totals)) is expected


def test_without_a_cutoff_there_is_no_recovery():
    score = lower_is_better(cutoff=None)
    assert change_class(score, ors_course(20.0, 2.0)) is ChangeClass.IMPROVED
    assert change_class(score, ors_course(2.0, 20.0)) is ChangeClass.DETERIORATED


def srs_answers(*values: str | None) -> dict[str, tuple[str, ...]]:
    items = ("relation", "mal-och-amnen", "metod", "allmant")
    return {item: () if value is None else (value,)
            for item, value in zip(items, values, strict=True)}


def test_srs_flags_per_session(srs):
    sessions = [
        (1, srs_answers("9.5", "9.5", "9.5", "9.5")),  # 38.0: nothing
        (2, srs_answers("9.0", "9.5", "9.0", "9.0")),  # 36.5: fell 38 − 36.5 = 1.5 ≥ 1
        (3, srs_answers("9.0", "8.9", "9.5", "9.5")),  # 36.9: mål och ämnen 8.9 < 9
        (4, srs_answers("8.5", "9.0", "9.0", "9.0")),  # 35.5 < 36; relation 8.5; fell 1.4
        (5, srs_answers("9.0", "9.0", "9.0", None)),   # no total (an unanswered line)
        (6, srs_answers("9.0", "9.0", "9.0", "8.5")),  # 35.5: no fall from session 4
    ]
    score = srs.score("total")
    flags = session_flags(score, ratings_from_responses(srs, score, sessions))
    assert [flag.value for flag in flags] == [38.0, 36.5, 36.9, 35.5, None, 35.5]
    assert [flag.flagged for flag in flags] == [False, True, True, True, False, True]
    assert [flag.drop for flag in flags] == [None, 1.5, -0.4, 1.4, None, 0.0]
    assert [flag.dropped for flag in flags] == [False, True, False, True, False, False]
    assert [flag.below_cutoff for flag in flags] == [False, False, False, True, False, True]
    assert [flag.items_below for flag in flags] == [
        (), (), ("mal-och-amnen",), ("relation",), (), ("allmant",)]


def test_an_srs_fall_of_exactly_one_point_flags(srs):
    score = srs.score("total")
    flags = session_flags(score, [Rating(1, 38.0), Rating(2, 37.0), Rating(3, 36.1)])
    # 38.0 − 37.0 = 1.0 ≥ 1 flags; 37.0 − 36.1 = 0.9 does not
    assert [flag.dropped for flag in flags] == [False, True, False]
    assert [flag.drop for flag in flags] == [None, 1.0, 0.9]


def test_a_lower_is_better_drop_is_a_rise():
    score = replace(lower_is_better(), drop_flag=2)
    flags = session_flags(score, [Rating(1, 8.0), Rating(2, 11.0)])
    assert flags[1].drop == 3.0 and flags[1].dropped
    assert flags[1].below_cutoff  # 11 is on the worse side of 10


def skapa_answers(skapa, values: list[int | None]) -> dict[str, tuple[str, ...]]:
    items = skapa.score("medel").items
    return {item: () if value is None else (str(value),)
            for item, value in zip(items, values, strict=True)}


def test_skapa_stegforflyttning_per_area_and_for_the_mean(skapa):
    medel = skapa.score("medel")
    start = skapa_answers(skapa, [3, 4, 5, 6, 2, 3, 4, 5, 6])  # 38 / 9 = 4.222…
    avslut = skapa_answers(skapa, [5, 5, 5, 4, 3, 4, 5, 6, None])  # 37 / 8 = 4.625
    ratings = ratings_from_responses(
        skapa, medel, [(dt.date(2025, 9, 1), avslut), (dt.date(2025, 3, 1), start)])
    mean_course = course(ratings)
    # 4.625 − 4.222… = 0.402…: less than one step
    assert mean_course.change == pytest.approx(37 / 8 - 38 / 9, abs=1e-9)
    assert step_class(medel, mean_course) is StepClass.NO_STEP
    areas = {area: step_class(medel, area_course)
             for area, area_course in item_courses(ratings, medel.items).items()}
    assert areas == {
        "jobbsokning": StepClass.FORWARD,  # 3 → 5: +2
        "kunskap-arbetsmarknad": StepClass.FORWARD,  # 4 → 5: +1, exactly one step
        "halsa": StepClass.NO_STEP,  # 5 → 5
        "samarbete": StepClass.BACKWARD,  # 6 → 4: −2
        "malmedvetenhet": StepClass.FORWARD,
        "tro-pa-egen-formaga": StepClass.FORWARD,
        "arbetsidentitet": StepClass.FORWARD,
        "socialt-stod": StepClass.FORWARD,
        "vardagsstruktur": StepClass.ONE_RATING_ONLY,  # unanswered at avslut
    }


@pytest.mark.parametrize(("steps", "expected", "change"), [
    ((2, 3, 4), StepClass.FORWARD, 2.0),  # steg 2 → 4
    ((3, 3), StepClass.NO_STEP, 0.0),
    ((4, 2), StepClass.BACKWARD, -2.0),
    ((1,), StepClass.ONE_RATING_ONLY, None),
])
def test_processtrappan_stegforflyttning(processtrappan, steps, expected, change):
    score = processtrappan.score("steg")
    responses = [(number, {"steg": (str(step),)}) for number, step in enumerate(steps)]
    result = course(ratings_from_responses(processtrappan, score, responses))
    assert result.change == change
    assert step_class(score, result) is expected


def test_no_step_class_without_a_meaningful_change(ors):
    assert step_class(ors.score("total"), ors_course(10.0, 20.0)) is None
