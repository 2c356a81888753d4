"""Tables from the registration forms: deltagare, background, exits, results, before/after.

The rules are those of förbund reports (INSTRUMENTS.md, "Report rules"): a period is
inclusive; background counts those who *started* in it; exit tables count those who
*ended* in it, with trial-period exits as their own row; the results table leaves trial
exits out; before/after tables count sources (one deltagare may have several).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from enkat.instruments import Item
from enkat.instruments.roles import RegistrationForms
from enkat.instruments.timepoints import timepoint_words
from enkat.scoring.suppression import Link, Suppression

from .figures import (
    Grid,
    count_of,
    counted_column,
    counted_grid,
    counted_grids,
    derived,
    share_of,
    shown_count,
    small_count,
)
from .goals import Share
from .inputs import Answers, EnrolmentFacts
from .model import Column, Figure, Kind, Row, Table
from .period import Period

#: The row of those without an answer (a report's own row, not an answer code).
MISSING = "uppgift-saknas"
MISSING_LABEL = "Uppgift saknas"
TOTAL_LABEL = "Slutsumma"
TRIAL_ROW = "Utskrivning inom prövotid"
T = TypeVar("T")


def kon_codes(forms: RegistrationForms) -> tuple[str, ...]:
    """The kön columns: every code of the starting form's kön item."""
    return forms.kon.codes if forms.kon else ()


def kon_of(enrolment: EnrolmentFacts, forms: RegistrationForms) -> str:
    """Kön as the inskrivning gave it; without an answer, the declared code for unknown."""
    values = enrolment.inskrivning.get(forms.kon.id) if forms.kon else None
    return values[0] if values else (forms.kon_unknown or MISSING)


def _first(answers: Answers | None, item_id: str | None) -> str | None:
    values = (answers or {}).get(item_id) if item_id else None
    return values[0] if values else None


def started_in(enrolments: Iterable[EnrolmentFacts], period: Period) -> list[EnrolmentFacts]:
    return [e for e in enrolments if period.contains(e.started_on)]


def ended_in(enrolments: Iterable[EnrolmentFacts], period: Period) -> list[EnrolmentFacts]:
    return [e for e in enrolments if period.contains(e.ended_on)]


def ended_after_trial(enrolments: Iterable[EnrolmentFacts],
                      period: Period) -> list[EnrolmentFacts]:
    """Those who ended in the period, but not within their trial period."""
    return [e for e in ended_in(enrolments, period) if not e.ended_in_trial_period]


def ongoing_at_end(enrolments: Iterable[EnrolmentFacts], period: Period) -> list[EnrolmentFacts]:
    return [e for e in enrolments if e.ended_on is None or e.ended_on > period.end]


# --- small builders ----------------------------------------------------------------------


def kon_columns(forms: RegistrationForms) -> list[Column]:
    return [Column(code, _kon_label(forms, code), Kind.COUNT) for code in kon_codes(forms)]


def _kon_label(forms: RegistrationForms, code: str) -> str:
    return forms.kon.code_label(code) if forms.kon else code


