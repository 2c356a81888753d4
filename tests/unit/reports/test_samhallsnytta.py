"""The samhällsnytta part of a report, through `build_report` with the bundled
registration forms: the worked example of SAMHALLSNYTTA.md to the krona, follow-ups,
who is left out and why, suppression, and what a report says without a price list or
a cost."""

from __future__ import annotations

import datetime as dt
import json
import re
from fractions import Fraction

import pytest

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.build import ReportInputs, build_report
from enkat.reports.exports import to_json
from enkat.reports.filed.markers import render_markers
from enkat.reports.inputs import EnrolmentFacts, SamhallsnyttaInputs
from enkat.reports.model import Subject
from enkat.reports.period import Period
from enkat.reports.rendering import chart, has_chart
from enkat.reports.samhallsnytta import Unknown, audit_savings
from enkat.reports.summary import key_figures, quoted
from enkat.scoring.samhallsnytta import Assumptions, Price
from enkat.scoring.suppression import Suppression

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
INSTRUMENTS = load_directory(bundled_directory())
NBSP = "\u00a0"
PRICES = {
    "forsorjningsstod": Price(10_000, "kommunen"),
    "aktivitetsersattning": Price(12_000, "forsakringskassan"),
    "sjukpenning-rehabpenning": Price(18_000, "forsakringskassan"),
    "aktivitetsstod": Price(9_000, "arbetsformedlingen"),
    "lon": Price(0, "ingen"),
    "ingen-offentlig-forsorjning": Price(0, "ingen"),
    "annan": None,  # ej prissatt
}


def ended(number: int, before: tuple[str, ...], after: tuple[str, ...], *,
          started: dt.date = dt.date(2024, 9, 1), ended_on: dt.date = dt.date(2025, 6, 1),
          insats: int = 1, follow_ups: dict[str, tuple[str, ...]] | None = None,
          ) -> EnrolmentFacts:
    return EnrolmentFacts(
        participant_id=number, insats_id=insats, started_on=started, ended_on=ended_on,
        trial_period_days=90, inskrivning={"kon": ("kvinna",), "forsorjning": before},
        avslut={"avslutsanledning": ("arbete",), "forsorjning": after},
        follow_ups={timepoint: {"forsorjning": sources}
                    for timepoint, sources in (follow_ups or {}).items()})


def worked_example(times: int = 1) -> list[EnrolmentFacts]:
    """The domain page's three deltagare, `times` over."""
    courses = [(("forsorjningsstod",), ("lon",)),
               (("sjukpenning-rehabpenning",), ("aktivitetsstod",)),
               (("aktivitetsersattning",), ("aktivitetsersattning",))]
    return [ended(index * 3 + number, before, after)
            for index in range(times) for number, (before, after) in enumerate(courses)]


def inputs(enrolments, *, prices=PRICES, cost: int | None = 150_000,
           assumptions: Assumptions | None = None, names=None, cost_days: int = 365,
           example: bool = False, without_cost: tuple[str, ...] = ()) -> ReportInputs:
    return ReportInputs(
        instruments=INSTRUMENTS, enrolments=list(enrolments), previous_enrolments=[],
        answer_counts=[], previous_answer_counts=[], courses=[], area_changes=[], session_flags=[],
        insats_names=names,
        samhallsnytta=SamhallsnyttaInputs(assumptions or Assumptions(), prices,
                                          2025 if prices else None, example, cost,
                                          cost_days if cost else 0, without_cost))


def report(enrolments, k: int = 1, scope: str = "insats", **given):
    return build_report(Subject(scope, "x", "Insatsen", "Förbundet"), YEAR,
                        inputs(enrolments, **given), Suppression(k))


def shown(built, table_id: str, key: str) -> tuple:
    return tuple(f.shown for f in built.table(table_id).row_about(key).figures)


def total(built, table_id: str) -> tuple:
    return tuple(f.shown for f in built.table(table_id).row("Slutsumma").figures)


