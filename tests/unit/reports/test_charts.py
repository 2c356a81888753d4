"""Charts: PNG and SVG from plain data; readable, Swedish, deterministic, thread-safe."""

import datetime as dt
import io
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import numpy as np
import pytest
from matplotlib import image
from matplotlib.text import Text

from enkat.reports import model
from enkat.reports.charts import (
    AreaRatings,
    IndicatorBar,
    SessionScore,
    ShareEstimate,
    TrendSeries,
    area_change_chart,
    describe_ors_srs,
    indicator_chart,
    ors_srs_chart,
    trend_chart,
)
from enkat.reports.charts._style import REPORT_FONT_SIZE, chart_settings, titled_figure

D = dt.date
S = ShareEstimate
PC = "\u00a0%"  # per cent, after a no-break space

INDICATORS = (
    IndicatorBar("Nytta", S(0.62, 0.45, 0.77, 34), S(0.58, 0.40, 0.74, 29)),
    IndicatorBar("Inflytande", S(None), S(0.50, 0.31, 0.69, 24)),
    IndicatorBar("Tid", S(0.80, 0.63, 0.90, 30)),
)
ORS = (SessionScore(D(2025, 5, 6), 16.0), SessionScore(D(2025, 6, 3), 12.5, "sjönk"),
       SessionScore(D(2025, 10, 7), 27.0))
SRS = (SessionScore(D(2025, 5, 6), 34.0, "under 36"), SessionScore(D(2025, 6, 3), 38.0),
       SessionScore(D(2025, 10, 7), 39.5))
CUTOFFS = {"ors_cutoff": 25, "srs_cutoff": 36}  # adult ORS and SRS
AREAS = (AreaRatings("Hälsa", 4, 7), AreaRatings("Målmedvetenhet", 6, 5.5),
         AreaRatings("Samarbetsförmåga", 3))
YEARS = ("2023", "2024", "2025")
TREND = (TrendSeries("Unika deltagare", (41.0, 55.0, 1234.0)),
         TrendSeries("Avslutade", (None, 20.0, 30.0), held_back=frozenset({0})),
         TrendSeries("Andel till arbete eller studier", (0.317, None, 0.45), share=True))

# Each chart drawn from the data above, and the texts its SVG must carry as text.
CHARTS = {
    "indicators": (lambda format: indicator_chart(INDICATORS, title="Indikatorer 2025",
                                                  format=format),
                   ["Indikatorer 2025", "Andel positiva svar", "Nytta", f"62{PC} (n = 34)",
                    f"Strecken visar 95{PC} konfidensintervall."]),
    "ors_srs": (lambda format: ors_srs_chart(ORS, SRS, **CUTOFFS, title="Samtalsunderlag K7F2",
                                             median_by_session=[15, 18], format=format),
                ["Samtalsunderlag K7F2", "ORS totalt", "SRS totalt", "Datum",
                 "Gränsvärde 25", "Gränsvärde 36", "Insatsens median", "under 36"]),
    "areas": (lambda format: area_change_chart(AREAS, title="SKAPA första och senaste",
                                               format=format),
              ["SKAPA första och senaste", "Skattning", "Hälsa", "4 → 7", "6 → 5,5"]),
    "trend": (lambda format: trend_chart(YEARS, TREND, title="Nyckeltal år för år",
                                         format=format),
              ["Nyckeltal år för år", "Unika deltagare", "1\u00a0234", "för få", f"31,7{PC}",
               "2025"]),
}
EMPTY = {
    "indicators": lambda: indicator_chart([], title="Indikatorer"),
    "ors_srs": lambda: ors_srs_chart([], [], **CUTOFFS),
    "areas": lambda: area_change_chart([], title="SKAPA"),
    "trend": lambda: trend_chart(YEARS, [], title="Nyckeltal"),
}


def svg_texts(svg: bytes) -> list[str]:
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg.decode())


def pixels(png: bytes) -> np.ndarray:
    return image.imread(io.BytesIO(png), format="png")