def labelled_codes(item: Item, extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(code, label) of every code of the item in its order, then the extra rows."""
    return [(code, item.code_label(code)) for code in item.codes] + list(extra)


def frequency_rows(labelled: Sequence[tuple[str, str]], counts: Counter[str],
                   suppression: Suppression) -> list[Row]:
    """Count and share per code, and the Slutsumma row, suppressed as one column."""
    column = counted_column([counts[code] for code, _ in labelled], suppression)
    rows = [Row(label, (count, share))
            for (_, label), count, share in zip(labelled, column.counts, column.shares,
                                                strict=True)]
    rows.append(Row(TOTAL_LABEL, (column.total, column.total_share), is_total=True))
    return rows


def by_kon_counts(labelled: Sequence[tuple[str, str]],
                  by_kon: Mapping[str, Counter[str]]) -> list[list[int]]:
    """Codes (rows) × kön (columns)."""
    return [[by_kon[kon][code] for kon in by_kon] for code, _ in labelled]


def by_kon_rows(labelled: Sequence[tuple[str, str]], grid: Grid) -> list[Row]:
    """Codes × kön with Totalt and Andel, and Slutsumma, from their suppressed grid."""
    rows = [Row(label, (*cells, total, share))
            for (_, label), cells, total, share in zip(labelled, grid.cells, grid.row_totals,
                                                       grid.row_shares, strict=True)]
    grand = count_of(grid.grand_total)
    total_share = share_of(grand, grand, shown_count(grid.grand_total),
                           shown_count(grid.grand_total))
    rows.append(Row(TOTAL_LABEL, (*grid.column_totals, grid.grand_total, total_share),
                    is_total=True))
    return rows


def distinct(enrolments: Iterable[EnrolmentFacts]) -> dict[int, EnrolmentFacts]:
    """One enrolment per deltagare (the latest started), so each person counts once."""
    chosen: dict[int, EnrolmentFacts] = {}
    for enrolment in sorted(enrolments, key=lambda e: e.started_on):
        chosen[enrolment.participant_id] = enrolment
    return chosen


# --- the tables --------------------------------------------------------------------------


#: The columns of the deltagare table that split its deltagare: each has ended after or
#: within the trial period, or goes on at the end.
_COURSE_COLUMNS = ("avslutade", "avslutade-provotid", "pagaende")
TRIAL = "provotid"


@dataclass(frozen=True)
class Courses:
    """Where the period's deltagare went, as three tables count them: the deltagare
    table (kön × ended, ended within the trial period, ongoing), the exit reasons
    (reasons and the trial row × kön) and the results (reasons × kön, trial exits left
    out).

    They count the same people: the trial exits of one are the trial row of the other,
    the ended by kön are the exit reasons' column totals, the results are the exit
    reasons without the trial row. Suppressed one table at a time, a count hidden in one
    followed from the others (3 trial exits hidden in the deltagare table, but 19 ended
    after the trial there and 22 ended in the exit reasons' total). So they are
    suppressed as one problem, with those equations (`counted_grids`).
    """

    deltagare: Grid
    exits: Grid | None  # without a declared exit reason, no exit tables
    results: Grid | None


def courses(enrolments: Sequence[EnrolmentFacts], period: Period, forms: RegistrationForms,
            suppression: Suppression) -> Courses:
    kons = kon_codes(forms)
    ended = ended_in(enrolments, period)
    groups = dict(zip(_COURSE_COLUMNS, (
        [e for e in ended if not e.ended_in_trial_period],
        [e for e in ended if e.ended_in_trial_period],
        ongoing_at_end(enrolments, period)), strict=True))
    counts = {key: Counter(kon_of(e, forms) for e in distinct(group).values())
              for key, group in groups.items()}
    deltagare = [[counts[key][kon] for key in _COURSE_COLUMNS] for kon in kons]
    if forms.exit_reason is None:
        return Courses(counted_grid(deltagare, suppression), None, None)
    exits = by_kon_counts(_exit_rows(forms), _by_kon(ended, forms, _exit_row_of(forms)))
    deltagare_grid, exits_grid = counted_grids(
        [deltagare, exits], _course_links(deltagare, exits), suppression)
    return Courses(deltagare_grid, exits_grid, _results(deltagare_grid, exits_grid))


def _exit_rows(forms: RegistrationForms) -> list[tuple[str, str]]:
    return labelled_codes(_exit_reason(forms), [(TRIAL, TRIAL_ROW), (MISSING, MISSING_LABEL)])


def _result_rows(forms: RegistrationForms) -> list[tuple[str, str]]:
    return labelled_codes(_exit_reason(forms), [(MISSING, MISSING_LABEL)])


def _exit_row_of(forms: RegistrationForms) -> Callable[[EnrolmentFacts], str]:
    """A trial exit's row is the trial row, whatever reason it gave."""
    return lambda e: TRIAL if e.ended_in_trial_period else exit_reason_of(e, forms)


def _by_kon(enrolments: Iterable[EnrolmentFacts], forms: RegistrationForms,
            classify: Callable[[EnrolmentFacts], str]) -> dict[str, Counter[str]]:
    return {kon: Counter(classify(e) for e in enrolments if kon_of(e, forms) == kon)
            for kon in kon_codes(forms)}


def _trial_row(exits: Sequence[object]) -> int:
    return len(exits) - 2  # the exit rows end with the trial row, then missing


def _course_links(deltagare: list[list[int]], exits: list[list[int]]) -> list[Link]:
    """The equations between the deltagare table and the exit reasons (places in each
    table with its totals): a kön's trial exits are the same people in both, and so are
    all who ended.

    The deltagare table counts each person once, the exit reasons each enrolment:
    someone who ended twice in the period makes a kön's figures differ, and that kön's
    equations then do not hold, so no reader can use them either; they are left out.
    """
    trial_row, total_row = _trial_row(exits), len(exits)
    links = []
    for kon, (after, trial, _) in enumerate(deltagare):
        exit_column = [row[kon] for row in exits]
        if trial == exit_column[trial_row]:
            links.append(Link(((0, kon, 1),), (1, trial_row, kon)))
        if after + trial == sum(exit_column):
            links.append(Link(((0, kon, 0), (0, kon, 1)), (1, total_row, kon)))
    return links


def _results(deltagare: Grid, exits: Grid) -> Grid:
    """The results grid, made of figures the other two tables show, so that it tells a
    reader nothing they do not: the exit reasons without the trial row, and as totals
    the deltagare table's ended after the trial period (or, where someone ended twice,
    the exit reasons' total less the trial row, hidden when either is)."""
    trial_row = _trial_row(exits.cells)

    def without_trial(rows: Sequence[T]) -> tuple[T, ...]:
        return tuple(rows[:trial_row]) + tuple(rows[trial_row + 1:])

    def after_trial(of_ended: Figure, of_trial: Figure, in_deltagare: Figure) -> Figure:
        value = count_of(of_ended) - count_of(of_trial)
        if value == count_of(in_deltagare):
            return in_deltagare
        return derived(value, [of_ended, of_trial], n=value)

    column_totals = tuple(
        after_trial(total, trial, row[0]) for total, trial, row in
        zip(exits.column_totals, exits.cells[trial_row], deltagare.cells, strict=True))
    grand = after_trial(exits.grand_total, exits.row_totals[trial_row],
                        deltagare.column_totals[0])
    row_totals = without_trial(exits.row_totals)
    return Grid(
        cells=without_trial(exits.cells), row_totals=row_totals,
        column_totals=column_totals, grand_total=grand,
        row_shares=tuple(share_of(count_of(total), count_of(grand), shown_count(total),
                                  shown_count(grand)) for total in row_totals))


def deltagare_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                    forms: RegistrationForms, suppression: Suppression,
                    counted: Courses | None = None) -> Table:
    """Unique, new, ended (trial exits apart) and ongoing deltagare, by kön.

    Ended, ended within the trial period and ongoing add up to the unique deltagare, so
    they are suppressed as one grid with the unique count as its row totals: suppressed
    column by column, a hidden count would follow from the others in its row. The grid
    is suppressed together with the exit tables (`Courses`)."""
    counted = counted or courses(enrolments, period, forms, suppression)
    kons = kon_codes(forms)
    people = {"unika": distinct(enrolments), "nya": distinct(started_in(enrolments, period))}
    counts = {key: Counter(kon_of(e, forms) for e in group.values())
              for key, group in people.items()}
    grid = counted.deltagare
    unique = [_hidden_as(counts["unika"][kon], total, suppression)
              for kon, total in zip(kons, grid.row_totals, strict=True)]
    new = counted_column([counts["nya"][kon] for kon in kons], suppression)
    columns = (
        Column("unika", "Unika deltagare", Kind.COUNT),
        Column("nya", "Nya", Kind.COUNT),
        Column("avslutade", "Avslutade", Kind.COUNT),
        Column("avslutade-provotid", "Avslutade inom prövotid", Kind.COUNT),
        Column("pagaende", "Pågående vid periodens slut", Kind.COUNT),
    )
    rows = [Row(_kon_label(forms, kon), (unique[index], new.counts[index], *cells))
            for index, (kon, cells) in enumerate(zip(kons, grid.cells, strict=True))]
    rows.append(Row(TOTAL_LABEL, (
        _hidden_as(sum(counts["unika"][kon] for kon in kons), grid.grand_total, suppression),
        new.total, *grid.column_totals), is_total=True))
    return Table("deltagare", "Deltagare", columns, tuple(rows), notes=(
        "Unika deltagare: deltagare inskrivna någon dag under perioden, var och en en gång.",
        "Avslutade inom prövotid redovisas för sig och ingår inte i Avslutade.",
        "Kön enligt inskrivningen.",
    ))


def _hidden_as(value: int, total: Figure, suppression: Suppression) -> Figure:
    """A count hidden wherever the total it stands for is (a deltagare who ended and
    started again within the period counts once here, in both courses there), and
    whenever it is small itself."""
    if total.suppressed is not None:
        return Figure(value, n=value, suppressed=total.suppressed)
    return small_count(value, suppression)


def background_tables(enrolments: Sequence[EnrolmentFacts], period: Period,
                      forms: RegistrationForms, suppression: Suppression) -> list[Table]:
    """A table per background item the starting form declares (åldersgrupp, utbildning,
    tid i offentlig försörjning), of those who started."""
    started = list(distinct(started_in(enrolments, period)).values())
    tables = []
    for entry in forms.background:
        item = forms.starts.item(entry.item)
        title = (entry.title or item.text).get("sv")
        tables.append(_single_answer_table(f"bakgrund-{item.id}", title, item,
                                           [e.inskrivning for e in started], suppression))
    return tables


def _single_answer_table(table_id: str, title: str, item: Item,
                         answers: Sequence[dict[str, tuple[str, ...]]],
                         suppression: Suppression) -> Table:
    counts = Counter((a.get(item.id) or (MISSING,))[0] for a in answers)
    columns = (Column("antal", "Antal", Kind.COUNT), Column("andel", "Andel", Kind.SHARE))
    rows = frequency_rows(labelled_codes(item, [(MISSING, MISSING_LABEL)]), counts, suppression)
    return Table(table_id, title, columns, tuple(rows), notes=(
        "Deltagare som skrevs in under perioden; andelar av dem.",
    ))


def exit_reason_table(forms: RegistrationForms, counted: Courses) -> Table:
    """Everyone who ended, by kön; trial-period exits form their own row."""
    assert counted.exits is not None  # built when the forms declare an exit reason
    return _by_kon_table(
        _exit_reason(forms).id, "Avslutsanledning", forms, _exit_rows(forms), counted.exits,
        notes=("Alla som avslutades under perioden. Den som avslutades inom prövotiden "
               "redovisas på raden Utskrivning inom prövotid, oavsett angiven anledning.",),
    )


def results_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                  forms: RegistrationForms, suppression: Suppression,
                  counted: Courses) -> Table:
    """Exit reasons of those who ended after the trial period, plus the summary rows."""
    grid = counted.results
    assert grid is not None  # built when the forms declare an exit reason
    table = _by_kon_table(
        "resultat", "Resultat för avslutade", forms, _result_rows(forms), grid,
        notes=("Avslutade under perioden, utom de som avslutades inom prövotiden.",
               f"Till arbete eller studier: avslutsanledning {_work_words(forms)}.",
               "Aktivt arbetssökande: sysselsättning vid avslut omfattar aktivt arbetssökande "
               "och avslutsanledningen är varken arbete eller studier."),
    )
    codes = [code for code, _ in _result_rows(forms)]
    work_rows = [grid.cells[codes.index(code)] + (grid.row_totals[codes.index(code)],)
                 for code in forms.to_work_or_studies]
    summary = [_sum_row("Till arbete eller studier (summa)", work_rows, grid.grand_total)]
    if forms.ends.results.seeking_work is not None:
        summary.append(_independent_row(
            "Aktivt arbetssökande enligt sysselsättning",
            ended_after_trial(enrolments, period), forms,
            lambda e: seeking_work(e, forms), grid.grand_total, suppression))
    return Table(table.id, table.title, table.columns,
                 (*table.rows[:-1], *summary, table.rows[-1]), table.notes)