def section(built) -> dict:
    return json.loads(to_json(built))["samhallsnytta"]


# --- the worked example -------------------------------------------------------------------


def test_the_worked_example_pays_back_in_8_months_and_splits_by_payer():
    built = report(worked_example())
    assert shown(built, "samhallsnytta-aterbetalningstid", "varaktighet-100") == (
        19_000, 228_000, "8 månader")
    assert shown(built, "samhallsnytta-betalare", "kommunen") == (10_000, 120_000)
    assert shown(built, "samhallsnytta-betalare", "forsakringskassan") == (18_000, 216_000)
    assert shown(built, "samhallsnytta-betalare", "arbetsformedlingen") == (-9_000, -108_000)
    assert total(built, "samhallsnytta-betalare") == (19_000, 228_000)
    assert shown(built, "samhallsnytta-kallor", "sjukpenning-rehabpenning") == (1, 18_000, 0, 0)
    assert total(built, "samhallsnytta-kallor") == (None, 40_000, None, 21_000)
    months = built.table("samhallsnytta-kumulativ")
    assert [row.figures[1].shown for row in months.rows][:8] == [
        19_000 * month for month in range(1, 9)]
    assert built.parts[2].id == "samhallsnytta" and built.parts[1].id == "deltagare"
    assert section(built)["by_payer"]["arbetsformedlingen"] == [-9_000] * 12


def test_a_deadweight_of_25_per_cent_pays_back_in_11_months():
    built = report(worked_example(), assumptions=Assumptions(deadweight=Fraction(1, 4)))
    assert shown(built, "samhallsnytta-aterbetalningstid", "varaktighet-100") == (
        14_250, 171_000, "11 månader")
    assert shown(built, "samhallsnytta-antaganden", "dodvikt") == (f"25{NBSP}%",)


def test_lower_persistence_may_not_pay_back_within_the_horizon():
    built = report(worked_example())
    assert shown(built, "samhallsnytta-aterbetalningstid", "varaktighet-50") == (
        9_500, 114_000, "inte inom 12 månader")
    assert shown(built, "samhallsnytta-aterbetalningstid", "varaktighet-25")[2] == (
        "inte inom 12 månader")
    payback = section(built)["payback"]
    assert [(entry["persistence"], entry["month"]) for entry in payback] == [
        (1.0, 8), (0.5, None), (0.25, None)]


def test_the_summary_says_it_in_a_line_and_texts_can_quote_it():
    built = report(worked_example())
    table = built.table("nyckeltal-samhallsnytta")
    assert table.notes[0] == (f"Samhällsnytta: 19{NBSP}000{NBSP}kr per månad, "
                              f"återbetalningstid 8 månader (kostnad 150{NBSP}000{NBSP}kr); "
                              "3 deltagare.")
    assert quoted(built, "aterbetalningstid") == f"8 månader (kostnad 150{NBSP}000{NBSP}kr)"
    assert render_markers("{{nyckeltal:besparing-per-manad}}", built) == (
        f"19{NBSP}000{NBSP}kr per månad")
    ids = [figure.id for figure in key_figures(INSTRUMENTS.values())]
    assert ids[-2:] == ["besparing-per-manad", "aterbetalningstid"]


def test_the_chart_draws_the_cumulative_saving_against_the_cost():
    built = report(worked_example())
    table = built.table("samhallsnytta-kumulativ")
    assert has_chart(table)
    assert chart(table, "svg").startswith(b"<?xml")
    assert b"Kostnad" in chart(table, "svg")


# --- follow-ups, trial exits, left out ----------------------------------------------------


def test_a_follow_up_replaces_the_exit_status_from_its_month_on():
    person = ended(1, ("forsorjningsstod",), ("lon",),
                   follow_ups={"uppfoljning-6m": ("forsorjningsstod",)})
    monthly = section(report([person]))["monthly"]
    assert monthly == [10_000] * 6 + [0] * 6