@pytest.mark.parametrize("chart", CHARTS)
def test_the_png_is_a_picture_and_not_a_blank_page(chart):
    draw, _ = CHARTS[chart]
    picture = pixels(draw("png"))
    assert picture.shape[1] >= 1000  # wide enough to print
    assert len(np.unique(picture)) > 1
    ink = (picture[..., :3] < 0.95).any(axis=-1)
    assert ink.mean() > 0.02


@pytest.mark.parametrize("chart", CHARTS)
def test_the_svg_keeps_its_swedish_title_and_labels_as_text(chart):
    draw, expected = CHARTS[chart]
    svg = draw("svg")
    texts = svg_texts(svg)
    for text in expected:
        assert text in texts
    assert f"<title>{expected[0]}</title>" in svg.decode()  # announced by screen readers
    assert set(re.findall(r"font-family: ([^;\"]+)", svg.decode())) == {"'DejaVu Sans'"}


@pytest.mark.parametrize("format", ["png", "svg"])
@pytest.mark.parametrize("chart", CHARTS)
def test_the_same_data_gives_the_same_bytes(chart, format):
    draw, _ = CHARTS[chart]
    assert draw(format) == draw(format)


def test_charts_drawn_in_threads_at_once_are_the_same_as_drawn_alone():
    jobs = [(chart, format) for chart in CHARTS for format in ("png", "svg")] * 3
    alone = {job: CHARTS[job[0]][0](job[1]) for job in set(jobs)}
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda job: CHARTS[job[0]][0](job[1]), jobs))
    assert together == [alone[job] for job in jobs]


def test_drawing_leaves_matplotlib_settings_and_pyplot_alone():
    keys = ["font.family", "font.size", "axes.spines.top", "text.parse_math", "svg.fonttype",
            "svg.hashsalt"]
    before = {key: matplotlib.rcParams[key] for key in keys}
    CHARTS["ors_srs"][0]("svg")
    assert {key: matplotlib.rcParams[key] for key in keys} == before
    script = ("import sys; from tests.unit.reports.test_charts import CHARTS; "
              "[draw('png') for draw, _ in CHARTS.values()]; "
              "assert 'matplotlib.pyplot' not in sys.modules")
    subprocess.run([sys.executable, "-c", script], check=True)


@pytest.mark.parametrize("chart", EMPTY)
def test_empty_data_is_refused_in_plain_words(chart):
    with pytest.raises(ValueError, match="nothing to draw"):
        EMPTY[chart]()


def test_a_chart_is_png_or_svg():
    with pytest.raises(ValueError, match="'png' or 'svg', not 'pdf'"):
        CHARTS["areas"][0]("pdf")


def test_a_suppressed_share_is_an_empty_slot_saying_too_few_answers():
    svg = indicator_chart(INDICATORS, title="Indikatorer 2025", format="svg").decode()
    bars = set(re.findall(r'id="(bar-[^"]+)"', svg))
    assert bars == {"bar-1-current", "bar-1-previous", "bar-2-previous", "bar-3-current"}
    assert svg_texts(svg.encode()).count("för få svar") == 1


def test_a_suppressed_share_carries_nothing_about_the_small_group():
    with pytest.raises(ValueError, match="no interval and no n"):
        S(None, n=3)
    assert S.from_figure(model.Figure(0.5, n=3, low=0.1, high=0.9, suppressed="<5")) == S(None)
    assert S.from_figure(model.Figure(0.5, n=30, low=0.3, high=0.7)) == S(0.5, 0.3, 0.7, 30)


def test_a_share_must_sit_inside_its_interval():
    with pytest.raises(ValueError, match="low <= share <= high"):
        S(0.5, 0.6, 0.7, 30)
    with pytest.raises(ValueError, match="needs its interval"):
        S(0.5)


