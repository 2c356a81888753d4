"""Scale scores and indicator answers of one response, worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from enkat.scoring import (
    IndicatorAnswer,
    Reason,
    indicator_answer,
    indicator_answers,
    item_value,
    scale_score,
    scale_scores,
    score_from_sum,
)

ORS_FULL = {"individuellt": ("8.1",), "nara-relationer": ("7.2",), "socialt": ("9.0",),
            "allmant": ("6.3",)}


def test_ors_total_is_the_exact_sum(ors):
    # 8.1 + 7.2 + 9.0 + 6.3 = 30.6
    result = scale_score(ors, ors.score("total"), ORS_FULL)
    assert result.value == 30.6
    assert (result.n_items, result.n_answered, result.missing_items) == (4, 4, ())
    assert not result.prorated and result.reason is None


def test_sums_are_decimal_not_binary(ors):
    answers = {"individuellt": ("7.4",), "nara-relationer": ("0.8",), "socialt": ("7.7",),
               "allmant": ("0.1",)}
    # 7.4 + 0.8 + 7.7 + 0.1 = 16.0; added as floats it is 16.000000000000004
    assert 7.4 + 0.8 + 7.7 + 0.1 != 16.0
    assert scale_score(ors, ors.score("total"), answers).value == 16.0


def test_an_unanswered_ors_line_gives_no_total(ors):
    answers = {**ORS_FULL, "socialt": ()}
    result = scale_score(ors, ors.score("total"), answers)
    assert result.value is None
    assert result.reason is Reason.TOO_MANY_MISSING
    assert result.missing_items == ("socialt",)


def test_a_sum_with_an_allowed_missing_item_is_prorated(ors):
    lenient = replace(ors.score("total"), max_missing=1)
    answers = {key: value for key, value in ORS_FULL.items() if key != "socialt"}
    # answered 8.1 + 7.2 + 6.3 = 21.6 over 3 items; prorated to 4 items: 21.6 × 4 / 3 = 28.8
    result = scale_score(ors, lenient, answers)
    assert result.value == pytest.approx(28.8, abs=1e-12)
    assert result.prorated
    assert (result.n_answered, result.missing_items) == (3, ("socialt",))


def test_a_mean_score_uses_the_answered_items(skapa):
    medel = skapa.score("medel")
    answers = {item_id: (str(value),) for item_id, value in zip(medel.items, range(1, 10),
                                                                 strict=True)}
    # all nine: (1 + 2 + ... + 9) / 9 = 45 / 9 = 5
    assert scale_score(skapa, medel, answers).value == 5.0
    del answers["halsa"], answers["samarbete"]  # items 3 and 4: two missing, allowed
    # (45 − 3 − 4) / 7 = 38 / 7
    result = scale_score(skapa, medel, answers)
    assert result.value == pytest.approx(38 / 7, abs=1e-12)
    assert not result.prorated
    del answers["jobbsokning"]  # a third missing item: more than max_missing = 2
    assert scale_score(skapa, medel, answers).reason is Reason.TOO_MANY_MISSING


def test_the_rule_from_a_sum_is_the_rule_of_one_response(ors, skapa):
    """The report's SQL sums and `scale_score` share one rule: the same exact sum and
    count give the same value, and too many missing give none."""
    total = ors.score("total")
    assert score_from_sum(total, Decimal("30.6"), 4) == 30.6
    assert score_from_sum(total, Decimal("21.6"), 3) is None  # max_missing 0
    lenient = replace(total, max_missing=1)
    assert score_from_sum(lenient, Decimal("21.6"), 3) == scale_score(
        ors, lenient, {key: value for key, value in ORS_FULL.items() if key != "socialt"}
    ).value
    medel = skapa.score("medel")
    assert score_from_sum(medel, Decimal(38), 7) == 38 / 7
    assert score_from_sum(medel, Decimal(0), 0) is None


def test_scale_scores_gives_every_declared_score(ors):
    assert list(scale_scores(ors, ORS_FULL)) == ["total"]


def test_a_missing_code_is_no_value(nns):
    q6 = nns.item("q6")
    assert item_value(q6, {"q6": ("0",)}) is None  # 0 = Vet ej
    assert item_value(q6, {"q6": ("4",)}) == 4.0
    assert item_value(q6, {}) is None


def test_a_scored_item_with_two_answers_is_refused(nns):
    with pytest.raises(ValueError, match="q6 has 2 answers"):
        item_value(nns.item("q6"), {"q6": ("4", "5")})


@pytest.mark.parametrize(("answers", "expected"), [
    ({"q6": ("6",)}, IndicatorAnswer.POSITIVE),
    ({"q6": ("5",)}, IndicatorAnswer.POSITIVE),
    ({"q6": ("4",)}, IndicatorAnswer.NOT_POSITIVE),
    ({"q6": ("1",)}, IndicatorAnswer.NOT_POSITIVE),
    ({"q6": ("0",)}, IndicatorAnswer.MISSING),
    ({"q6": ()}, IndicatorAnswer.UNANSWERED),
    ({}, IndicatorAnswer.UNANSWERED),
])
def test_nns_indicator_answers(nns, answers, expected):
    assert indicator_answer(nns.item("q6"), answers) is expected


def test_indicator_answers_cover_the_items_with_an_indicator(nns):
    flags = indicator_answers(nns, {"q1": ("5",), "q8": ("0",), "kon": ("kvinna",)})
    assert set(flags) == {f"q{n}" for n in range(1, 11)} - {"q3"}
    assert flags["q1"] is IndicatorAnswer.POSITIVE
    assert flags["q8"] is IndicatorAnswer.MISSING
    assert flags["q2"] is IndicatorAnswer.UNANSWERED