def test_trial_exits_and_those_ongoing_are_not_in_the_figures():
    trial = ended(1, ("forsorjningsstod",), ("lon",), started=dt.date(2025, 5, 1))
    ongoing = EnrolmentFacts(2, 1, dt.date(2025, 1, 1), None, 90,
                             {"forsorjning": ("forsorjningsstod",)})
    built = report([*worked_example(), trial, ongoing])
    assert section(built)["n"] == 3
    assert shown(built, "samhallsnytta-antaganden", "avslutade") == (3,)


def test_those_left_out_are_counted_by_reason():
    people = [*worked_example(),
              ended(10, (), ("lon",)), ended(11, ("forsorjningsstod",), ()),
              ended(12, ("annan",), ("lon",)), ended(13, ("lon",), ("okand-kod",))]
    built = report(people)
    assert section(built)["left_out"] == {"utan-forsorjning-vid-inskrivning": 1,
                                          "utan-forsorjning-vid-avslut": 1, "utan-pris": 2}
    assert section(built)["n"] == 3 and section(built)["monthly"][0] == 19_000


# --- suppression --------------------------------------------------------------------------


def test_fewer_than_k_deltagare_hold_every_saving_back():
    built = report(worked_example(), k=5)
    assert [table.id for table in built.tables_of(built.parts[2])] == [
        "samhallsnytta-antaganden"]
    assert "besparingen visas inte" in " ".join(built.table("samhallsnytta-antaganden").notes)
    assert section(built)["monthly"] == "<5" and section(built)["payback"][0]["month"] == "<5"
    assert quoted(built, "besparing-per-manad") == "färre än 5 deltagare"


def test_a_saving_that_would_give_a_hidden_count_away_is_hidden():
    """5 from försörjningsstöd to lön, 3 from sjukpenning to lön, 5 on
    aktivitetsersättning throughout: the 3 are hidden with their kronor and the kronor
    totals. Försäkringskassan saves 54 000 a month, which with sjukpenning at 18 000 and
    aktivitetsersättning shown unchanged gives the 3 back: hidden. The total less
    Kommunen's would give Försäkringskassan's back, and no other payer hides anything:
    the total is hidden too, with all drawn from it."""
    people = [*(ended(n, ("forsorjningsstod",), ("lon",)) for n in range(5)),
              *(ended(10 + n, ("sjukpenning-rehabpenning",), ("lon",)) for n in range(3)),
              *(ended(20 + n, ("aktivitetsersattning",), ("aktivitetsersattning",))
                for n in range(5))]
    built = report(people, k=5)
    assert shown(built, "samhallsnytta-kallor", "forsorjningsstod") == (5, 50_000, 0, 0)
    assert shown(built, "samhallsnytta-kallor", "sjukpenning-rehabpenning") == (
        "<5", "<5", 0, 0)
    assert total(built, "samhallsnytta-kallor") == (None, "X", None, 60_000)
    assert shown(built, "samhallsnytta-betalare", "kommunen") == (50_000, 600_000)
    assert shown(built, "samhallsnytta-betalare", "forsakringskassan") == ("X", "X")
    assert total(built, "samhallsnytta-betalare") == ("X", "X")
    assert shown(built, "samhallsnytta-aterbetalningstid", "varaktighet-100") == (
        "X", "X", "X")
    assert "samhallsnytta-kumulativ" not in [table.id for table in built.tables]
    assert section(built)["monthly"] == "X"
    assert section(built)["by_payer"]["kommunen"] == [50_000] * 12
    assert quoted(built, "aterbetalningstid") == "visas inte (skyddar ett litet antal)"
    text = to_json(built)
    for hidden in ("54000", "104000", "648000", "1248000"):  # FK, the total, 12 months
        assert not re.search(rf"\b{hidden}\b", text), hidden


