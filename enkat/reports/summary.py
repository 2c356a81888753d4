"""The summary part a report opens with: the answer to "did it work" on page 1.

Every figure here is computed by the rule that computes it in the report's detailed
tables (`registration`, `goals`, `indicators`, `outcomes`), and suppressed as they are:
the summary quotes the report, it never counts again in its own way.

- `nyckeltal`: the key figures, each row keyed by a stable id (`KEY_FIGURES`,
  `key_figures`) that a filed document's text quotes as ``{{nyckeltal:<id>}}``;
- `mal`: the goal table, built with the report;
- `storst-forandring`: the deltagare's NNS indicators that changed most against the
  previous period;
- `forandring-skattningar`: first against latest rating on every scored instrument;
- `nyckeltal-per-ar`: a few key figures year by year (`trend_periods`), with a chart;
- `nyckeltal-samhallsnytta`: the saving per month and the återbetalningstid
  (`samhallsnytta`), keyed as quotable key figures too.

The summary is a list of builders (`SUMMARY_BUILDERS`), each giving its tables from a
`SummaryContext`: a new kind of summary figure (samhällsnytta) is one more builder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from enkat.instruments import Instrument, Score
from enkat.instruments.roles import RegistrationForms, in_report_order
from enkat.scoring import ChangeClass, PrePost, Proportion, StepClass
from enkat.scoring.suppression import Suppression

from . import samhallsnytta
from .figures import share_of, shown_count, small_count
from .goals import IndicatorShares, Share, goal_instruments
from .indicators import (
    IndicatorTally,
    difference_figure,
    pooled_share,
    share_figure,
    tally,
)
from .inputs import EnrolmentFacts
from .model import ChartKind, Column, Figure, Kind, Report, Row, Table
from .numbers import format_count
from .outcomes import ScoreResults, score_name
from .period import Period
from .registration import (
    deltagare_table,
    distinct,
    ended_after_trial,
    ended_in,
    exit_reason_of,
    kon_codes,
    kon_of,
    ongoing_at_end,
    seeking_work,
    started_in,
    to_work_or_studies_share,
)

if TYPE_CHECKING:
    from .build import ReportInputs

PART_ID, PART_TITLE = "sammanfattning", "Sammanfattning"
KEY_FIGURE_TABLE = "nyckeltal"
SAMHALLSNYTTA_TABLE = "nyckeltal-samhallsnytta"
#: The tables whose rows a text quotes as ``{{nyckeltal:<id>}}``.
KEY_FIGURE_TABLES = (KEY_FIGURE_TABLE, SAMHALLSNYTTA_TABLE)
#: How many indicators the table of the largest changes lists.
LARGEST_CHANGES = 5
#: How many periods, the report's own included, the key figures go back.
TREND_PERIODS = 5
#: What stands in a sentence for a figure held back to protect a small one.
HIDDEN = "visas inte (skyddar ett litet antal)"
#: What stands in a sentence for a share of nobody.
NOTHING = "kan inte beräknas (n = 0)"


@dataclass(frozen=True)
class KeyFigure:
    """A key figure a text can quote: its id (the `nyckeltal` row's key) and label."""

    id: str
    label: str


#: The key figures whose ids are fixed, in table order; the kön rows and the exits to work
#: or studies follow the forms' declarations, and actively seeking work is there where the
#: ending form declares it (`key_figures` lists those of a förbund's forms).
DELTAGARE = KeyFigure("deltagare", "Unika deltagare")
NYA = KeyFigure("nya", "Nya deltagare")
AVSLUTADE = KeyFigure("avslutade", "Avslutade, prövotid medräknad")
AVSLUTADE_PROVOTID = KeyFigure("avslutade-provotid", "Därav avslutade inom prövotid")
PAGAENDE = KeyFigure("pagaende", "Pågående vid periodens slut")
AKTIVT_ARBETSSOKANDE = KeyFigure("aktivt-arbetssokande", "Aktivt arbetssökande vid avslut")
ANDEL_TILL_ARBETE_ELLER_STUDIER = KeyFigure("andel-till-arbete-eller-studier",
                                            "Andel till arbete eller studier")
KEY_FIGURES = (DELTAGARE, NYA, AVSLUTADE, AVSLUTADE_PROVOTID, PAGAENDE, AKTIVT_ARBETSSOKANDE,
               ANDEL_TILL_ARBETE_ELLER_STUDIER)
#: The samhällsnytta figures (the table `nyckeltal-samhallsnytta`), where the registration
#: forms declare the försörjning and the förbund has a price list.
BESPARING_PER_MANAD = KeyFigure("besparing-per-manad", "Samhällsnytta: besparing per månad")
ATERBETALNINGSTID = KeyFigure("aterbetalningstid", "Samhällsnytta: återbetalningstid")
#: The pooled positive share of the deltagare's NNS surveys (a row of the trend).
NNS_POSITIVE = KeyFigure("andel-positiva-nns", "Andel positiva svar, NNS deltagare")


def key_figures(instruments: Iterable[Instrument]) -> list[KeyFigure]:
    """Every key figure the `nyckeltal` and `nyckeltal-samhallsnytta` tables of the
    förbund's reports can have, in their order: what a text section may quote. Empty
    without registration forms."""
    forms = RegistrationForms.among(instruments)
    if forms is None:
        return []
    return [DELTAGARE, *_kon_figures(forms), NYA, AVSLUTADE, AVSLUTADE_PROVOTID, PAGAENDE,
            *_exit_figures(forms), ANDEL_TILL_ARBETE_ELLER_STUDIER,
            *((BESPARING_PER_MANAD, ATERBETALNINGSTID) if samhallsnytta.has_support(forms)
              else ())]


def _kon_figures(forms: RegistrationForms) -> list[KeyFigure]:
    kon = forms.kon
    return [KeyFigure(f"kon-{code}", kon.code_label(code) if kon else code)
            for code in kon_codes(forms)]


def _exit_figures(forms: RegistrationForms) -> list[KeyFigure]:
    """Each exit reason that counts as to work or studies, and actively seeking work
    where the ending form declares it."""
    reason = forms.exit_reason
    figures = [KeyFigure(f"till-{code}", f"Till {reason.code_label(code).lower()}")
               for code in forms.to_work_or_studies if reason is not None]
    if forms.ends.results.seeking_work is not None:
        figures.append(AKTIVT_ARBETSSOKANDE)
    return figures


def quoted(report: Report, figure_id: str) -> str | None:
    """The key figure `figure_id` of the report as a sentence quotes it ("41",
    "13 av 41 = 31,7 %", "färre än 5"), or None when the report has no such figure."""
    for table in report.tables:
        if table.id in KEY_FIGURE_TABLES:
            for row in table.rows:
                if row.key == figure_id:
                    return str(table.figure(row.label, "text").value)
    return None


def trend_periods(period: Period, count: int = TREND_PERIODS) -> tuple[Period, ...]:
    """The report's period and the `count` − 1 periods of equal length before it
    (calendar years for a year's report), oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return tuple(reversed(periods))


@dataclass(frozen=True)
class SummaryContext:
    """What the summary builders read: the report's inputs and what the report has
    worked out already (the indicator shares, the goal table, each score's pre/post)."""

    inputs: ReportInputs
    period: Period
    forms: RegistrationForms | None
    shares: Mapping[str, IndicatorShares]
    goal_table: Table | None
    score_results: ScoreResults
    suppression: Suppression


SummaryBuilder = Callable[[SummaryContext], list[Table]]


def summary_tables(context: SummaryContext) -> list[Table]:
    """The summary part's tables, builder by builder."""
    return [table for build in SUMMARY_BUILDERS for table in build(context)]


def _listed(table: Table) -> list[Table]:
    """A builder's answer for a table of rows it picked: the table, or none without rows."""
    return [table] if table.rows else []


# --- nyckeltal ----------------------------------------------------------------------------


def key_figure_table(context: SummaryContext) -> list[Table]:
    """The key figures of the period, each with its n and as a sentence quotes it; none
    when nobody was enrolled in it."""
    forms = context.forms
    if forms is None or not context.inputs.enrolments:
        return []
    suppression = context.suppression
    rows = [_row(figure, value, n, text) for figure, value, n, text in
            _key_values(context.inputs.enrolments, context.period, forms, suppression)]
    columns = (Column("varde", "Värde", Kind.COUNT), Column("n", "Antal (n)", Kind.COUNT),
               Column("text", "I text", Kind.TEXT))
    return [Table(KEY_FIGURE_TABLE, "Nyckeltal", columns, tuple(rows), notes=(
        "Unika deltagare: inskrivna någon dag under perioden, var och en en gång; "
        "per kön enligt inskrivningen, som i tabellen Deltagare.",
        "Avslutade: alla som avslutades under perioden, prövotid medräknad, som i "
        "tabellen Avslutsanledning.",
        "Till arbete, till studier, aktivt arbetssökande och andelen till arbete eller "
        "studier: av dem som avslutades efter prövotiden (n), som i tabellen Resultat "
        "för avslutade och i målet.",
        f"Antal under {suppression.k} visas inte.",
    ))]


def _row(figure: KeyFigure, value: Figure, n: Figure, text: str) -> Row:
    return Row(figure.label, (value, n, Figure(text)), key=figure.id)


def _key_values(enrolments: Sequence[EnrolmentFacts], period: Period,
                forms: RegistrationForms,
                suppression: Suppression) -> list[tuple[KeyFigure, Figure, Figure, str]]:
    """(key figure, value, n, text) of every key figure, in table order."""
    people = distinct(enrolments)
    deltagare = small_count(len(people), suppression)
    kon = Counter(kon_of(e, forms) for e in people.values())
    # by kön as the deltagare table shows them, suppressed with the courses they add up to
    *by_kon, kon_total = (row.figures[0] for row in
                          deltagare_table(enrolments, period, forms, suppression).rows)
    counted_kon = sum(kon[code] for code in kon_codes(forms))
    ended = ended_in(enrolments, period)
    ended_count = small_count(len(ended), suppression)
    trial = sum(1 for e in ended if e.ended_in_trial_period)
    after_trial = ended_after_trial(enrolments, period)
    values = [_counted(DELTAGARE, deltagare, deltagare, suppression)]
    values += [_counted(figure, count, kon_total, suppression,
                        Share(kon[code], counted_kon))
               for figure, count, code in zip(_kon_figures(forms), by_kon,
                                              kon_codes(forms), strict=True)]
    values += [
        _counted(NYA, small_count(len(distinct(started_in(enrolments, period))), suppression),
                 deltagare, suppression),
        _counted(AVSLUTADE, ended_count, deltagare, suppression),
        _counted(AVSLUTADE_PROVOTID, small_count(trial, suppression), ended_count, suppression,
                 Share(trial, len(ended))),
        _counted(PAGAENDE, small_count(len(distinct(ongoing_at_end(enrolments, period))),
                                       suppression), deltagare, suppression),
    ]
    values += [_of_ended(figure, test, after_trial, suppression)
               for figure, test in _exit_tests(forms)]
    share = to_work_or_studies_share(enrolments, period, forms)
    values.append(_counted(ANDEL_TILL_ARBETE_ELLER_STUDIER,
                           replace(share_figure_of(share, suppression), kind=Kind.SHARE),
                           small_count(share.n, suppression), suppression, share))
    return values


def _exit_tests(forms: RegistrationForms) -> list[tuple[KeyFigure, Callable[[EnrolmentFacts],
                                                                               bool]]]:
    """Each exit figure with its test of an enrolment (`_exit_figures`' order)."""
    tests = [_ended_with(code, forms)
             for code in forms.to_work_or_studies if forms.exit_reason is not None]
    if forms.ends.results.seeking_work is not None:
        tests.append(lambda e: seeking_work(e, forms))
    return list(zip(_exit_figures(forms), tests, strict=True))


def _ended_with(code: str, forms: RegistrationForms) -> Callable[[EnrolmentFacts], bool]:
    return lambda enrolment: exit_reason_of(enrolment, forms) == code


def _of_ended(figure: KeyFigure, test: Callable[[EnrolmentFacts], bool],
              ended: Sequence[EnrolmentFacts],
              suppression: Suppression) -> tuple[KeyFigure, Figure, Figure, str]:
    """How many of those who ended after the trial period pass `test`, of them all."""
    count = sum(1 for e in ended if test(e))
    return _counted(figure, small_count(count, suppression), small_count(len(ended), suppression),
                    suppression, Share(count, len(ended)))


def _counted(figure: KeyFigure, value: Figure, n: Figure, suppression: Suppression,
             share: Share | None = None) -> tuple[KeyFigure, Figure, Figure, str]:
    """A figure with its n, and written as a sentence quotes it: "41", or its share of n
    where it has one ("13 av 41 = 31,7 %")."""
    return figure, value, n, _written(value, n, share, suppression)


def share_figure_of(share: Share, suppression: Suppression) -> Figure:
    """A share of counts, held back with its count or its n (`figures.share_of`)."""
    return share_of(share.count, share.n, shown_count(small_count(share.count, suppression)),
                    shown_count(small_count(share.n, suppression)))


def _written(value: Figure, n: Figure, share: Share | None, suppression: Suppression) -> str:
    """"41", "13 av 41 = 31,7 %"; "färre än 5 av 41" for a small count of a shown n,
    "färre än 5" for a small n, and `HIDDEN` for a figure held back to protect
    another."""
    if value.suppressed is None and n.suppressed is None:
        if share is not None and share.n:
            return share.written(suppression)
        if value.value is None:
            return NOTHING
        assert isinstance(value.value, int)
        return format_count(value.value)
    if value.suppressed == suppression.mark and n.suppressed is None and share is not None:
        return share.written(suppression)
    if suppression.mark in (value.suppressed, n.suppressed):
        return f"färre än {suppression.k}"
    return HIDDEN


# --- the goal table -----------------------------------------------------------------------


def goal_tables(context: SummaryContext) -> list[Table]:
    return [context.goal_table] if context.goal_table is not None else []


# --- the NNS indicators that changed most -------------------------------------------------


def largest_changes_table(context: SummaryContext) -> list[Table]:
    """The deltagare's NNS indicators whose positive share changed most against the
    previous period, both periods with enough answers."""
    suppression = context.suppression
    ranked = []
    for order, (indicator, label) in enumerate(_nns_indicators(context.inputs.instruments)):
        found = context.shares.get(indicator)
        if found is None or suppression.too_few(found.now.n) or suppression.too_few(
                found.before.n):
            continue
        assert found.now.value is not None and found.before.value is not None  # n ≥ k
        ranked.append((-abs(found.now.value - found.before.value), order, indicator, label,
                       found))
    rows = [_change_row(indicator, label, found, suppression)
            for *_, indicator, label, found in sorted(ranked)[:LARGEST_CHANGES]]
    columns = (Column("andel", "Andel positiva", Kind.SHARE),
               Column("n", "Antal svar", Kind.COUNT),
               Column("andel-foregaende", "Andel föregående period", Kind.SHARE),
               Column("n-foregaende", "Antal svar föregående period", Kind.COUNT),
               Column("skillnad", "Skillnad", Kind.SHARE))
    title = f"NNS-indikatorer med störst förändring mot föregående {_unit(context.period)}"
    return _listed(Table("storst-forandring", title, columns, tuple(rows),
                         chart=ChartKind.INDICATOR_BARS, notes=(
        f"De (högst {LARGEST_CHANGES}) indikatorer i deltagarnas NNS-enkäter vars andel "
        "positiva svar ändrats mest mot föregående period lika lång, oavsett riktning.",
        "Andel positiva: alla svar på indikatorns frågor, vet ej inte medräknat, med 95 % "
        "konfidensintervall (Wilson). Skillnad: andelen nu minus föregående period.",
        f"Bara indikatorer med minst {suppression.k} svar i båda perioderna.",
    )))


def _nns_indicators(instruments: Mapping[str, Instrument]) -> list[tuple[str, str]]:
    """(id, label) of the indicators of the deltagare's surveys, once each, in order."""
    found: dict[str, str] = {}
    for instrument in goal_instruments(instruments.values()):
        for indicator in instrument.indicators:
            found.setdefault(indicator.id, indicator.label.get("sv"))
    return list(found.items())


def _change_row(indicator: str, label: str, found: IndicatorShares,
                suppression: Suppression) -> Row:
    now, before = _tallied(found.now), _tallied(found.before)
    return Row(label, (share_figure(now, suppression), small_count(now.n, suppression),
                       share_figure(before, suppression), small_count(before.n, suppression),
                       difference_figure(now, before, suppression)), key=indicator)


def _tallied(share: Share) -> IndicatorTally:
    return IndicatorTally(positive=share.count, other=share.n - share.count)


# --- the change in ratings ----------------------------------------------------------------


def rating_changes_table(context: SummaryContext) -> list[Table]:
    """First against latest rating on each score of the scored instruments, for the
    deltagare with two ratings or more (`outcomes`' pre/post rule)."""
    suppression = context.suppression
    rows = [_rating_row(instrument, score, context.score_results[(instrument.id, score.id)],
                        suppression)
            for instrument in in_report_order(context.inputs.instruments.values())
            for score in instrument.scores if (instrument.id, score.id) in context.score_results]
    columns = (Column("n", "Deltagare med minst två skattningar", Kind.COUNT),
               Column("forsta", "Medel första", Kind.NUMBER),
               Column("senaste", "Medel senaste", Kind.NUMBER),
               Column("forandring", "Medelförändring", Kind.CHANGE),
               Column("andel-forbattrade", "Andel förbättrade", Kind.SHARE))
    return _listed(Table("forandring-skattningar", "Förändring i skattningar", columns,
                         tuple(rows), notes=(
        "Första och senaste skattningen fram till periodens slut hos deltagare med minst "
        "två skattningar, som i tabellerna Före och efter.",
        "Förbättrade: förbättrade minst den reliabla förändringen (förbättrad eller "
        "återhämtad), eller med stegförflyttning framåt där skalan anger steg; andel av "
        "deltagarna med minst två skattningar.",
        f"Under {suppression.k} deltagare visas inga värden.",
    )))


def _rating_row(instrument: Instrument, score: Score, result: PrePost,
                suppression: Suppression) -> Row:
    change = result.change
    improved = _improved(result.change_classes, result.step_classes)
    values = (change.mean_first, change.mean_latest, change.mean_change.value)
    if suppression.too_few(change.n):
        mark = suppression.mark if change.n else None
        figures = (small_count(change.n, suppression),
                   *(Figure(value, suppressed=mark) for value in values),
                   Figure(None, suppressed=mark))
    else:
        share = (share_figure_of(Share(improved, change.n), suppression)
                 if improved is not None else Figure(None))
        figures = (small_count(change.n, suppression),
                   *(Figure(value, n=change.n) for value in values), share)
    return Row(score_name(instrument, score), figures, key=f"{instrument.id}-{score.id}")


def _improved(change_classes: Mapping[ChangeClass, Proportion] | None,
              step_classes: Mapping[StepClass, Proportion] | None) -> int | None:
    """How many improved: by the change classes where the score has them, else by a
    stegförflyttning forward; None when it declares neither."""
    if change_classes is not None:
        return sum(change_classes[c].count for c in (ChangeClass.RECOVERED,
                                                       ChangeClass.IMPROVED))
    if step_classes is not None:
        return step_classes[StepClass.FORWARD].count
    return None


# --- the key figures year by year ---------------------------------------------------------


def trend_table(context: SummaryContext) -> list[Table]:
    """Deltagare, new, ended, the share to work or studies and the NNS positive share in
    each period of the trend with data, side by side; none with fewer than two."""
    trend = context.inputs.trend
    if trend is None:
        return []
    instruments = context.inputs.instruments
    measuring = goal_instruments(instruments.values())
    columns: list[tuple[Period, dict[str, Figure]]] = []
    for period in trend.periods:
        active = [e for e in trend.enrolments if e.overlaps(period)]
        nns = pooled_share(measuring, tally(trend.answer_counts.get(period, ()), instruments))
        if active or nns.n:
            columns.append((period, _year_figures(active, period, context.forms, nns,
                                                  bool(measuring), context.suppression)))
    if len(columns) < 2:
        return []
    figures = [DELTAGARE, NYA, AVSLUTADE, ANDEL_TILL_ARBETE_ELLER_STUDIER, NNS_POSITIVE]
    rows = [Row(figure.label, tuple(values[figure.id] for _, values in columns), key=figure.id)
            for figure in figures if figure.id in columns[0][1]]
    unit = _unit(context.period)
    return [Table("nyckeltal-per-ar", f"Nyckeltal {unit} för {unit}",
                  tuple(Column(_period_key(period), _period_label(period), Kind.COUNT)
                        for period, _ in columns), tuple(rows), chart=ChartKind.TREND, notes=(
        "Varje kolumn räknas med samma regler som tabellen Nyckeltal för sin period; "
        "perioder utan data är utelämnade.",
        f"{NNS_POSITIVE.label}: positiva svar bland alla svar på frågorna som mäter en "
        "indikator i deltagarnas NNS-enkäter, vet ej inte medräknat.",
        f"Antal under {context.suppression.k} visas inte.",
    ))]


def _year_figures(active: Sequence[EnrolmentFacts], period: Period,
                  forms: RegistrationForms | None, nns: Share, has_nns: bool,
                  suppression: Suppression) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    if forms is not None:
        figures[DELTAGARE.id] = small_count(len(distinct(active)), suppression)
        figures[NYA.id] = small_count(len(distinct(started_in(active, period))), suppression)
        figures[AVSLUTADE.id] = small_count(len(ended_in(active, period)), suppression)
        figures[ANDEL_TILL_ARBETE_ELLER_STUDIER.id] = replace(share_figure_of(
            to_work_or_studies_share(active, period, forms), suppression), kind=Kind.SHARE)
    if has_nns:
        figures[NNS_POSITIVE.id] = replace(share_figure(_tallied(nns), suppression),
                                           kind=Kind.SHARE)
    return figures


def _unit(period: Period) -> str:
    """What the report's period is called in a title: "år" for a calendar year."""
    return "år" if _is_year(period) else "period"


def _is_year(period: Period) -> bool:
    start, end = period.start, period.end
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and (
        start.year == end.year)


def _period_key(period: Period) -> str:
    return _period_label(period).replace("–", "--")


def _period_label(period: Period) -> str:
    """"2025" for a calendar year, else "2025-01-01–2025-06-30"."""
    if _is_year(period):
        return str(period.start.year)
    return f"{period.start.isoformat()}–{period.end.isoformat()}"


# --- samhällsnytta ------------------------------------------------------------------------


def samhallsnytta_table(context: SummaryContext) -> list[Table]:
    """The saving per month and the återbetalningstid, as the part Samhällsnytta works
    them out and suppresses them; none without a price list."""
    line = samhallsnytta.summary_line(context.inputs.enrolments, context.period, context.forms,
                                      context.inputs.samhallsnytta, context.suppression)
    if line is None:
        return []
    rows = (_row(BESPARING_PER_MANAD, replace(line.monthly, kind=Kind.KRONOR), line.n,
                 line.monthly_words),
            _row(ATERBETALNINGSTID, line.payback, line.n, line.payback_words))
    if line.monthly.suppressed is None:
        sentence = (f"Samhällsnytta: {line.monthly_words}, återbetalningstid "
                    f"{line.payback_words}; {_deltagare_words(line.n)}.")
    else:
        sentence = f"Samhällsnytta: {line.monthly_words}."
    columns = (Column("varde", "Värde", Kind.COUNT), Column("n", "Antal deltagare (n)",
                                                            Kind.COUNT),
               Column("text", "I text", Kind.TEXT))
    return [Table(SAMHALLSNYTTA_TABLE, "Samhällsnytta i korthet", columns, rows, notes=(
        sentence,
        "Besparing per månad: genomsnittet över horisonten, efter dödvikt, vid varaktighet "
        "100 %. Återbetalningstid: i månader efter avslut. Mer i delen Samhällsnytta.",
        samhallsnytta.GROSS_EFFECT,
    ))]


def _deltagare_words(n: Figure) -> str:
    shown = n.shown
    return (f"{format_count(shown)} deltagare" if isinstance(shown, int)
            else f"{shown} deltagare")


#: The summary's tables in the order they are read.
SUMMARY_BUILDERS: tuple[SummaryBuilder, ...] = (
    key_figure_table, goal_tables, samhallsnytta_table, largest_changes_table,
    rating_changes_table, trend_table,
)

