"""The summary part a report opens with, checked against figures worked out by hand and
against the detailed tables it summarises."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.build import ReportInputs, build_report
from enkat.reports.inputs import AnswerCount, CourseEnds, EnrolmentFacts, Trend
from enkat.reports.model import ChartKind, Kind
from enkat.reports.period import Period
from enkat.reports.rendering import chart
from enkat.reports.summary import KEY_FIGURES, key_figures, quoted, trend_periods
from enkat.scoring.suppression import Suppression

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
INSTRUMENTS = load_directory(bundled_directory())
NBSP = "\u00a0"


def enrolment(number: int, *, started: dt.date, ended: dt.date | None = None,
              kon: str = "kvinna", reason: str = "ovrigt",
              syssel: str = "ingen") -> EnrolmentFacts:
    return EnrolmentFacts(
        participant_id=number, insats_id=1, started_on=started, ended_on=ended,
        trial_period_days=90, inskrivning={"kon": (kon,)},
        avslut=None if ended is None else {"avslutsanledning": (reason,),
                                           "sysselsattning": (syssel,)})


def worked_year() -> list[EnrolmentFacts]:
    """20 deltagare in 2025: 10 ended after the trial period (4 to work, 2 to studies,
    4 to rehabilitation of whom 2 actively seeking work), 2 ended within it, 8 ongoing
    (5 of them new). 14 kvinnor (6 ended, 8 ongoing), 6 män."""
    people = []
    for number, (reason, syssel) in enumerate(
            [("arbete", "ingen")] * 4 + [("studier", "ingen")] * 2
            + [("fortsatt-rehabilitering", "aktivt-arbetssokande")] * 2
            + [("fortsatt-rehabilitering", "ingen")] * 2):
        people.append(enrolment(number, started=dt.date(2024, 9, 1), ended=dt.date(2025, 6, 1),
                                kon="kvinna" if number < 6 else "man", reason=reason,
                                syssel=syssel))
    people += [enrolment(number, started=dt.date(2025, 3, 1), ended=dt.date(2025, 4, 1),
                         kon="man", reason="arbete") for number in (10, 11)]
    people += [enrolment(number, started=dt.date(2025, 2, 1) if number < 17
                         else dt.date(2024, 5, 1), kon="kvinna")
               for number in range(12, 20)]
    return people


def inputs(enrolments=(), previous=(), answers=(), previous_answers=(), courses=(),
           trend=None) -> ReportInputs:
    return ReportInputs(instruments=INSTRUMENTS, enrolments=list(enrolments),
                        previous_enrolments=list(previous), answer_counts=list(answers),
                        previous_answer_counts=list(previous_answers), courses=list(courses),
                        area_changes=[], session_flags=[], trend=trend)


def report(k: int = 1, **given):
    return build_report(_subject(), YEAR, inputs(**given), Suppression(k))


def _subject():
    from enkat.reports.model import Subject

    return Subject("insats", "x", "Insatsen", "Förbundet")


def key_figure(built, key: str):
    row = built.table("nyckeltal").row_about(key)
    return tuple(figure.shown for figure in row.figures)


# --- nyckeltal ----------------------------------------------------------------------------


def test_the_summary_opens_the_report():
    built = report(enrolments=worked_year())
    assert built.parts[0].id == "sammanfattning"
    assert built.parts[0].table_ids[0] == "nyckeltal"
    assert built.parts[1].id == "deltagare"


def test_each_key_figure_by_hand():
    built = report(enrolments=worked_year())
    assert key_figure(built, "deltagare") == (20, 20, "20")
    assert key_figure(built, "kon-kvinna") == (14, 20, f"14 av 20 = 70,0{NBSP}%")
    assert key_figure(built, "kon-man") == (6, 20, f"6 av 20 = 30,0{NBSP}%")
    assert key_figure(built, "nya") == (7, 20, "7")  # 2 trial exits and 5 ongoing
    assert key_figure(built, "avslutade") == (12, 20, "12")
    assert key_figure(built, "avslutade-provotid") == (2, 12, f"2 av 12 = 16,7{NBSP}%")
    assert key_figure(built, "pagaende") == (8, 20, "8")
    assert key_figure(built, "till-arbete") == (4, 10, f"4 av 10 = 40,0{NBSP}%")
    assert key_figure(built, "till-studier") == (2, 10, f"2 av 10 = 20,0{NBSP}%")
    assert key_figure(built, "aktivt-arbetssokande") == (2, 10, f"2 av 10 = 20,0{NBSP}%")
    assert key_figure(built, "andel-till-arbete-eller-studier") == (
        pytest.approx(0.6), 10, f"6 av 10 = 60,0{NBSP}%")
    share = built.table("nyckeltal").row_about("andel-till-arbete-eller-studier").figures[0]
    assert share.kind is Kind.SHARE


def test_the_key_figures_equal_the_detailed_tables():
    built = report(enrolments=worked_year())
    deltagare, exits = built.table("deltagare"), built.table("avslutsanledning")
    assert key_figure(built, "deltagare")[0] == deltagare.figure("Slutsumma", "unika").value
    assert key_figure(built, "kon-man")[0] == deltagare.figure("Man", "unika").value
    assert key_figure(built, "avslutade")[0] == exits.figure("Slutsumma", "totalt").value
    results = built.table("resultat")
    assert key_figure(built, "till-arbete")[0] == results.figure("Arbete", "totalt").value
    assert key_figure(built, "aktivt-arbetssokande")[0] == results.figure(
        "Aktivt arbetssökande enligt sysselsättning", "totalt").value


def test_a_text_quotes_a_key_figure_by_its_id():
    built = report(k=5, enrolments=worked_year())
    assert quoted(built, "andel-till-arbete-eller-studier") == f"6 av 10 = 60,0{NBSP}%"
    assert quoted(built, "till-studier") == "färre än 5 av 10"
    assert quoted(built, "okand") is None
    assert quoted(report(), "deltagare") is None  # nobody: the table is left out


def test_small_counts_are_suppressed_and_said_in_words():
    built = report(k=5, enrolments=worked_year())
    assert key_figure(built, "deltagare") == (20, 20, "20")
    assert key_figure(built, "till-studier") == ("<5", 10, "färre än 5 av 10")
    assert key_figure(built, "avslutade-provotid") == ("<5", 12, "färre än 5 av 12")
    assert key_figure(built, "andel-till-arbete-eller-studier") == (
        pytest.approx(0.6), 10, f"6 av 10 = 60,0{NBSP}%")
    # kön: 14 kvinnor and 6 män; the column is suppressed as in the deltagare table
    assert key_figure(built, "kon-kvinna")[0] == built.table("deltagare").figure(
        "Kvinna", "unika").shown


def test_a_share_of_few_is_not_written():
    few = worked_year()[:3] + worked_year()[10:12]  # 3 ended after trial, all to work
    built = report(k=5, enrolments=few)
    assert key_figure(built, "andel-till-arbete-eller-studier") == ("<5", "<5", "färre än 5")
    assert key_figure(built, "till-arbete") == ("<5", "<5", "färre än 5")


def test_a_share_of_nobody_says_so():
    built = report(enrolments=[enrolment(1, started=dt.date(2025, 2, 1))])
    assert key_figure(built, "andel-till-arbete-eller-studier")[2] == "kan inte beräknas (n = 0)"
    assert key_figure(built, "till-arbete")[2] == "0"


def test_the_quotable_key_figures_follow_the_forms():
    ids = [figure.id for figure in key_figures(INSTRUMENTS.values())]
    assert ids == ["deltagare", "kon-kvinna", "kon-man", "kon-annat", "kon-uppgift-saknas", "nya",
                   "avslutade", "avslutade-provotid", "pagaende", "till-arbete", "till-studier",
                   "aktivt-arbetssokande", "andel-till-arbete-eller-studier",
                   "besparing-per-manad", "aterbetalningstid"]
    assert {figure.id for figure in KEY_FIGURES} <= set(ids)
    built = report(enrolments=worked_year())
    assert [row.key for row in built.table("nyckeltal").rows] == ids[:-2]  # samhällsnytta:
    # the table nyckeltal-samhallsnytta, with a price list (tests/unit/reports/test_samhallsnytta)
    assert key_figures([INSTRUMENTS["ors"]]) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-800, 700), st.one_of(st.none(), st.integers(0, 600)),
                          st.sampled_from(["kvinna", "man", "annat"])), max_size=30))
def test_new_and_enrolled_before_make_the_deltagare(spans):
    """nya + those enrolled before the period = deltagare; kön rows add up to deltagare;
    those who ended = within the trial period + the n of the share."""
    people = []
    for number, (start, length, kon) in enumerate(spans):
        started = YEAR.start + dt.timedelta(days=start)
        ended = None if length is None else started + dt.timedelta(days=length)
        facts = enrolment(number, started=started, ended=ended, kon=kon)
        if facts.overlaps(YEAR):
            people.append(facts)
    assume(people)  # of nobody, the table is empty and left out
    built = report(enrolments=people)
    before = sum(1 for person in people if person.started_on < YEAR.start)
    deltagare = key_figure(built, "deltagare")[0]
    assert key_figure(built, "nya")[0] + before == deltagare == len(people)
    assert sum(key_figure(built, f"kon-{kon}")[0] for kon in ("kvinna", "man", "annat")) == (
        deltagare)
    assert key_figure(built, "avslutade")[0] == (
        key_figure(built, "avslutade-provotid")[0]
        + key_figure(built, "andel-till-arbete-eller-studier")[1])


# --- the NNS indicators that changed most -------------------------------------------------


def nns_answers(positive_by_indicator: dict[str, int], n: int = 20) -> list[AnswerCount]:
    """`n` answers to the first item of each indicator, `positive` of them "6"."""
    avslut = INSTRUMENTS["nns-deltagare-avslut"]
    first_item = {}
    for item in avslut.items:
        if item.indicator:
            first_item.setdefault(item.indicator, item.id)
    counts = []
    for indicator, positive in positive_by_indicator.items():
        counts += [AnswerCount(avslut.id, "avslut", first_item[indicator], "6", positive),
                   AnswerCount(avslut.id, "avslut", first_item[indicator], "2", n - positive)]
    return counts


CHANGES = {"nytta": 16, "inflytande": 2, "samordning-myndigheter-vard": 11,
           "hantera-sin-situation": 12, "narmar-sig-egen-forsorjning": 6,
           "tillvaratar-erfarenheter": 10, "planering-efter-avslut": 15}  # of 20; before 10


def test_the_largest_changes_come_first_whatever_their_sign():
    built = report(k=5, answers=nns_answers(CHANGES),
                   previous_answers=nns_answers(dict.fromkeys(CHANGES, 10)))
    table = built.table("storst-forandring")
    # changes of 20: +6, −8, +1, +2, −4, 0, +5 -> −8, +6, +5, −4, +2
    assert [row.key for row in table.rows] == ["inflytande", "nytta", "planering-efter-avslut",
                                               "narmar-sig-egen-forsorjning",
                                               "hantera-sin-situation"]
    row = table.row_about("inflytande")
    assert [figure.value for figure in row.figures] == pytest.approx([0.1, 20, 0.5, 20, -0.4])
    assert table.title.endswith("föregående år")
    assert table.chart is ChartKind.INDICATOR_BARS
    assert chart(table, "png").startswith(b"\x89PNG")


def test_only_indicators_with_enough_answers_in_both_periods_are_ranked():
    before = nns_answers(dict.fromkeys(CHANGES, 10))
    before = [count for count in before if count.item_id != "q2"]  # inflytande: none before
    before += nns_answers({"inflytande": 1}, n=4)  # 4 answers: fewer than k
    built = report(k=5, answers=nns_answers(CHANGES), previous_answers=before)
    assert "inflytande" not in {row.key for row in built.table("storst-forandring").rows}
    without_before = report(k=5, answers=nns_answers(CHANGES))
    assert "storst-forandring" not in {table.id for table in without_before.tables}


# --- the change in ratings ----------------------------------------------------------------


def ors_courses() -> list[CourseEnds]:
    """Six deltagare with two ratings or more: 3 improved by at least the RCI (5), one of
    them beyond the cut-off (25) at the latest; one with one rating only."""
    ends = [(10, 20), (12, 18), (20, 27), (15, 16), (22, 20), (18, 18)]
    courses = [CourseEnds(number, "ors", "total", 3, dt.date(2025, 2, 1), first,
                          dt.date(2025, 9, 1), latest)
               for number, (first, latest) in enumerate(ends)]
    courses.append(CourseEnds(99, "ors", "total", 1, dt.date(2025, 3, 1), 14.0,
                              dt.date(2025, 3, 1), 14.0))
    return courses


def test_the_change_in_ratings_is_the_pre_post_tables():
    built = report(k=5, courses=ors_courses())
    row = built.table("forandring-skattningar").row_about("ors-total")
    n, first, latest, change, improved = (figure.value for figure in row.figures)
    assert n == 6
    assert first == pytest.approx(97 / 6) and latest == pytest.approx(119 / 6)
    assert change == pytest.approx(22 / 6)
    assert improved == pytest.approx(3 / 6)  # 10→20, 12→18 improved; 20→27 recovered
    prepost = built.table("ors-total-prepost")
    assert n == prepost.figure("Deltagare med minst två skattningar", "varde").value
    assert change == prepost.figure("Medelförändring", "varde").value


def test_a_score_keeps_its_acronym_mid_sentence():
    built = report(k=5, courses=ors_courses())
    row = built.table("forandring-skattningar").row_about("ors-total")
    assert row.label.endswith(", ORS totalpoäng")
    assert built.table("ors-total-prepost").title.endswith(", ORS totalpoäng: före och efter")


def test_the_change_in_ratings_of_few_is_not_shown():
    built = report(k=10, courses=ors_courses())
    row = built.table("forandring-skattningar").row_about("ors-total")
    assert [figure.shown for figure in row.figures] == ["<10"] * 5


# --- the key figures year by year ---------------------------------------------------------


def test_the_trend_goes_back_in_periods_of_the_report():
    assert [period.start.year for period in trend_periods(YEAR)] == [2021, 2022, 2023, 2024,
                                                                     2025]
    half = Period(dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    assert trend_periods(half, 3)[0] == Period(dt.date(2024, 7, 1), dt.date(2024, 12, 31))


def test_the_trend_shows_only_years_with_data():
    earlier = [enrolment(100 + number, started=dt.date(2023, 2, 1), ended=dt.date(2023, 10, 1),
                         reason="arbete" if number < 5 else "ovrigt") for number in range(8)]
    periods = trend_periods(YEAR)
    answers = {periods[1]: nns_answers({"nytta": 7}, n=10)}  # 2022: NNS answers only
    built = report(k=5, enrolments=worked_year(),
                   trend=Trend(periods, [*earlier, *worked_year()], answers))
    table = built.table("nyckeltal-per-ar")
    # 2021: nothing; 2024: those of 2025 who started in 2024
    assert [column.key for column in table.columns] == ["2022", "2023", "2024", "2025"]
    assert table.title == "Nyckeltal år för år" and table.chart is ChartKind.TREND
    figures = {row.key: [figure.shown for figure in row.figures] for row in table.rows}
    assert figures["deltagare"] == [0, 8, 13, 20]
    assert figures["avslutade"] == [0, 8, 0, 12]
    assert figures["andel-till-arbete-eller-studier"][1::2] == [pytest.approx(5 / 8),
                                                                 pytest.approx(0.6)]
    assert figures["andel-positiva-nns"] == [pytest.approx(0.7), None, None, None]
    for key in ("deltagare", "nya", "avslutade", "andel-till-arbete-eller-studier"):
        assert figures[key][-1] == key_figure(built, key)[0]
    assert chart(table, "svg").lstrip().startswith(b"<?xml")


def test_no_trend_with_a_single_period_of_data():
    this_year = [e for e in worked_year() if e.started_on >= YEAR.start]
    built = report(enrolments=this_year, trend=Trend(trend_periods(YEAR), this_year, {}))
    assert "nyckeltal-per-ar" not in {table.id for table in built.tables}
