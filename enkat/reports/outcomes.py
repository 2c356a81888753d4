"""Outcome tables from rated instruments: ORS/SRS, SKAPA and processtrappan.

A deltagare's course runs from the first to the latest rating given up to the end of
the period, for the deltagare enrolled in it. Pre/post statistics come from
`enkat.scoring.pre_post`; change classes and stegförflyttning follow the instrument's
declared cut-off, RCI and meaningful change. Below k deltagare nothing is shown.

The database hands over each course as its two ends and its number of ratings
(`CourseEnds`), the courses per area counted by their change (`AreaChange`), and the
sessions of flagged scores (SRS) counted by their flags (`SessionFlagCounts`): a förbund
has hundreds of thousands of ratings, and these are all the tables use.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from enkat.instruments import Instrument, Score
from enkat.scoring import (
    ChangeClass,
    Course,
    PrePost,
    Proportion,
    StepClass,
    course,
    pre_post,
)
from enkat.scoring import Rating as ScoredRating
from enkat.scoring.suppression import Suppression

from .figures import counted_column, small_count
from .inputs import AreaChange, CourseEnds, SessionFlagCounts
from .model import ChartKind, Column, Figure, Kind, Row, Table

Class = TypeVar("Class", ChangeClass, StepClass)  # what class_table counts deltagare by

CHANGE_CLASS_LABELS = {
    ChangeClass.RECOVERED: "Återhämtad",
    ChangeClass.IMPROVED: "Förbättrad",
    ChangeClass.UNCHANGED: "Oförändrad",
    ChangeClass.DETERIORATED: "Försämrad",
    ChangeClass.ABOVE_CUTOFF_AT_START: "Över gränsvärdet vid start",
    ChangeClass.ONE_RATING_ONLY: "Endast en skattning",
}
STEP_CLASS_LABELS = {
    StepClass.FORWARD: "Stegförflyttning framåt",
    StepClass.NO_STEP: "Ingen stegförflyttning",
    StepClass.BACKWARD: "Tillbaka",
    StepClass.ONE_RATING_ONLY: "Endast en skattning",
}
VALUE = (Column("varde", "Värde", Kind.NUMBER),)


def course_of(ends: CourseEnds) -> Course:
    """The course `enkat.scoring.course` gives over all the ratings, from its two ends.

    First, latest and change depend on the first and the latest rating with a value
    only; the number of ratings is the database's count (``n_without_score`` is not
    known here, and no table uses it).
    """
    rated = [ScoredRating(on, value) for on, value in
             [(ends.first_on, ends.first), (ends.latest_on, ends.latest)][:ends.n_rated]
             if on is not None]
    return replace(course(rated), n_ratings=ends.n_rated)


def prepost_table(table_id: str, title: str, result: PrePost, suppression: Suppression,
                  notes: Sequence[str] = ()) -> Table:
    """n, means, mean change with its interval, tests and effect sizes, or marks below k."""
    change = result.change
    hidden = suppression.too_few(change.n)
    mark = suppression.mark

    def number(value: float | None, low: float | None = None,
               high: float | None = None, kind: Kind | None = None) -> Figure:
        if hidden:
            return Figure(value, suppressed=mark, kind=kind)
        return Figure(value, n=change.n, low=low, high=high, kind=kind)

    def p_value(value: float | None) -> Figure:
        return number(value, kind=Kind.P_VALUE)

    rows = (
        Row("Deltagare med minst två skattningar",
            (replace(small_count(change.n, suppression), kind=Kind.COUNT),)),
        Row("Medelvärde första skattningen", (number(change.mean_first),)),
        Row("Medelvärde senaste skattningen", (number(change.mean_latest),)),
        Row("Medelförändring", (number(change.mean_change.value, change.mean_change.low,
                                       change.mean_change.high),)),
        Row("p-värde, parat t-test", (p_value(change.t_test.p_value),)),
        Row("p-värde, Wilcoxons teckenrangtest", (p_value(change.wilcoxon.p_value),)),
        Row(f"Effektstorlek (förändring / {_sd_basis(change.effect_size_basis)})",
            (number(change.effect_size.value),)),
        Row("Effektstorlek d_z (förändring / SD förändringar)", (number(change.d_z.value),)),
    )
    return Table(table_id, title, VALUE, rows, notes=(
        "Förändring = senaste − första skattningen hos deltagare med minst två skattningar.",
        "Medelförändringens 95 % konfidensintervall enligt t-fördelningen. Wilcoxons "
        "teckenrangtest räknar deltagare utan förändring enligt Pratt; p-värdet "
        f"beräknas {_wilcoxon_method(change.wilcoxon.method)}.",
        f"Under {suppression.k} deltagare visas inga värden.",
        *notes,
    ))


def _sd_basis(basis: str) -> str:
    return "SD första" if basis == "first_scores" else "normativ SD"


def _wilcoxon_method(method: str) -> str:
    return {"exact": "exakt", "permutation": "med permutationer",
            "asymptotic": "med normalapproximation"}.get(method, method)


def class_table(table_id: str, title: str, labels: Mapping[Class, str],
                classes: Mapping[Class, Proportion], suppression: Suppression,
                notes: Sequence[str]) -> Table:
    """Counts and shares of deltagare per class (change classes or stegförflyttning)."""
    column = counted_column([classes[key].count for key in labels], suppression)
    rows = [Row(label, (count, share)) for label, count, share in
            zip(labels.values(), column.counts, column.shares, strict=True)]
    rows.append(Row("Slutsumma", (column.total, column.total_share), is_total=True))
    columns = (Column("antal", "Antal deltagare", Kind.COUNT),
               Column("andel", "Andel", Kind.SHARE))
    return Table(table_id, title, columns, tuple(rows), tuple(notes))


def score_name(instrument: Instrument, score: Score) -> str:
    """"SKAPA – …, medelvärde, alla områden": the instrument's title and the score's label
    in mid-sentence, an acronym kept as written ("ORS totalpoäng", not "ors totalpoäng")."""
    label = score.label.get("sv")
    acronym = label[:2].isupper()
    return f"{instrument.title.get('sv')}, {label if acronym else label[:1].lower() + label[1:]}"


def score_tables(instrument: Instrument, score: Score, result: PrePost,
                 suppression: Suppression) -> list[Table]:
    """Pre/post and the classes the score declares (change classes, stegförflyttning)."""
    base = f"{instrument.id}-{score.id}"
    name = score_name(instrument, score)
    tables = [prepost_table(f"{base}-prepost", f"{name}: före och efter", result, suppression)]
    if result.change_classes is not None:
        tables.append(class_table(
            f"{base}-klasser", f"{name}: förändringsklasser", CHANGE_CLASS_LABELS,
            result.change_classes, suppression,
            (f"Reliabel förändring minst {score.rci:g} poäng; gränsvärde {score.cutoff:g}.",
             "Återhämtad: förbättrad minst så mycket och över gränsvärdet vid senaste."),
        ))
    if result.step_classes is not None:
        tables.append(class_table(
            f"{base}-steg", f"{name}: stegförflyttning", STEP_CLASS_LABELS,
            result.step_classes, suppression,
            (f"Stegförflyttning: förbättring med minst {score.meaningful_change:g}.",),
        ))
    return tables


def area_table(instrument: Instrument, score: Score, area_changes: Iterable[AreaChange],
               suppression: Suppression) -> Table:
    """Per area (item) of a mean score: first, latest, change and share with a step."""
    changes_by_area: dict[str, list[AreaChange]] = defaultdict(list)
    for change in area_changes:
        changes_by_area[change.item_id].append(change)
    columns = (Column("n", "Deltagare", Kind.COUNT),
               Column("forsta", "Medel första", Kind.NUMBER),
               Column("senaste", "Medel senaste", Kind.NUMBER),
               Column("forandring", "Medelförändring", Kind.CHANGE),
               Column("steg", "Andel med stegförflyttning", Kind.SHARE))
    rows = [Row(instrument.item(area).text.get("sv"),
                _area_figures(score, changes_by_area[area], suppression)) for area in score.items]
    return Table(f"{instrument.id}-omraden", f"{instrument.title.get('sv')}: per område",
                 columns, tuple(rows), chart=ChartKind.AREA_CHANGES,
                 scale=rating_scale(instrument, score), notes=(
        "Deltagare med minst två skattningar av området.",
        f"Stegförflyttning: förbättring med minst {score.meaningful_change:g} steg.",
        f"Under {suppression.k} deltagare visas inga värden.",
    ))


def rating_scale(instrument: Instrument, score: Score) -> tuple[int, int] | None:
    """The lowest and highest whole rating the score's items can take: their numeric
    codes (missing codes aside), a VAS line's 0–10, a number's bounds; None when
    unknown (a number without bounds)."""
    lows, highs = [], []
    for item in (instrument.item(item_id) for item_id in score.items):
        if item.type == "vas":
            values = [0.0, 10.0]
        elif item.type == "number":
            if not isinstance(item.min, int | float) or not isinstance(item.max, int | float):
                return None
            values = [float(item.min), float(item.max)]
        else:
            values = [float(code) for code in item.codes if code not in item.missing_codes]
        lows.append(min(values))
        highs.append(max(values))
    return math.floor(min(lows)), math.ceil(max(highs))


def _area_figures(score: Score, changes: list[AreaChange],
                  suppression: Suppression) -> tuple[Figure, ...]:
    step = score.meaningful_change
    assert step is not None  # a score with areas (SKAPA) declares its step
    n = sum(c.n for c in changes)
    stepped = sum(c.n for c in changes if c.change >= step)
    first = sum(c.first_total for c in changes)
    latest = sum(c.latest_total for c in changes)
    values = (
        first / n if n else None,
        latest / n if n else None,
        (latest - first) / n if n else None,
        stepped / n if n else None,
    )
    if suppression.too_few(n):
        return (small_count(n, suppression),
                *(Figure(v, suppressed=suppression.mark if n else None) for v in values))
    return (Figure(n, n=n), *(Figure(v, n=n) for v in values))


def flag_table(instrument: Instrument, score: Score, flags: SessionFlagCounts,
               suppression: Suppression) -> Table:
    """SRS: sessions and deltagare with a flag (below cut-off, an item low, a drop)."""
    counts = (("Skattade samtal", flags.sessions),
              (f"Samtal under gränsvärdet {score.cutoff:g}", flags.below_cutoff),
              (f"Samtal med någon fråga under {score.item_flag_below:g}", flags.item_low),
              (f"Samtal med en sänkning på minst {score.drop_flag:g} från förra",
               flags.dropped),
              ("Deltagare med minst ett flaggat samtal", flags.participants_flagged))
    rows = tuple(Row(label, (small_count(value, suppression),)) for label, value in counts)
    return Table(f"{instrument.id}-flaggor", f"{instrument.title.get('sv')}: flaggor",
                 (Column("antal", "Antal", Kind.COUNT),), rows, notes=(
        "Flaggor enligt instrumentets gränsvärden; ett samtal kan ha flera flaggor.",
    ))


ScoreResults = Mapping[tuple[str, str], PrePost]  # by (instrument id, score id)


def score_results(instruments: Iterable[Instrument],
                  courses: Sequence[CourseEnds]) -> dict[tuple[str, str], PrePost]:
    """The pre/post result of each score (not flagged ones) with courses: worked out once
    for the outcome tables and the report's summary."""
    grouped: dict[tuple[str, str], list[Course]] = defaultdict(list)
    for ends in courses:
        grouped[(ends.instrument_id, ends.score_id)].append(course_of(ends))
    return {(instrument.id, score.id): pre_post(score, grouped[(instrument.id, score.id)])
            for instrument in instruments for score in instrument.scores
            if not score.is_flagged and (instrument.id, score.id) in grouped}


