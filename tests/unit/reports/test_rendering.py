"""Charts are chosen by the chart kind a table is built with, never by its id."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from enkat.instruments import bundled_directory, load_data, load_directory
from enkat.reports.indicators import indicator_tables, tally
from enkat.reports.inputs import AnswerCount, AreaChange
from enkat.reports.model import ChartKind
from enkat.reports.outcomes import area_table, rating_scale
from enkat.reports.rendering import chart, has_chart
from enkat.scoring import Suppression

K = Suppression(5)


@pytest.fixture(scope="module")
def bundled():
    return load_directory(bundled_directory())


@pytest.fixture(scope="module")
def indicators(bundled):
    survey = bundled["nns-deltagare-pagaende"]
    counts = [AnswerCount(survey.id, "pagaende", "q1", value, count)
              for value, count in (("6", 9), ("2", 4))]
    [table] = indicator_tables(survey, tally(counts, {survey.id: survey}), {}, K)
    return table


def areas(bundled, n: int):
    skapa = bundled["skapa"]
    score = next(score for score in skapa.scores if score.has_areas)
    changes = [AreaChange(skapa.id, item, 1.0, n, 4.0 * n, 5.0 * n) for item in score.items]
    return area_table(skapa, score, changes, K)


def test_tables_are_built_with_their_chart_kind(bundled, indicators):
    assert indicators.chart is ChartKind.INDICATOR_BARS
    assert areas(bundled, 10).chart is ChartKind.AREA_CHANGES


def test_a_table_is_drawn_as_its_kind_says_whatever_its_id(indicators):
    renamed = replace(indicators, id="nagot-annat")
    assert has_chart(renamed)
    assert indicators.title in chart(renamed, "svg").decode()
    without_kind = replace(indicators, chart=None)  # an "nns-" id alone draws nothing
    assert not has_chart(without_kind)


def test_an_area_table_with_no_first_rating_shown_has_no_chart(bundled):
    assert has_chart(areas(bundled, 10))
    hidden = areas(bundled, 2)  # below k: every mean suppressed
    assert not has_chart(hidden)


def test_an_area_chart_follows_the_rating_scale_its_instrument_declares(bundled):
    skapa = bundled["skapa"]
    assert rating_scale(skapa, skapa.scores[0]) == (1, 10)
    sixes = load_data({
        "format": 1, "id": "livsomraden", "version": 1, "title": "Livsområden",
        "audience": "deltagare", "rated_by": "self", "languages": ["sv"],
        "timepoints": ["start"], "source": {"owner": "F", "licence": "fri", "verified": "egen"},
        "scales": {"sex": {"codes": [{"code": c} for c in (1, 2, 3, 4, 5, 6, 0)],
                           "missing": [0]}},
        "items": [{"id": f"omrade-{n}", "type": "ordinal", "text": f"Område {n}",
                   "scale": "sex"} for n in (1, 2)],
        "scoring": {"scores": [{"id": "medel", "label": "Medel", "method": "mean",
                                "items": ["omrade-1", "omrade-2"], "meaningful_change": 1}]},
    }, "test")
    score = sixes.scores[0]
    table = area_table(sixes, score, [AreaChange(sixes.id, item, 1.0, 6, 12.0, 18.0)
                                      for item in score.items], K)
    assert table.scale == (1, 6)  # "vet ej" (0) is no rating
    svg = chart(table, "svg").decode()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts[:7] == ["1", "2", "3", "4", "5", "6", "Skattning"]  # the axis: 1–6
    assert "2,0 → 3,0" in texts
