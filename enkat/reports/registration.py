"""Tables from the registration forms: deltagare, background, exits, results, before/after.

The rules are those of förbund reports (INSTRUMENTS.md, "Report rules"): a period is
inclusive; background counts those who *started* in it; exit tables count those who
*ended* in it, with trial-period exits as their own row; the results table leaves trial
exits out; before/after tables count sources (one deltagare may have several).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from enkat.instruments import Instrument, Item

from .inputs import EnrolmentFacts
from .model import Column, Figure, Kind, Row, Table
from .period import Period

MISSING = "uppgift-saknas"
MISSING_LABEL = "Uppgift saknas"
TOTAL_LABEL = "Slutsumma"
TRIAL_ROW = "Utskrivning inom prövotid"
TO_WORK_OR_STUDIES = ("arbete", "studier")
SEEKING_WORK = "aktivt-arbetssokande"


@dataclass(frozen=True)
class RegistrationForms:
    """The instruments whose items and labels the tables follow."""

    inskrivning: Instrument
    avslut: Instrument
    uppfoljning: Instrument

    @property
    def kon(self) -> Item:
        return self.inskrivning.item("kon")


def kon_of(enrolment: EnrolmentFacts) -> str:
    return enrolment.kon or MISSING


def started_in(enrolments: Iterable[EnrolmentFacts], period: Period) -> list[EnrolmentFacts]:
    return [e for e in enrolments if period.contains(e.started_on)]


def ended_in(enrolments: Iterable[EnrolmentFacts], period: Period) -> list[EnrolmentFacts]:
    return [e for e in enrolments if period.contains(e.ended_on)]


def ongoing_at_end(enrolments: Iterable[EnrolmentFacts], period: Period) -> list[EnrolmentFacts]:
    return [e for e in enrolments if e.ended_on is None or e.ended_on > period.end]


# --- small builders ----------------------------------------------------------------------


def count(value: int) -> Figure:
    return Figure(value, n=value)


def share(part: int, whole: int) -> Figure:
    """A share of `whole`; empty when there is nothing to divide by."""
    return Figure(part / whole if whole else None, n=whole)


def kon_columns(forms: RegistrationForms) -> list[Column]:
    return [Column(code, forms.kon.code_label(code), Kind.COUNT) for code in forms.kon.codes]


def code_rows(item: Item, counts: Counter[str], total: int, *, by_kon: dict[str, Counter[str]]
              | None = None, extra: Sequence[tuple[str, str]] = ()) -> list[Row]:
    """One row per code of `item` (then `extra` (code, label) rows), count and share."""
    rows = []
    labelled = [(code, item.code_label(code)) for code in item.codes] + list(extra)
    for code, label in labelled:
        kon_figures = [count(by_kon[kon][code]) for kon in by_kon] if by_kon else []
        rows.append(Row(label, (*kon_figures, count(counts[code]), share(counts[code], total))))
    kon_totals = [count(sum(by_kon[kon].values())) for kon in by_kon] if by_kon else []
    rows.append(Row(TOTAL_LABEL, (*kon_totals, count(total), share(total, total)),
                    is_total=True))
    return rows


def _distinct(enrolments: Iterable[EnrolmentFacts]) -> dict[int, EnrolmentFacts]:
    """One enrolment per deltagare (the latest started), so each person counts once."""
    chosen: dict[int, EnrolmentFacts] = {}
    for enrolment in sorted(enrolments, key=lambda e: e.started_on):
        chosen[enrolment.participant_id] = enrolment
    return chosen


# --- the tables --------------------------------------------------------------------------


def deltagare_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                    forms: RegistrationForms) -> Table:
    """Unique, new, ended (trial exits apart) and ongoing deltagare, by kön."""
    ended = ended_in(enrolments, period)
    groups: dict[str, list[EnrolmentFacts]] = {
        "unika": list(enrolments),
        "nya": started_in(enrolments, period),
        "avslutade": [e for e in ended if not e.ended_in_trial_period],
        "avslutade-provotid": [e for e in ended if e.ended_in_trial_period],
        "pagaende": ongoing_at_end(enrolments, period),
    }
    columns = (
        Column("unika", "Unika deltagare", Kind.COUNT),
        Column("nya", "Nya", Kind.COUNT),
        Column("avslutade", "Avslutade", Kind.COUNT),
        Column("avslutade-provotid", "Avslutade inom prövotid", Kind.COUNT),
        Column("pagaende", "Pågående vid periodens slut", Kind.COUNT),
    )
    by_kon = {key: Counter(kon_of(e) for e in _distinct(group).values())
              for key, group in groups.items()}
    rows = [Row(forms.kon.code_label(kon), tuple(count(by_kon[key][kon]) for key in groups))
            for kon in forms.kon.codes]
    rows.append(Row(TOTAL_LABEL, tuple(count(sum(by_kon[key].values())) for key in groups),
                    is_total=True))
    return Table("deltagare", "Deltagare", columns, tuple(rows), notes=(
        "Unika deltagare: deltagare inskrivna någon dag under perioden, var och en en gång.",
        "Avslutade inom prövotid redovisas för sig och ingår inte i Avslutade.",
        "Kön enligt inskrivningen.",
    ))


def background_tables(enrolments: Sequence[EnrolmentFacts], period: Period,
                      forms: RegistrationForms) -> list[Table]:
    """Åldersgrupp, utbildning and tid i offentlig försörjning of those who started."""
    started = list(_distinct(started_in(enrolments, period)).values())
    return [
        _single_answer_table(f"bakgrund-{item_id}", title, forms.inskrivning.item(item_id),
                             [e.inskrivning for e in started])
        for item_id, title in (
            ("aldersgrupp", "Åldersgrupp vid inskrivning"),
            ("utbildning", "Utbildning vid inskrivning"),
            ("tid-offentlig-forsorjning", "Tid i offentlig försörjning vid inskrivning"),
        )
    ]


def _single_answer_table(table_id: str, title: str, item: Item,
                         answers: Sequence[dict[str, tuple[str, ...]]]) -> Table:
    counts = Counter((a.get(item.id) or (MISSING,))[0] for a in answers)
    columns = (Column("antal", "Antal", Kind.COUNT), Column("andel", "Andel", Kind.SHARE))
    rows = code_rows(item, counts, len(answers), extra=[(MISSING, MISSING_LABEL)])
    return Table(table_id, title, columns, tuple(rows), notes=(
        "Deltagare som skrevs in under perioden; andelar av dem.",
    ))


def exit_reason_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                      forms: RegistrationForms) -> Table:
    """Everyone who ended, by kön; trial-period exits form their own row."""
    ended = ended_in(enrolments, period)
    return _by_kon_table(
        "avslutsanledning", "Avslutsanledning", ended, forms,
        item=forms.avslut.item("avslutsanledning"), classify=_reason_or_trial,
        extra=[("provotid", TRIAL_ROW), (MISSING, MISSING_LABEL)],
        notes=("Alla som avslutades under perioden. Den som avslutades inom prövotiden "
               "redovisas på raden Utskrivning inom prövotid, oavsett angiven anledning.",),
    )


def results_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                  forms: RegistrationForms) -> Table:
    """Exit reasons of those who ended after the trial period, plus the summary rows."""
    ended = [e for e in ended_in(enrolments, period) if not e.ended_in_trial_period]
    table = _by_kon_table(
        "resultat", "Resultat för avslutade", ended, forms,
        item=forms.avslut.item("avslutsanledning"), classify=_reason,
        extra=[(MISSING, MISSING_LABEL)],
        notes=("Avslutade under perioden, utom de som avslutades inom prövotiden.",
               "Till arbete eller studier: avslutsanledning arbete eller studier.",
               "Aktivt arbetssökande: sysselsättning vid avslut omfattar aktivt arbetssökande "
               "och avslutsanledningen är varken arbete eller studier."),
    )
    summary = [
        _summary_row("Till arbete eller studier (summa)", ended, forms,
                     lambda e: _reason(e) in TO_WORK_OR_STUDIES),
        _summary_row("Aktivt arbetssökande enligt sysselsättning", ended, forms,
                     _seeking_work),
    ]
    return Table(table.id, table.title, table.columns,
                 (*table.rows[:-1], *summary, table.rows[-1]), table.notes)


def _reason(enrolment: EnrolmentFacts) -> str:
    values = (enrolment.avslut or {}).get("avslutsanledning")
    return values[0] if values else MISSING


def _reason_or_trial(enrolment: EnrolmentFacts) -> str:
    return "provotid" if enrolment.ended_in_trial_period else _reason(enrolment)


def _seeking_work(enrolment: EnrolmentFacts) -> bool:
    sysselsattning = (enrolment.avslut or {}).get("sysselsattning", ())
    return SEEKING_WORK in sysselsattning and _reason(enrolment) not in TO_WORK_OR_STUDIES


def _by_kon_table(table_id: str, title: str, enrolments: Sequence[EnrolmentFacts],
                  forms: RegistrationForms, *, item: Item,
                  classify: Callable[[EnrolmentFacts], str], extra: Sequence[tuple[str, str]],
                  notes: tuple[str, ...]) -> Table:
    by_kon = {kon: Counter(classify(e) for e in enrolments if kon_of(e) == kon)
              for kon in forms.kon.codes}
    counts = Counter(classify(e) for e in enrolments)
    columns = (*kon_columns(forms), Column("totalt", "Totalt", Kind.COUNT),
               Column("andel", "Andel", Kind.SHARE))
    rows = code_rows(item, counts, len(enrolments), by_kon=by_kon, extra=extra)
    return Table(table_id, title, tuple(columns), tuple(rows), notes)


def _summary_row(label: str, enrolments: Sequence[EnrolmentFacts], forms: RegistrationForms,
                 test: Callable[[EnrolmentFacts], bool]) -> Row:
    kon_counts = [count(sum(1 for e in enrolments if kon_of(e) == kon and test(e)))
                  for kon in forms.kon.codes]
    hits = sum(1 for e in enrolments if test(e))
    return Row(label, (*kon_counts, count(hits), share(hits, len(enrolments))))


def before_after_tables(enrolments: Sequence[EnrolmentFacts], period: Period,
                        forms: RegistrationForms) -> list[Table]:
    """Försörjning and sysselsättning at inskrivning and at avslut, in total and by kön.

    Everyone who ended in the period counts, trial exits included. A deltagare without
    an answer counts once as "uppgift saknas"; shares are of all sources in the column.
    """
    ended = ended_in(enrolments, period)
    tables = []
    for item_id, title in (("forsorjning", "Försörjning före och efter"),
                           ("sysselsattning", "Sysselsättning före och efter")):
        item = forms.inskrivning.item(item_id)
        tables.append(_before_after(item_id, title, item, ended))
        for kon in forms.kon.codes:
            group = [e for e in ended if kon_of(e) == kon]
            tables.append(_before_after(f"{item_id}-{kon}",
                                        f"{title}: {forms.kon.code_label(kon).lower()}",
                                        item, group))
    return tables


def _before_after(table_id: str, title: str, item: Item,
                  enrolments: Sequence[EnrolmentFacts]) -> Table:
    before = _sources(item.id, (e.inskrivning for e in enrolments))
    after = _sources(item.id, (e.avslut or {} for e in enrolments))
    total_before, total_after = sum(before.values()), sum(after.values())
    rows = []
    for code, label in [(code, item.code_label(code)) for code in item.codes] + [
            (MISSING, MISSING_LABEL)]:
        rows.append(_change_row(label, before[code], after[code], total_before, total_after))
    rows.append(_change_row(TOTAL_LABEL, total_before, total_after, total_before, total_after,
                            is_total=True))
    columns = (
        Column("fore", "Före", Kind.COUNT), Column("andel-fore", "Andel före", Kind.SHARE),
        Column("efter", "Efter", Kind.COUNT), Column("andel-efter", "Andel efter", Kind.SHARE),
        Column("forandring", "Förändring", Kind.CHANGE),
        Column("forandring-procent", "Förändring %", Kind.SHARE),
    )
    return Table(table_id, title, columns, tuple(rows), notes=(
        f"{len(enrolments)} deltagare som avslutades under perioden, prövotid medräknad.",
        "Före: vid inskrivning. Efter: vid avslut. En deltagare kan ha flera källor; "
        "andelarna är av alla källor i kolumnen.",
        "Förändring % = (efter − före) / före; tom när före är 0.",
    ))


def _sources(item_id: str, answer_sets: Iterable[dict[str, tuple[str, ...]]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for answers in answer_sets:
        counts.update(answers.get(item_id) or (MISSING,))
    return counts


def _change_row(label: str, before: int, after: int, total_before: int, total_after: int,
                *, is_total: bool = False) -> Row:
    return Row(label, (
        count(before), share(before, total_before), count(after), share(after, total_after),
        Figure(after - before, n=before), share(after - before, before),
    ), is_total=is_total)


#: How an exit reason reads beside the follow-up's situations.
EXIT_AS_SITUATION = {
    "arbete": "arbete-studier-arbetssokande",
    "studier": "arbete-studier-arbetssokande",
    "aktivt-arbetssokande": "arbete-studier-arbetssokande",
    "fortsatt-rehabilitering": "fortsatt-rehabilitering",
    "sjukdom": "sjukdom",
    "ovrigt": "ovrigt",
    "utan-matning": "ovrigt",
}
FOLLOW_UPS = (("uppfoljning-6m", "Efter 6 månader"), ("uppfoljning-18m", "Efter 18 månader"))
NOT_FOLLOWED_UP = "ej-uppfoljd"


def follow_up_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                    forms: RegistrationForms) -> Table:
    """Those who ended in the period: situation at exit beside 6 and 18 months later."""
    ended = [e for e in ended_in(enrolments, period) if not e.ended_in_trial_period]
    item = forms.uppfoljning.item("lage")
    columns_counts = {"avslut": Counter(EXIT_AS_SITUATION.get(_reason(e), MISSING)
                                        for e in ended)}
    for timepoint, _label in FOLLOW_UPS:
        columns_counts[timepoint] = Counter(
            (e.follow_ups.get(timepoint, {}).get("lage") or (NOT_FOLLOWED_UP,))[0] for e in ended
        )
    labelled = [(code, item.code_label(code)) for code in item.codes] + [
        (MISSING, MISSING_LABEL), (NOT_FOLLOWED_UP, "Ingen uppföljning registrerad")]
    rows = [Row(label, tuple(f for key in columns_counts for f in (
        count(columns_counts[key][code]), share(columns_counts[key][code], len(ended)))))
        for code, label in labelled]
    rows.append(Row(TOTAL_LABEL, tuple(f for _ in columns_counts for f in (
        count(len(ended)), share(len(ended), len(ended)))), is_total=True))
    columns = [Column("avslut", "Vid avslut", Kind.COUNT),
               Column("andel-avslut", "Andel vid avslut", Kind.SHARE)]
    for timepoint, label in FOLLOW_UPS:
        columns += [Column(timepoint, label, Kind.COUNT),
                    Column(f"andel-{timepoint}", f"Andel {label.lower()}", Kind.SHARE)]
    return Table("uppfoljning", "Uppföljning efter avslut", tuple(columns), tuple(rows), notes=(
        "Avslutade under perioden, utom prövotid. Vid avslut: avslutsanledningen i "
        "uppföljningens kategorier (arbete, studier och aktivt arbetssökande tillsammans).",
        "Uppföljningar som registrerats fram till rapportens datum räknas.",
    ))


def registration_tables(enrolments: Sequence[EnrolmentFacts], period: Period,
                        forms: RegistrationForms) -> list[Table]:
    return [
        deltagare_table(enrolments, period, forms),
        *background_tables(enrolments, period, forms),
        exit_reason_table(enrolments, period, forms),
        results_table(enrolments, period, forms),
        *before_after_tables(enrolments, period, forms),
        follow_up_table(enrolments, period, forms),
    ]