def _exit_reason(forms: RegistrationForms) -> Item:
    item = forms.exit_reason
    assert item is not None  # the tables of exit reasons are built only when it is declared
    return item


def exit_reason_of(enrolment: EnrolmentFacts, forms: RegistrationForms) -> str:
    """The exit reason the avslut gave, or MISSING."""
    item = forms.exit_reason
    return _first(enrolment.avslut, item.id if item else None) or MISSING


def to_work_or_studies(enrolment: EnrolmentFacts, forms: RegistrationForms) -> bool:
    """Whether the enrolment ended with a reason that counts as to work or studies."""
    return exit_reason_of(enrolment, forms) in forms.to_work_or_studies


def to_work_or_studies_share(enrolments: Iterable[EnrolmentFacts], period: Period,
                             forms: RegistrationForms) -> Share:
    """The goal indicator: of those who ended after the trial period, the share whose
    exit reason counts as to work or studies."""
    ended = ended_after_trial(enrolments, period)
    return Share(sum(1 for e in ended if to_work_or_studies(e, forms)), len(ended))


def seeking_work(enrolment: EnrolmentFacts, forms: RegistrationForms) -> bool:
    """Actively seeking work at the exit, by the declared item, and not to work or studies."""
    declared = forms.ends.results.seeking_work
    return (declared is not None
            and declared.code in (enrolment.avslut or {}).get(declared.item, ())
            and not to_work_or_studies(enrolment, forms))