def test_a_total_that_leaves_every_hidden_count_open_is_shown():
    """As above, but the 3 go from sjukpenning to aktivitetsstöd: Försäkringskassan
    (54 000) gives them away and Arbetsförmedlingen rests on 3, so both are hidden. What
    the total adds, 18 000 × b − 9 000 × a = 27 000 with b and a from 1 to 4, holds for
    b = 2, a = 1 and for b = 3, a = 3: the total is shown, and so is the återbetalningstid."""
    people = [*(ended(n, ("forsorjningsstod",), ("lon",)) for n in range(5)),
              *(ended(10 + n, ("sjukpenning-rehabpenning",), ("aktivitetsstod",))
                for n in range(3)),
              *(ended(20 + n, ("aktivitetsersattning",), ("aktivitetsersattning",))
                for n in range(5))]
    built = report(people, k=5)
    assert shown(built, "samhallsnytta-kallor", "aktivitetsstod") == (0, 0, "<5", "<5")
    assert shown(built, "samhallsnytta-betalare", "kommunen") == (50_000, 600_000)
    assert shown(built, "samhallsnytta-betalare", "forsakringskassan") == ("X", "X")
    assert shown(built, "samhallsnytta-betalare", "arbetsformedlingen") == ("<5", "<5")
    assert total(built, "samhallsnytta-betalare") == (77_000, 924_000)
    assert section(built)["monthly"] == [77_000] * 12
    assert "samhallsnytta-kumulativ" in [table.id for table in built.tables]
    text = to_json(built)
    for hidden in ("54000", "-27000"):  # FK, AF
        assert not re.search(rf"(?<![0-9]){hidden}\b", text), hidden


def test_the_audit_tries_every_whole_count():
    """Unknowns as a reader sees them: one hidden count at a known price is given away by
    its payer's saving; two hidden counts at prices 12 000 and 11 000 are too (12a + 11c
    is different for every a and c from 1 to 4), at 18 000 and 9 000 they are not."""
    def hidden(price: int) -> Unknown:
        return Unknown(price, frozenset((count, 0) for count in range(1, 5)))
    small = Suppression(5)
    assert audit_savings({"fk": [hidden(18_000)]}, {"fk": 54_000}, set(), small,
                         key=len) == ({"fk": "X"}, "X")
    assert audit_savings({"fk": [hidden(12_000), hidden(11_000)]}, {"fk": 35_000}, set(),
                         small, key=len) == ({"fk": "X"}, "X")
    hidden_after = Unknown(9_000, frozenset((0, count) for count in range(1, 5)))
    assert audit_savings({"fk": [hidden(18_000), hidden_after]}, {"fk": 27_000}, set(),
                         small, key=len) == ({}, None)


def test_a_small_left_out_count_is_protected_by_a_second_one():
    people = [*worked_example(2), ended(10, (), ("lon",))]
    built = report(people, k=5)
    column = [figure.shown for row in built.table("samhallsnytta-antaganden").rows
              if row.key in ("deltagare", "utan-forsorjning-vid-inskrivning", "avslutade")
              for figure in row.figures]
    assert column == ["X", "<5", 7]
    summary = built.table("nyckeltal-samhallsnytta")
    assert [figure.shown for row in summary.rows for figure in row.figures[1:2]] == [
        "X", "X"]  # the n of each line, as hidden as the count it is
    total_row = next(row for row in built.table("samhallsnytta-betalare").rows if row.is_total)
    payback = built.table("samhallsnytta-aterbetalningstid").rows
    assert {figure.n for row in (total_row, *payback) for figure in row.figures} == {None}


# --- what is missing ----------------------------------------------------------------------


def test_without_a_price_list_the_part_says_what_is_missing():
    built = report(worked_example(), prices=None)
    part = built.parts[2]
    assert part.table_ids == ("samhallsnytta-antaganden",)
    assert built.table("samhallsnytta-antaganden").notes[0] == (
        "Förbundet har ingen prislista för 2025: lägg in den under "
        "Inställningar → Prislista för samhällsnytta.")
    assert section(built)["missing"] == ["prislista"]
    assert "nyckeltal-samhallsnytta" not in [table.id for table in built.tables]


