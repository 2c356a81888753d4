"""Goals and NNS indicator tables, checked against figures worked out by hand."""

from __future__ import annotations

import pytest

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.goals import IndicatorShares, Share, goal_table
from enkat.reports.indicators import indicator_tables, tally
from enkat.reports.inputs import AnswerCount
from enkat.scoring.suppression import Suppression

NO_ANSWERS = Share(0, 0)


def judge(share_now, share_before=NO_ANSWERS, comparison="at_least_share", target=0.40, k=5):
    _, records = goal_table([("Mål", "x", comparison, target)],
                                {"x": IndicatorShares(share_now, share_before)}, Suppression(k))
    return records[0]["achieved"], records[0]["outcome"]


def test_the_published_example_misses_its_goal():
    """"13 av 41 = 31,7 %, målet 40 % nås inte"."""
    assert judge(Share(13, 41)) == ("Nej", "13 av 41 = 31,7\u00a0%; målet 40\u00a0%")
    assert judge(Share(17, 41))[0] == "Ja"  # 41,5 %


def test_comparison_with_the_previous_period():
    assert judge(Share(21, 34), Share(10, 30), "more_than_previous_year")[0] == "Ja"
    assert judge(Share(10, 34), Share(10, 30), "more_than_previous_period")[0] == "Nej"
    assert judge(Share(21, 34), Share(2, 3), "more_than_previous_year") == (
        "Går inte att avgöra", "21 av 34 = 61,8\u00a0%; föregående period för få svar")


def test_too_few_answers_or_unknown_indicator_cannot_be_decided():
    assert judge(Share(2, 4))[0] == "Går inte att avgöra"
    table, records = goal_table([("Mål", "okänd", "at_least_share", 0.5)], {}, Suppression(5))
    assert records[0]["achieved"] == "Går inte att avgöra"
    assert "mäts inte" in records[0]["outcome"]


def test_a_small_count_is_not_written_in_the_outcome():
    achieved, outcome = judge(Share(3, 40))
    assert achieved == "Nej" and outcome.startswith("färre än 5 av 40")


@pytest.fixture(scope="module")
def avslut():
    return load_directory(bundled_directory())["nns-deltagare-avslut"]


def test_indicator_share_excludes_vet_ej_and_has_a_wilson_interval(avslut):
    counts = [AnswerCount("nns-deltagare-avslut", "avslut", "q6", value, count, (kon,))
              for value, kon, count in (("6", "kvinna", 8), ("5", "man", 5), ("3", "kvinna", 4),
                                        ("1", None, 3), ("0", None, 2))]
    [table] = indicator_tables(avslut, tally(counts, {avslut.id: avslut}), {}, Suppression(5))
    row = table.row_about("q6").label
    share = table.figure(row, "andel")
    # 13 positive (5, 6) of 20 answers (vet ej left out): 0.65; Wilson 95 %:
    # z = 1.959964, centre = (13 + z²/2) / (20 + z²) = 0.628...; half-width 0.196...
    assert share.value == pytest.approx(0.65)
    assert (share.low, share.high) == pytest.approx((0.43286, 0.81880), abs=1e-5)
    assert table.figure(row, "vet-ej").shown == "<5"
    assert table.figure(row, "andel-kvinna").value == pytest.approx(8 / 12)
    assert table.figure(row, "andel-man").shown == 1.0  # 5 of 5: n reaches k
    assert table.figure(row, "andel-foregaende").suppressed is None  # no data, not hidden
