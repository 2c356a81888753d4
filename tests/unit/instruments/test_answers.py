"""Checking a whole set of answers: values, conditions, timepoints, required items."""

from __future__ import annotations

import pytest

from enkat.instruments import bundled_directory, load_data, load_file
from enkat.instruments.answers import AnswerProblem, check_answers

SURVEY = {
    "format": 1, "id": "uppfoljning-test", "version": 1, "title": "Test",
    "audience": "deltagare", "rated_by": "staff", "languages": ["sv", "en"],
    "timepoints": ["start", "avslut"],
    "source": {"owner": "test", "licence": "test", "verified": "test"},
    "items": [
        {"id": "intro", "type": "info", "text": "Om dig"},
        {"id": "arbetar", "type": "yesno", "text": "Arbetar du?", "required": True},
        {"id": "timmar", "type": "number", "text": "Timmar per vecka", "min": 1, "max": 60,
         "required": True, "show_if": {"item": "arbetar", "equals": "ja"}},
        {"id": "nojd", "type": "yesno", "text": "Nöjd?",
         "show_if": {"item": "timmar", "answered": True}},
        {"id": "stod", "type": "multiple", "text": "Stöd", "max_selected": 2,
         "options": [{"code": "a", "label": "A"}, {"code": "b", "label": "B"},
                     {"code": "c", "label": "C"}]},
        {"id": "slut", "type": "text", "text": "Hur gick det?", "timepoints": ["avslut"]},
    ],
}


@pytest.fixture(scope="module")
def survey():
    return load_data(SURVEY, "uppfoljning-test.json")


def test_good_answers_are_normalized(survey):
    answers, problems = check_answers(
        survey, {"arbetar": ["ja"], "timmar": ["20"], "stod": ["b", "a"], "slut": [" Bra "]},
        timepoint="avslut")
    assert problems == ()
    assert answers == {"arbetar": ("ja",), "timmar": ("20",), "stod": ("b", "a"),
                       "slut": ("Bra",)}


def test_an_answer_to_an_item_whose_condition_is_not_met_is_refused(survey):
    _, problems = check_answers(survey, {"arbetar": ["nej"], "timmar": ["20"]})
    assert problems == (AnswerProblem(
        "timmar", "är besvarad fast den bara ställs när svaret på arbetar är ja"),)


def test_an_answer_behind_an_answered_condition_names_the_condition(survey):
    _, problems = check_answers(survey, {"arbetar": ["ja"], "nojd": ["ja"]}, complete=False)
    assert problems == (AnswerProblem(
        "nojd", "är besvarad fast den bara ställs när timmar är besvarad"),)


def test_hidden_items_hide_the_items_that_depend_on_them(survey):
    _, problems = check_answers(survey, {"arbetar": ["nej"], "timmar": ["20"], "nojd": ["ja"]})
    assert [problem.item_id for problem in problems] == ["timmar", "nojd"]


def test_required_items_are_required_only_when_asked_and_complete(survey):
    _, problems = check_answers(survey, {"arbetar": ["ja"]})
    assert problems == (AnswerProblem("timmar", "måste besvaras men har inget svar"),)
    assert check_answers(survey, {"arbetar": ["nej"]})[1] == ()
    assert check_answers(survey, {}, complete=False)[1] == ()


def test_items_of_another_timepoint_are_refused(survey):
    _, problems = check_answers(survey, {"arbetar": ["nej"], "slut": ["x"]}, timepoint="start")
    assert problems == (AnswerProblem("slut", 'ställs inte vid mätpunkten "start"'),)


def test_every_problem_is_listed(survey):
    _, problems = check_answers(survey, {
        "arbetar": ["kanske"], "stod": ["a", "a", "d"], "okand": ["1"], "intro": ["x"],
        "timmar": ["5", "6"]})
    messages = {(problem.item_id, problem.message) for problem in problems}
    assert ("okand", 'uppfoljning-test har ingen fråga "okand"') in messages
    assert ("intro", 'frågan "intro" är ett informationsblock och har inget svar') in messages
    assert ("stod", "har samma kod två gånger") in messages
    assert ("timmar", "tar ett svar men har 2") in messages
    assert any(item == "arbetar" for item, _ in messages)
    assert any(item == "stod" and "d" in message for item, message in messages)


def test_multiple_choice_respects_the_declared_maximum(survey):
    _, problems = check_answers(survey, {"arbetar": ["nej"], "stod": ["a", "b", "c"]})
    assert problems == (AnswerProblem("stod", "ska ha högst 2 svar"),)


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_empty_values_and_spaces_alone_count_as_not_answered(survey, blank):
    answers, problems = check_answers(survey, {"arbetar": [" nej "], "stod": [blank]})
    assert answers == {"arbetar": ("nej",)} and problems == ()


# --- items a score cannot do without --------------------------------------------------


def with_score(max_missing: int, method: str = "sum") -> dict:
    """SURVEY with two VAS lines and a score over them."""
    lines = [{"id": line, "type": "vas", "text": line,
              "anchors": {"low": "Dåligt", "high": "Bra"}} for line in ("a", "b")]
    score = {"id": "total", "label": "Totalt", "method": method, "items": ["a", "b"],
             "max_missing": max_missing}
    return {**SURVEY, "items": [*SURVEY["items"], *lines], "scoring": {"scores": [score]}}


@pytest.mark.parametrize("method", ["sum", "mean"])
def test_every_item_of_a_score_that_allows_none_missing_is_required(method):
    instrument = load_data(with_score(0, method), "score.json")
    assert instrument.item("a").required and instrument.item("b").required
    _, problems = check_answers(instrument, {"arbetar": ["nej"], "a": ["5"]})
    assert problems == (AnswerProblem("b", "måste besvaras men har inget svar"),)
    assert check_answers(instrument, {"a": ["5"]}, complete=False)[1] == ()


def test_items_of_a_score_that_allows_one_missing_stay_optional():
    instrument = load_data(with_score(1), "score.json")
    assert not instrument.item("a").required and not instrument.item("b").required
    assert check_answers(instrument, {"arbetar": ["nej"], "a": ["5"]})[1] == ()


def test_the_ors_and_srs_lines_are_required_since_their_totals_need_every_line():
    """The bundled files say nothing of `required`: their scores make the lines so."""
    for name in ("ors", "srs"):
        instrument = load_file(bundled_directory() / f"{name}.json")
        [total] = instrument.scores
        assert total.max_missing == 0
        assert all(instrument.item(item_id).required for item_id in total.items)
        three = {item_id: ["5"] for item_id in total.items[1:]}
        _, problems = check_answers(instrument, three, timepoint="session-1")
        assert [problem.item_id for problem in problems] == [total.items[0]]