def _work_words(forms: RegistrationForms) -> str:
    item = _exit_reason(forms)
    return " eller ".join(item.code_label(code).lower() for code in forms.to_work_or_studies)


def _by_kon_table(table_id: str, title: str, forms: RegistrationForms,
                  labelled: Sequence[tuple[str, str]], grid: Grid, *,
                  notes: tuple[str, ...]) -> Table:
    columns = (*kon_columns(forms), Column("totalt", "Totalt", Kind.COUNT),
               Column("andel", "Andel", Kind.SHARE))
    return Table(table_id, title, tuple(columns), tuple(by_kon_rows(labelled, grid)), notes)


def _sum_row(label: str, rows: Sequence[Sequence[Figure]], whole: Figure) -> Row:
    """The cell-by-cell sum of table rows (kön columns and Totalt), with its share."""
    sums = [derived(sum(count_of(f) for f in column), column,
                    n=sum(count_of(f) for f in column))
            for column in zip(*rows, strict=True)]
    total = sums[-1]
    share = derived(count_of(total) / count_of(whole) if whole.value else None,
                    [total, whole], n=count_of(whole))
    return Row(label, (*sums, share))


def _independent_row(label: str, enrolments: Sequence[EnrolmentFacts], forms: RegistrationForms,
                     test: Callable[[EnrolmentFacts], bool], whole: Figure,
                     suppression: Suppression) -> Row:
    """Counts of a property that cuts across the rows: only the primary rule applies."""
    figures = [small_count(sum(1 for e in enrolments if kon_of(e, forms) == kon and test(e)),
                           suppression)
               for kon in kon_codes(forms)]
    total = small_count(sum(1 for e in enrolments if test(e)), suppression)
    share = derived(count_of(total) / count_of(whole) if whole.value else None,
                    [total, whole], n=count_of(whole))
    return Row(label, (*figures, total, share))