def test_dates_are_written_with_swedish_month_names_and_the_year_where_it_changes():
    ratings = [SessionScore(D(2025, 5, 6), 16.0), SessionScore(D(2025, 10, 7), 22.0),
               SessionScore(D(2026, 2, 3), 28.0)]
    texts = svg_texts(ors_srs_chart(ratings, ratings, **CUTOFFS, format="svg"))
    months = [text.split()[1] for text in texts if re.fullmatch(r"\d{1,2} [a-zåäö]+", text)]
    assert len(months) >= 3
    assert set(months) <= {"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep",
                           "okt", "nov", "dec"}
    assert {"maj", "okt"} & set(months)
    assert {"2025", "2026"} <= set(texts)


def test_a_deltagare_with_one_session_gets_a_readable_chart():
    one = [SessionScore(D(2025, 3, 4), 14.2)]
    png = ors_srs_chart(one, [], **CUTOFFS, format="png")
    assert (pixels(png)[..., :3] < 0.95).any(axis=-1).mean() > 0.02
    texts = svg_texts(ors_srs_chart(one, [], **CUTOFFS, format="svg"))
    assert "Inga skattningar" in texts
    assert any(re.fullmatch(r"\d{1,2} mar", text) for text in texts)


def test_ors_and_srs_totals_must_be_on_the_scale():
    with pytest.raises(ValueError, match="an SRS total: 43"):
        ors_srs_chart(ORS, [SessionScore(D(2025, 5, 6), 43)], **CUTOFFS)
    with pytest.raises(ValueError, match="an insats median"):
        ors_srs_chart(ORS, SRS, **CUTOFFS, median_by_session=[float("nan")])


def test_an_area_rated_once_is_shown_as_such_and_ratings_stay_on_the_scale():
    assert "3 (en skattning)" in svg_texts(CHARTS["areas"][0]("svg"))
    with pytest.raises(ValueError, match="a latest rating: 11"):
        area_change_chart([AreaRatings("Hälsa", 4, 11)], title="SKAPA")


def test_the_samtalsunderlag_chart_can_be_said_in_words():
    assert describe_ors_srs(ORS[:1], [], **CUTOFFS) == (
        "ORS: 16,0 den 6 maj 2025 (gränsvärde 25). SRS: inga skattningar.")
    assert describe_ors_srs([], SRS, **CUTOFFS).endswith(
        "SRS i 3 samtal, 6 maj 2025 till 7 okt 2025: från 34,0 till 39,5 (gränsvärde 36). "
        "Flaggat: 6 maj 2025 (under 36).")


# The longest titles the demo report gives its charts (an NNS table's title).
LONG_TITLE = "Vad tycker du om stödet? NNS indikatorenkät för deltagare, under insatsen"


@pytest.mark.parametrize("size", [(10, 4), (7.5, 7), (5, 3)])
def test_a_long_title_is_wrapped_between_words_to_fit_inside_the_figure(size):
    with matplotlib.rc_context(chart_settings(REPORT_FONT_SIZE)):
        figure = titled_figure(LONG_TITLE, size)
        figure.draw_without_rendering()
        # The title with every word of LONG_TITLE, none broken, in whatever lines.
        [heading] = [text for text in figure.findobj(Text)
                     if text.get_text().split() == LONG_TITLE.split()]
        extent = heading.get_window_extent(figure.canvas.get_renderer())
    inside = figure.bbox
    assert inside.x0 <= extent.x0 and extent.x1 <= inside.x1, (extent, inside)
    assert inside.y0 <= extent.y0 and extent.y1 <= inside.y1, (extent, inside)


def test_a_short_title_stays_on_one_line():
    with matplotlib.rc_context(chart_settings(REPORT_FONT_SIZE)):
        figure = titled_figure("Indikatorer 2025", (10, 4))
    assert figure.get_suptitle() == "Indikatorer 2025"


def test_a_trend_has_a_figure_for_every_period():
    with pytest.raises(ValueError, match="2 values for 3 periods"):
        trend_chart(YEARS, [TrendSeries("Nya", (1.0, 2.0))], title="Nyckeltal")


def test_a_trend_names_the_periods_once_under_the_lowest_panel():
    texts = svg_texts(CHARTS["trend"][0]("svg"))
    assert texts.count("2024") == 1
    assert "för få" in texts and texts.count("för få") == 1  # not where there is nothing