def outcome_tables(instruments: Iterable[Instrument], courses: Sequence[CourseEnds],
                   area_changes: Sequence[AreaChange],
                   session_flags: Sequence[SessionFlagCounts],
                   suppression: Suppression, results: ScoreResults | None = None) -> list[Table]:
    """Every outcome table the scored instruments with data declare, in their order
    (`results`: `score_results` of the courses, when worked out already)."""
    instruments = list(instruments)
    if results is None:
        results = score_results(instruments, courses)
    rated = ({c.instrument_id for c in courses}
             | {f.instrument_id for f in session_flags if f.ratings})
    flags = {(f.instrument_id, f.score_id): f for f in session_flags}
    tables: list[Table] = []
    for instrument in instruments:
        if instrument.id not in rated:
            continue
        for score in instrument.scores:
            if score.is_flagged:
                tables.append(flag_table(instrument, score, flags.get(
                    (instrument.id, score.id), SessionFlagCounts(instrument.id, score.id, 0)),
                    suppression))
            else:
                result = results.get((instrument.id, score.id)) or pre_post(score, [])
                tables.extend(score_tables(instrument, score, result, suppression))
            if score.has_areas:
                tables.append(area_table(instrument, score, (
                    c for c in area_changes
                    if c.instrument_id == instrument.id and c.item_id in score.items), suppression))
    return tables