def before_after_tables(enrolments: Sequence[EnrolmentFacts], period: Period,
                        forms: RegistrationForms, suppression: Suppression) -> list[Table]:
    """Each item the ending form compares with the start (försörjning, sysselsättning):
    at inskrivning and at avslut, in total and by kön.

    Everyone who ended in the period counts, trial exits included. A deltagare without
    an answer counts once as "uppgift saknas"; shares are of all sources in the column.
    """
    ended = ended_in(enrolments, period)
    tables = []
    for entry in forms.before_after:
        item = forms.starts.item(entry.item)
        title = (entry.title or item.text).get("sv")
        tables.append(_before_after(item.id, title, item, ended, suppression))
        for kon in kon_codes(forms):
            group = [e for e in ended if kon_of(e, forms) == kon]
            tables.append(_before_after(f"{item.id}-{kon}",
                                        f"{title}: {_kon_label(forms, kon).lower()}",
                                        item, group, suppression))
    return tables


def _before_after(table_id: str, title: str, item: Item,
                  enrolments: Sequence[EnrolmentFacts], suppression: Suppression) -> Table:
    labelled = labelled_codes(item, [(MISSING, MISSING_LABEL)])
    before = _sources(item.id, (e.inskrivning for e in enrolments))
    after = _sources(item.id, (e.avslut or {} for e in enrolments))
    before_column = counted_column([before[code] for code, _ in labelled], suppression)
    after_column = counted_column([after[code] for code, _ in labelled], suppression)
    rows = [
        _change_row(label, *figures)
        for (_, label), *figures in zip(labelled, before_column.counts, before_column.shares,
                                        after_column.counts, after_column.shares, strict=True)
    ]
    rows.append(_change_row(TOTAL_LABEL, before_column.total, before_column.total_share,
                            after_column.total, after_column.total_share, is_total=True))
    columns = (
        Column("fore", "Före", Kind.COUNT), Column("andel-fore", "Andel före", Kind.SHARE),
        Column("efter", "Efter", Kind.COUNT), Column("andel-efter", "Andel efter", Kind.SHARE),
        Column("forandring", "Förändring", Kind.CHANGE),
        Column("forandring-procent", "Förändring %", Kind.SHARE),
    )
    return Table(table_id, title, columns, tuple(rows), notes=(
        f"Deltagare som avslutades under perioden, prövotid medräknad ({len(enrolments)}).",
        "Före: vid inskrivning. Efter: vid avslut. En deltagare kan ha flera källor; "
        "andelarna är av alla källor i kolumnen.",
        "Förändring % = (efter − före) / före; tom när före är 0.",
    ))