def test_without_a_cost_the_payback_says_so():
    built = report(worked_example(), cost=None)
    assert shown(built, "samhallsnytta-aterbetalningstid", "varaktighet-100")[2] == (
        "kostnad saknas")
    assert shown(built, "samhallsnytta-antaganden", "kostnad") == ("kostnad saknas",)
    assert section(built)["missing"] == ["kostnad"]
    assert has_chart(built.table("samhallsnytta-kumulativ"))


def test_a_cost_for_part_of_the_period_says_how_much_it_covers():
    built = report(worked_example(), cost_days=181, example=True)
    assert shown(built, "samhallsnytta-antaganden", "kostnad") == (
        f"150{NBSP}000{NBSP}kr (registrerad för 181 av periodens 365 dagar)",)
    assert shown(built, "samhallsnytta-antaganden", "prislista") == ("2025, exempelsiffror",)


def test_without_registration_forms_there_is_no_part():
    only_ors = {"ors": INSTRUMENTS["ors"]}
    built = build_report(Subject("insats", "x", "I", "F"), YEAR, ReportInputs(
        instruments=only_ors, enrolments=worked_example(), previous_enrolments=[],
        answer_counts=[], previous_answer_counts=[], courses=[], area_changes=[],
        session_flags=[], samhallsnytta=SamhallsnyttaInputs(Assumptions(), PRICES, 2025)),
        Suppression(1))
    assert "samhallsnytta" not in [part.id for part in built.parts]
    assert json.loads(to_json(built))["samhallsnytta"] is None


def test_a_forbund_report_adds_up_its_insatser():
    first = worked_example()
    second = [ended(10 + n, ("forsorjningsstod",), ("lon",), insats=2) for n in range(2)]
    built = report([*first, *second], scope="forbund", names={1: "Steget", 2: "Vidare"},
                   cost=200_000)
    assert shown(built, "samhallsnytta-betalare", "kommunen") == (30_000, 360_000)
    assert shown(built, "samhallsnytta-aterbetalningstid", "varaktighet-100")[2] == (
        "6 månader")
    assert section(built)["n"] == 5


@pytest.mark.parametrize("format", ["html", "xlsx", "docx", "json"])
def test_every_format_writes_the_part(format):
    from enkat.reports.rendering import render

    written = render(report(worked_example()), format)
    assert written
    if format == "html":
        assert "Samhällsnytta: besparing per betalare" in written.decode("utf-8")
        assert f"−9{NBSP}000{NBSP}kr" in written.decode("utf-8")


def test_the_xlsx_keeps_kronor_as_numbers_written_in_kronor():
    import io

    from openpyxl import load_workbook

    from enkat.reports.rendering import render

    workbook = load_workbook(io.BytesIO(render(report(worked_example()), "xlsx")))
    sheet = next(sheet for sheet in workbook if sheet["A1"].value ==
                 "Samhällsnytta: besparing per betalare")
    cells = {row[0].value: row[1] for row in sheet.iter_rows()}
    assert cells["Arbetsförmedlingen"].value == -9000
    assert cells["Arbetsförmedlingen"].number_format == '#,##0" kr"'


def test_the_chart_is_the_same_bytes_for_the_same_figures():
    table = report(worked_example()).table("samhallsnytta-kumulativ")
    assert chart(table, "png") == chart(table, "png")


def test_a_cost_that_leaves_insatser_out_names_them():
    built = report(worked_example(), scope="forbund",
                   without_cost=("Halvt betald", "Obetald"))
    assert shown(built, "samhallsnytta-antaganden", "kostnad") == (
        "150\u00a0000\u00a0kr (saknas helt eller delvis för Halvt betald och Obetald)",)


def test_nobody_in_the_figures_is_said_in_words():
    built = report([], k=5)
    assert quoted(built, "besparing-per-manad") == "inga deltagare i beräkningen"