def _sources(item_id: str, answer_sets: Iterable[dict[str, tuple[str, ...]]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for answers in answer_sets:
        counts.update(answers.get(item_id) or (MISSING,))
    return counts


def _change_row(label: str, before: Figure, before_share: Figure, after: Figure,
                after_share: Figure, *, is_total: bool = False) -> Row:
    change = count_of(after) - count_of(before)
    percent = change / count_of(before) if before.value else None
    return Row(label, (
        before, before_share, after, after_share,
        derived(change, [before, after], n=count_of(before)),
        derived(percent, [before, after], n=count_of(before)),
    ), is_total=is_total)


NOT_FOLLOWED_UP = "ej-uppfoljd"


def follow_up_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                    forms: RegistrationForms, suppression: Suppression) -> Table:
    """Those who ended in the period: situation at exit beside each follow-up after it
    (the follow-up form's timepoints, 6 and 18 months for Finsam)."""
    assert forms.follow_up is not None and forms.follow_up.results.situation is not None
    situation = forms.follow_up.results.situation
    item = forms.follow_up.item(situation.item)
    follow_ups = [timepoint for timepoint in forms.follow_up.timepoints if "{n}" not in timepoint]
    ended = ended_after_trial(enrolments, period)
    columns_counts = {"avslut": Counter(
        situation.of_exit_reason(exit_reason_of(e, forms)) or MISSING for e in ended)}
    for timepoint in follow_ups:
        columns_counts[timepoint] = Counter(
            _first(e.follow_ups.get(timepoint), item.id) or NOT_FOLLOWED_UP for e in ended)
    labelled = labelled_codes(item, [(MISSING, MISSING_LABEL),
                                     (NOT_FOLLOWED_UP, "Ingen uppföljning registrerad")])
    suppressed = [counted_column([counts[code] for code, _ in labelled], suppression)
                  for counts in columns_counts.values()]
    rows = [Row(label, tuple(f for column in suppressed
                             for f in (column.counts[index], column.shares[index])))
            for index, (_, label) in enumerate(labelled)]
    rows.append(Row(TOTAL_LABEL, tuple(f for column in suppressed
                                       for f in (column.total, column.total_share)),
                    is_total=True))
    columns = [Column("avslut", "Vid avslut", Kind.COUNT),
               Column("andel-avslut", "Andel vid avslut", Kind.SHARE)]
    for timepoint in follow_ups:
        label = timepoint_words(timepoint)
        columns += [Column(timepoint, label, Kind.COUNT),
                    Column(f"andel-{timepoint}", f"Andel {label.lower()}", Kind.SHARE)]
    return Table("uppfoljning", "Uppföljning efter avslut", tuple(columns), tuple(rows), notes=(
        "Avslutade under perioden, utom prövotid. Vid avslut: avslutsanledningen i "
        "uppföljningens kategorier (arbete, studier och aktivt arbetssökande tillsammans).",
        "Uppföljningar som registrerats fram till rapportens datum räknas.",
    ))


def registration_tables(enrolments: Sequence[EnrolmentFacts], period: Period,
                        forms: RegistrationForms, suppression: Suppression) -> list[Table]:
    """Every registration table the forms declare, with small counts suppressed."""
    counted = courses(enrolments, period, forms, suppression)
    exits = ([exit_reason_table(forms, counted),
              results_table(enrolments, period, forms, suppression, counted)]
             if forms.exit_reason is not None else [])
    follow_up = forms.follow_up
    return [
        deltagare_table(enrolments, period, forms, suppression, counted),
        *background_tables(enrolments, period, forms, suppression),
        *exits,
        *before_after_tables(enrolments, period, forms, suppression),
        *([follow_up_table(enrolments, period, forms, suppression)]
          if follow_up is not None and follow_up.results.situation is not None else []),
    ]


def insatser_table(enrolments: Sequence[EnrolmentFacts], period: Period,
                   names: Mapping[int, str], forms: RegistrationForms,
                   suppression: Suppression) -> Table:
    """The förbund's insatser side by side: deltagare and results of each."""
    by_insats: dict[int, list[EnrolmentFacts]] = {insats_id: [] for insats_id in names}
    for enrolment in enrolments:
        by_insats.setdefault(enrolment.insats_id, []).append(enrolment)

    def per_insats(select: Callable[[list[EnrolmentFacts]], int]) -> list[int]:
        return [select(by_insats[insats_id]) for insats_id in names]

    counts = {
        "unika": per_insats(lambda group: len(distinct(group))),
        "nya": per_insats(lambda group: len(distinct(started_in(group, period)))),
        "avslutade": per_insats(lambda group: len(ended_after_trial(group, period))),
        "arbete-studier": per_insats(lambda group: sum(
            1 for e in ended_after_trial(group, period) if to_work_or_studies(e, forms))),
        "pagaende": per_insats(lambda group: len(ongoing_at_end(group, period))),
    }
    suppressed = {key: counted_column(values, suppression) for key, values in counts.items()}
    ended, to_work = suppressed["avslutade"], suppressed["arbete-studier"]
    rows = []
    for index, name in enumerate(names.values()):
        share = share_of(counts["arbete-studier"][index], counts["avslutade"][index],
                         shown_count(to_work.counts[index]), shown_count(ended.counts[index]))
        rows.append(Row(name, (*(column.counts[index] for column in suppressed.values()),
                               share)))
    total_share = share_of(count_of(to_work.total), count_of(ended.total),
                           shown_count(to_work.total), shown_count(ended.total))
    rows.append(Row("Summa insatser", (*(column.total for column in suppressed.values()),
                                      total_share), is_total=True))
    columns = (
        Column("unika", "Unika deltagare", Kind.COUNT), Column("nya", "Nya", Kind.COUNT),
        Column("avslutade", "Avslutade efter prövotid", Kind.COUNT),
        Column("arbete-studier", "Till arbete eller studier", Kind.COUNT),
        Column("pagaende", "Pågående vid periodens slut", Kind.COUNT),
        Column("andel-arbete-studier", "Andel till arbete eller studier", Kind.SHARE),
    )
    return Table("insatser", "Insatserna sida vid sida", columns, tuple(rows), notes=(
        "En deltagare som varit i flera insatser räknas i var och en, så summan kan vara "
        "större än förbundets antal unika deltagare.",
    ))
