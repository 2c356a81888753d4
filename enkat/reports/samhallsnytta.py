"""The samhällsnytta part: what the public purse saves when deltagare leave the report's
insatser, set against what the insatser cost (`enkat.scoring.samhallsnytta`, the method of
SAMHALLSNYTTA.md).

The deltagare are those who ended in the period after the trial period (the rule of the
`resultat` table); their försörjning is what the starting form's declared support item
says at inskrivning, the ending form's at avslut, and the follow-up form's at each
follow-up that answered it.

Suppression. A count of deltagare with a source below k is hidden with its kronor (the
kronor are the count times a price anyone may know, so they would give it away), and so
is the kronor total of its column. The savings (per payer and in total, and what is drawn
from the total: the cumulative saving, the återbetalningstid, the chart) are sums of
price × (before − after) over sources: a payer resting on fewer than k deltagare is
hidden ("<k"), and a saving is hidden ("X") where, with the prices known, it would leave
a hidden count or a hidden payer's saving only one possible value (`audit_savings` tries
every whole count, as a reader could). With fewer than k deltagare in the figures no
saving is shown at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from enkat.instruments import Item
from enkat.instruments.roles import RegistrationForms
from enkat.instruments.timepoints import months_after_exit
from enkat.scoring.samhallsnytta import (
    PAYERS,
    PERSISTENCES,
    Assumptions,
    LeftOut,
    Saving,
    SupportCourse,
    left_out_because,
    saving,
)
from enkat.scoring.suppression import SECONDARY_MARK, Suppression

from .figures import count_of, counted_column, small_count
from .inputs import Answers, EnrolmentFacts, SamhallsnyttaInputs
from .model import ChartKind, Column, Figure, Kind, Row, Table
from .numbers import NBSP, format_count, format_decimal, format_kronor
from .period import Period
from .registration import TOTAL_LABEL, ended_after_trial

PART_ID, PART_TITLE = "samhallsnytta", "Samhällsnytta"
SOURCES_TABLE = "samhallsnytta-kallor"
PAYERS_TABLE = "samhallsnytta-betalare"
PAYBACK_TABLE = "samhallsnytta-aterbetalningstid"
CUMULATIVE_TABLE = "samhallsnytta-kumulativ"
ASSUMPTIONS_TABLE = "samhallsnytta-antaganden"
#: Where a price list is kept, as the administrator's menu names it.
PRICE_LIST_PLACE = "Inställningar → Prislista för samhällsnytta"
GROSS_EFFECT = ("Bruttoeffekt, inte orsakseffekt: siffrorna visar hur deltagarnas offentliga "
                "försörjning förändrades, inte hur mycket av förändringen insatsen orsakade. "
                "Dödvikten anger den andel som antas ha skett ändå.")
COST_MISSING = "kostnad saknas"
REVEALING = ("X: visas inte. Med prislistans priser skulle beloppet tillsammans med de "
             "visade ge ett dolt antal i tabellen Samhällsnytta: försörjning före och efter, "
             "eller en dold betalares besparing, tillbaka.")
#: The stable keys of the reasons a deltagare is left out (JSON, row keys).
LEFT_OUT_KEYS = {LeftOut.NO_SUPPORT_BEFORE: "utan-forsorjning-vid-inskrivning",
                 LeftOut.NO_SUPPORT_AFTER: "utan-forsorjning-vid-avslut",
                 LeftOut.UNPRICED: "utan-pris"}


# --- the deltagare's courses ---------------------------------------------------------------


def support_courses(enrolments: Iterable[EnrolmentFacts], period: Period,
                    forms: RegistrationForms) -> list[SupportCourse]:
    """The försörjning course of each enrolment that ended in the period after the trial
    period: the sources at inskrivning, at avslut and at each follow-up (by its months
    after exit) that answered the follow-up form's support item."""
    starts, ends = forms.support_item(forms.starts), forms.support_item(forms.ends)
    assert starts is not None and ends is not None  # `has_support` was asked first
    follow_up = forms.support_item(forms.follow_up) if forms.follow_up is not None else None
    courses = []
    for enrolment in ended_after_trial(enrolments, period):
        follow_ups = {}
        for timepoint, answers in enrolment.follow_ups.items():
            months, sources = months_after_exit(timepoint), _sources(answers, follow_up)
            if months is not None and sources:
                follow_ups[months] = sources
        courses.append(SupportCourse(_sources(enrolment.inskrivning, starts),
                                     _sources(enrolment.avslut, ends), follow_ups))
    return courses


def has_support(forms: RegistrationForms | None) -> bool:
    """Whether the forms declare the försörjning at inskrivning and at avslut."""
    return forms is not None and None not in (forms.support_item(forms.starts),
                                              forms.support_item(forms.ends))


def _sources(answers: Answers | None, item: Item | None) -> frozenset[str]:
    """The sources an answer gives, without the codes that say it is missing."""
    if item is None:
        return frozenset()
    return frozenset(code for code in (answers or {}).get(item.id, ())
                     if code not in item.missing_codes)


# --- what a shown saving gives away ------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    """One source of a saving as a reader who knows the prices sees it: its price a
    month, and the (before, after) counts its shown figures leave possible (one pair
    when both are shown, 1..k−1 for a hidden one)."""

    price: int
    pairs: frozenset[tuple[int, int]]

    @property
    def changes(self) -> frozenset[int]:
        return frozenset(self.price * (before - after) for before, after in self.pairs)


def audit_savings(groups: Mapping[str, Sequence[Unknown]], changes: Mapping[str, int],
                  small: set[str], suppression: Suppression,
                  key: Callable[[str], int]) -> tuple[dict[str, str], str | None]:
    """The marks of the payers' savings and of the total, so that no shown saving gives a
    hidden count or a hidden saving away.

    A payer resting on fewer than k deltagare is hidden ("<k"); so is ("X") one whose
    shown saving, the sum of price × (before − after) over its sources, leaves a hidden
    count of them one possible value. The total adds what the hidden payers save together
    to what the shown ones do: it is shown when that sum leaves every hidden count and
    every small payer's saving more than one possible value, if need be after hiding one
    more payer (the one resting on the fewest deltagare that does it), and hidden ("X")
    otherwise. Whole numbers throughout: with the prices known, a reader can try every
    count from 1 to k − 1, and the audit does just that.
    """
    marks = {payer: suppression.mark for payer in groups if payer in small}
    for payer, unknowns in groups.items():
        if payer not in marks and _gives_away([unknowns], changes[payer], ()):
            marks[payer] = SECONDARY_MARK
    if not marks:
        return marks, None
    shown = sorted((payer for payer in groups if payer not in marks), key=key)
    for extra in (None, *shown):
        hidden = [*marks, *([extra] if extra else [])]
        protected = [index for index, payer in enumerate(hidden) if payer in small]
        if not _gives_away([groups[payer] for payer in hidden],
                           sum(changes[payer] for payer in hidden), protected):
            if extra is not None:
                marks[extra] = SECONDARY_MARK
            return marks, None
    return marks, SECONDARY_MARK


def _gives_away(groups: Sequence[Sequence[Unknown]], total: int,
                protected: Sequence[int]) -> bool:
    """Whether knowing that the groups' changes add up to `total` leaves a hidden count
    one possible value, or a protected group's change one possible value."""
    unknowns = [unknown for group in groups for unknown in group]
    for index, unknown in enumerate(unknowns):
        if len(unknown.pairs) == 1:
            continue
        others = _sums([*unknowns[:index], *unknowns[index + 1:]])
        possible = {(before, after) for before, after in unknown.pairs
                    if total - unknown.price * (before - after) in others}
        for side in (0, 1):
            if len({pair[side] for pair in unknown.pairs}) > 1 and len(
                    {pair[side] for pair in possible}) == 1:
                return True
    for index in protected:
        rest = _sums([unknown for other, group in enumerate(groups) if other != index
                      for unknown in group])
        if len({change for change in _sums(groups[index]) if total - change in rest}) == 1:
            return True
    return False


def _sums(unknowns: Iterable[Unknown]) -> set[int]:
    """Every total the unknowns' changes can make. Small: the changes are whole prices
    times −(k−2)..k−2, so the totals are few multiples of the prices."""
    sums = {0}
    for unknown in unknowns:
        sums = {total + change for total in sums for change in unknown.changes}
    return sums


# --- the figures, worked out and suppressed ------------------------------------------------


@dataclass(frozen=True)
class Worked:
    """The samhällsnytta of a report: the saving at the chosen assumptions and at each
    persistence of `PERSISTENCES`, and what may be shown of it."""

    inputs: SamhallsnyttaInputs
    forms: RegistrationForms
    courses: tuple[SupportCourse, ...]
    chosen: Saving
    by_persistence: Mapping[Fraction, Saving]
    suppression: Suppression

    @property
    def assumptions(self) -> Assumptions:
        return self.inputs.assumptions

    @property
    def n(self) -> int:
        return self.chosen.included

    @property
    def too_few(self) -> bool:
        """Fewer than k deltagare (or none) in the figures: no saving is shown."""
        return self.n == 0 or self.suppression.too_few(self.n)

    def sources(self) -> list[tuple[str, str]]:
        """(code, label) of every source the forms register, in their order."""
        items = [self.forms.support_item(form) for form in self.forms.in_course_order]
        labels: dict[str, str] = {}
        for item in items:
            if item is not None:
                labels.update((code, item.code_label(code)) for code in item.codes
                              if code not in item.missing_codes and code not in labels)
        return [(code, labels[code]) for code in self.forms.support_sources]

    def price(self, source: str) -> int | None:
        price = (self.inputs.prices or {}).get(source)
        return None if price is None else price.kronor

    def count(self, source: str, column: str) -> Figure:
        """How many deltagare in the figures had `source` before or after, as shown."""
        counts = self.chosen.before if column == "before" else self.chosen.after
        return small_count(counts.get(source, 0), self.suppression)

    def unknown(self, source: str) -> Unknown:
        """A source as a reader of the sources table sees it: its price and the
        (before, after) counts its shown figures leave possible."""
        def possible(column: str) -> range:
            count = self.count(source, column)
            return (range(1, self.suppression.k) if count.suppressed is not None
                    else range(count_of(count), count_of(count) + 1))
        return Unknown(self.price(source) or 0, frozenset(
            (before, after) for before in possible("before") for after in possible("after")))

    def change(self, payer: str) -> int:
        """The payer's change in month 1 before deadweight and persistence: what a
        reader gets back from its shown saving (Σ price × (before − after))."""
        return sum((self.price(source) or 0) * (self.chosen.before.get(source, 0)
                                                - self.chosen.after.get(source, 0))
                   for source in self.payer_sources(payer))

    def payer_sources(self, payer: str) -> list[str]:
        return [source for source, price in (self.inputs.prices or {}).items()
                if price is not None and price.payer == payer and price.kronor]

    def payers(self) -> list[str]:
        """The payers any deltagare in the figures had a priced source of, in `PAYERS`
        order."""
        return [payer for payer in PAYERS if self.payer_n(payer)]

    def payer_n(self, payer: str) -> int:
        sources = set(self.payer_sources(payer))
        return sum(1 for course in self._included if course.every_source & sources)

    def payer_mark(self, payer: str) -> str | None:
        """Why a payer's saving is hidden, or None when it is shown."""
        return self._marks[0].get(payer)

    @cached_property
    def counted(self) -> tuple[Figure, ...]:
        """The deltagare in the figures, those left out by each reason and those who
        ended after the trial period, suppressed as one column: its total is in other
        tables, so a hidden count must not follow from it."""
        column = counted_column([self.n, *(self.chosen.left_out.get(reason, 0)
                                           for reason in LeftOut)], self.suppression)
        return tuple(Figure(f.value, n=f.n, suppressed=f.suppressed, kind=Kind.COUNT)
                     for f in (*column.counts, column.total))

    @property
    def shown_n(self) -> int | None:
        """The n the savings rest on, as the figures may say it: None where the count of
        deltagare in the figures is hidden."""
        return None if self.counted[0].suppressed is not None else self.n

    @property
    def revealing(self) -> bool:
        """Whether a saving is hidden for what it would give away ("X")."""
        return SECONDARY_MARK in (*self._marks[0].values(), self._marks[1])

    @property
    def total_mark(self) -> str | None:
        """Why the total saving (and everything drawn from it) is hidden, or None."""
        return self._marks[1]

    @cached_property
    def _marks(self) -> tuple[dict[str, str], str | None]:
        """The hidden payers and the total's mark (`audit_savings`)."""
        payers = self.payers()
        if self.too_few:
            return {payer: self.suppression.mark for payer in payers}, self.suppression.mark
        return audit_savings({payer: [self.unknown(source)
                                      for source in self.payer_sources(payer)]
                              for payer in payers},
                             {payer: self.change(payer) for payer in payers},
                             {payer for payer in payers
                              if self.suppression.too_few(self.payer_n(payer))},
                             self.suppression, key=self.payer_n)

    @cached_property
    def _included(self) -> list[SupportCourse]:
        """The courses in the figures, by the computation's own rule."""
        prices = self.inputs.prices or {}
        return [course for course in self.courses
                if left_out_because(course, prices) is None]


def worked_out(enrolments: Sequence[EnrolmentFacts], period: Period,
               forms: RegistrationForms, inputs: SamhallsnyttaInputs,
               suppression: Suppression) -> Worked:
    courses = tuple(support_courses(enrolments, period, forms))
    prices = inputs.prices or {}
    assumptions = inputs.assumptions
    by_persistence = {persistence: saving(courses, prices, Assumptions(
        assumptions.horizon, assumptions.deadweight, persistence))
        for persistence in (assumptions.persistence, *PERSISTENCES)}
    return Worked(inputs, forms, courses, by_persistence[assumptions.persistence],
                  by_persistence, suppression)


def kronor(value: Fraction | int) -> int:
    """Whole kronor, rounded half away from zero (as every figure people read)."""
    exact = Fraction(value)
    return int((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))


def average(monthly: Sequence[Fraction]) -> Fraction:
    """The saving per month over the horizon: the same every month until a follow-up
    changes it."""
    return sum(monthly, Fraction(0)) / len(monthly)


def percent(share: Fraction) -> str:
    """A share as people write an assumption: 1/4 -> "25 %", 1/8 -> "12,5 %"."""
    exact = Decimal(share.numerator) / Decimal(share.denominator) * 100
    return format_decimal(exact) + NBSP + "%"


def months_words(months: int) -> str:
    return "1 månad" if months == 1 else f"{format_count(months)} månader"


def payback_words(worked: Worked, result: Saving) -> str:
    """"8 månader", "inte inom 12 månader" or "kostnad saknas"."""
    cost = worked.inputs.cost
    if cost is None:
        return COST_MISSING
    month = result.payback_month(cost)
    if month is None:
        return f"inte inom {months_words(worked.assumptions.horizon)}"
    return months_words(month)


def _kronor_figure(value: Fraction | int, mark: str | None, n: int | None) -> Figure:
    return Figure(kronor(value), n=n, suppressed=mark)


# --- the part's tables ---------------------------------------------------------------------


def samhallsnytta_tables(enrolments: Sequence[EnrolmentFacts], period: Period,
                         forms: RegistrationForms | None, inputs: SamhallsnyttaInputs | None,
                         suppression: Suppression) -> tuple[list[Table], dict[str, Any] | None]:
    """The part's tables and its JSON section; none without the forms' försörjning items
    or without the inputs. Without a price list, only what is missing."""
    if forms is None or inputs is None or not has_support(forms):
        return [], None
    if inputs.prices is None:
        return [_assumptions_table(None, inputs, period, suppression)], _missing_section(
            inputs, period)
    worked = worked_out(enrolments, period, forms, inputs, suppression)
    tables = [_assumptions_table(worked, inputs, period, suppression)]
    if not worked.too_few:
        tables += [_sources_table(worked), _payers_table(worked), _payback_table(worked)]
    if worked.total_mark is None:
        tables.append(_cumulative_table(worked))
    return tables, section(worked)


def price_list_missing(period: Period) -> str:
    return (f"Förbundet har ingen prislista för {period.end.year}: lägg in den under "
            f"{PRICE_LIST_PLACE}.")


def _assumptions_table(worked: Worked | None, inputs: SamhallsnyttaInputs, period: Period,
                       suppression: Suppression) -> Table:
    """What the figures assume and rest on, in words; the deltagare counted and left out."""
    assumptions = inputs.assumptions
    rows = [
        _text_row("Horisont", f"{months_words(assumptions.horizon)} efter avslut", "horisont"),
        _text_row("Dödvikt", percent(assumptions.deadweight), "dodvikt"),
        _text_row("Varaktighet", _persistence_words(assumptions), "varaktighet"),
        _text_row("Prislista", _price_list_words(inputs, period), "prislista"),
        _text_row("Kostnad", _cost_words(inputs, period), "kostnad"),
    ]
    notes = [GROSS_EFFECT]
    if worked is None:
        notes.insert(0, price_list_missing(period))
    else:
        rows += _deltagare_rows(worked)
        notes += [
            "Deltagare som avslutades under perioden efter prövotiden. Före: försörjning "
            "vid inskrivning. Efter: vid avslut, tills en registrerad uppföljning ersätter "
            "den (6-månadersuppföljningen från månad 7, 18-månaders från månad 19).",
            "Deltagare utan registrerad försörjning före eller efter, eller med en källa "
            "som prislistan inte prissätter, ingår inte och räknas för sig.",
            "Kostnad: varje registrerad kostnad (utfall där det finns, annars beviljat "
            "medel) räknas för den del av sina dagar som ligger i perioden.",
        ]
        if worked.too_few:
            notes.append(f"Färre än {suppression.k} deltagare ingår i beräkningen: "
                         "besparingen visas inte.")
        elif worked.revealing:
            notes.append(REVEALING)
    if suppression.k > 1:
        notes.append(f"Antal under {suppression.k} visas inte, och inte heller belopp som "
                     "bygger på dem eller på färre än så många deltagare.")
    return Table(ASSUMPTIONS_TABLE, "Samhällsnytta: antaganden och underlag",
                 (Column("varde", "Värde", Kind.TEXT),), tuple(rows), notes=tuple(notes))


def _text_row(label: str, text: str, key: str) -> Row:
    return Row(label, (Figure(text),), key=key)


def _persistence_words(assumptions: Assumptions) -> str:
    others = [percent(p) for p in PERSISTENCES if p != assumptions.persistence]
    return (f"{percent(assumptions.persistence)} (även {' och '.join(others)} "
            "redovisas)")


def _price_list_words(inputs: SamhallsnyttaInputs, period: Period) -> str:
    if inputs.prices is None:
        return f"saknas för {period.end.year}"
    words = str(inputs.price_year)
    return f"{words}, exempelsiffror" if inputs.example_prices else words


def _cost_words(inputs: SamhallsnyttaInputs, period: Period) -> str:
    if inputs.cost is None:
        return COST_MISSING
    words = format_kronor(inputs.cost)
    days = (period.end - period.start).days + 1
    if inputs.without_cost:
        words += f" (saknas helt eller delvis för {_listed(inputs.without_cost)})"
    elif inputs.cost_days < days:
        words += (f" (registrerad för {format_count(inputs.cost_days)} av periodens "
                  f"{format_count(days)} dagar)")
    return words


def _listed(names: Sequence[str]) -> str:
    """"A", "A och B", "A, B och C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"


def _deltagare_rows(worked: Worked) -> list[Row]:
    """The deltagare in the figures and those left out by reason (`Worked.counted`)."""
    counted = worked.counted
    return [Row("Deltagare i beräkningen", (counted[0],), key="deltagare"),
            *(Row(f"Ingår inte: {reason.value.lower()}", (figure,), key=LEFT_OUT_KEYS[reason])
              for reason, figure in zip(LeftOut, counted[1:-1], strict=True)),
            Row("Avslutade efter prövotid", (counted[-1],), key="avslutade")]


def _source_rows(worked: Worked) -> list[tuple[str, str, tuple[Figure, ...]]]:
    """(source, label, figures) of each source the forms register: deltagare and kronor
    per month before, then after; a hidden count hides its kronor with the same mark."""
    rows = []
    for source, label in worked.sources():
        price = worked.price(source)
        figures: list[Figure] = []
        for column in ("before", "after"):
            count = worked.count(source, column)
            figures += [count, Figure(None if price is None else count_of(count) * price,
                                      n=count.n, suppressed=count.suppressed)]
        rows.append((source, label, tuple(figures)))
    return rows


def _kronor_total(worked: Worked, column: str) -> Figure:
    """The kronor per month of a column: hidden when a priced count in it is."""
    counts = worked.chosen.before if column == "before" else worked.chosen.after
    total = sum(count * (worked.price(source) or 0) for source, count in counts.items())
    hidden = any(worked.count(source, column).suppressed for source in counts
                 if worked.price(source))
    return Figure(total, n=worked.shown_n, suppressed=SECONDARY_MARK if hidden else None)


def _sources_table(worked: Worked) -> Table:
    """Per source: deltagare and kronor per month before and after; the kronor totals."""
    rows = [Row(label, figures, key=source) for source, label, figures in _source_rows(worked)]
    rows.append(Row(TOTAL_LABEL, (Figure(None), _kronor_total(worked, "before"),
                                  Figure(None), _kronor_total(worked, "after")), is_total=True))
    columns = (Column("fore", "Antal före", Kind.COUNT),
               Column("kronor-fore", "Kr/mån före", Kind.KRONOR),
               Column("efter", "Antal efter", Kind.COUNT),
               Column("kronor-efter", "Kr/mån efter", Kind.KRONOR))
    return Table(SOURCES_TABLE, "Samhällsnytta: försörjning före och efter", columns,
                 tuple(rows), notes=(
        "Deltagarna i beräkningen. Före: vid inskrivning. Efter: vid avslut. En deltagare "
        "kan ha flera källor; varje källa räknas till sitt pris.",
        "Kronor per månad: antal gånger prislistans pris. Tom där källan inte är prissatt.",
        "Ett dolt antal döljer också sina kronor och summan i sin kolumn.",
    ))


def _payers_table(worked: Worked) -> Table:
    """Per payer and in total: the saving per month (on average over the horizon) and
    over the horizon, after deadweight and persistence."""
    horizon = worked.assumptions.horizon
    rows = []
    for payer in worked.payers():
        monthly = worked.chosen.by_payer[payer]
        mark, n = worked.payer_mark(payer), worked.payer_n(payer)
        rows.append(Row(PAYERS[payer], (_kronor_figure(average(monthly), mark, n),
                                        _kronor_figure(sum(monthly), mark, n)), key=payer))
    mark = worked.total_mark
    rows.append(Row(TOTAL_LABEL, (_kronor_figure(average(worked.chosen.monthly), mark,
                                                 worked.shown_n),
                                  _kronor_figure(sum(worked.chosen.monthly), mark, worked.shown_n)),
                    is_total=True))
    columns = (Column("per-manad", "Besparing per månad", Kind.KRONOR),
               Column("summa", f"Besparing under {months_words(horizon)}", Kind.KRONOR))
    return Table(PAYERS_TABLE, "Samhällsnytta: besparing per betalare", columns, tuple(rows),
                 notes=(
        "Före minus efter, gånger (1 − dödvikt) och varaktigheten. Ett negativt belopp: "
        "betalaren betalar mer efter än före (t.ex. aktivitetsstöd i stället för sjukpenning).",
        f"Per månad: genomsnittet över horisontens {months_words(horizon)}; samma varje "
        "månad tills en uppföljning ändrar försörjningen.",
        "Varje betalares belopp bygger på deltagarna med någon av dess källor.",
        *((REVEALING,) if worked.revealing else ()),
    ))


def _payback_table(worked: Worked) -> Table:
    """The återbetalningstid at each persistence, with the saving it rests on."""
    mark = worked.total_mark
    rows = []
    for persistence in PERSISTENCES:
        result = worked.by_persistence[persistence]
        words = payback_words(worked, result)
        rows.append(Row(f"Varaktighet {percent(persistence)}", (
            _kronor_figure(average(result.monthly), mark, worked.shown_n),
            _kronor_figure(sum(result.monthly), mark, worked.shown_n),
            Figure(words if mark is None else mark, n=worked.shown_n),
        ), key=_persistence_key(persistence)))
    horizon = months_words(worked.assumptions.horizon)
    columns = (Column("per-manad", "Besparing per månad", Kind.KRONOR),
               Column("summa", f"Besparing under {horizon}", Kind.KRONOR),
               Column("aterbetalningstid", "Återbetalningstid", Kind.TEXT))
    return Table(PAYBACK_TABLE, "Samhällsnytta: återbetalningstid", columns, tuple(rows), notes=(
        "Återbetalningstid: den första månaden efter avslut då den sammanlagda besparingen "
        f"når kostnaden{_cost_clause(worked)}.",
        "Varaktighet: den andel av förändringen som antas bestå efter avslut.",
        *((REVEALING,) if mark is not None else ()),
    ))


def _cost_clause(worked: Worked) -> str:
    cost = worked.inputs.cost
    return f" ({format_kronor(cost)})" if cost is not None else f" ({COST_MISSING})"


def _persistence_key(persistence: Fraction) -> str:
    return f"varaktighet-{kronor(persistence * 100)}"


def _cumulative_table(worked: Worked) -> Table:
    """Month by month after exit: the saving, the cumulative saving and the cost (the
    chart's data), at the chosen persistence; only when the total saving is shown."""
    n, cost = worked.shown_n, worked.inputs.cost
    rows = tuple(Row(f"Månad {month}", (
        _kronor_figure(monthly, None, n), _kronor_figure(cumulative, None, n),
        Figure(cost) if cost is not None else Figure(None)), key=str(month))
        for month, (monthly, cumulative) in enumerate(
            zip(worked.chosen.monthly, worked.chosen.cumulative, strict=True), start=1))
    columns = (Column("besparing", "Besparing", Kind.KRONOR),
               Column("kumulativ", "Sammanlagd besparing", Kind.KRONOR),
               Column("kostnad", "Kostnad", Kind.KRONOR))
    persistence = percent(worked.assumptions.persistence)
    return Table(CUMULATIVE_TABLE, "Samhällsnytta: sammanlagd besparing mot kostnaden", columns,
                 rows, chart=ChartKind.PAYBACK, notes=(
        f"Månad för månad efter avslut, vid varaktighet {persistence} och dödvikt "
        f"{percent(worked.assumptions.deadweight)}.",
    ))


# --- the JSON section ----------------------------------------------------------------------


def _missing_section(inputs: SamhallsnyttaInputs, period: Period) -> dict[str, Any]:
    return {"assumptions": _assumptions_json(inputs), "cost": inputs.cost,
            "cost_days": inputs.cost_days, "without_cost": list(inputs.without_cost),
            "missing": ["prislista"],
            "message": price_list_missing(period)}


def _assumptions_json(inputs: SamhallsnyttaInputs) -> dict[str, Any]:
    assumptions = inputs.assumptions
    return {"horizon": assumptions.horizon, "deadweight": float(assumptions.deadweight),
            "persistence": float(assumptions.persistence),
            "persistences": [float(p) for p in PERSISTENCES], "price_year": inputs.price_year,
            "example_prices": inputs.example_prices}


def section(worked: Worked) -> dict[str, Any]:
    """The figures and the assumptions, suppressed as the tables show them."""
    total_mark = worked.total_mark
    n = _deltagare_rows(worked)
    return {
        "assumptions": _assumptions_json(worked.inputs),
        "cost": worked.inputs.cost,
        "cost_days": worked.inputs.cost_days,
        "without_cost": list(worked.inputs.without_cost),
        "missing": [] if worked.inputs.cost is not None else ["kostnad"],
        "n": n[0].figures[0].shown,
        "left_out": {row.key: row.figures[0].shown for row in n[1:-1]},
        "sources": [{"source": source, "label": label,
                     **dict(zip(SOURCE_KEYS, (figure.shown for figure in figures), strict=True))}
                    for source, label, figures in _source_rows(worked)],
        "kronor_before": _kronor_total(worked, "before").shown,
        "kronor_after": _kronor_total(worked, "after").shown,
        "monthly": _series(worked.chosen.monthly, total_mark),
        "cumulative": _series(worked.chosen.cumulative, total_mark),
        "by_payer": {payer: _series(worked.chosen.by_payer[payer], worked.payer_mark(payer))
                     for payer in worked.payers()},
        "payback": [{"persistence": float(persistence),
                     "month": (total_mark or _payback_month(worked, persistence)),
                     "text": total_mark or payback_words(worked,
                                                         worked.by_persistence[persistence])}
                    for persistence in PERSISTENCES],
    }


SOURCE_KEYS = ("before", "before_kronor", "after", "after_kronor")


def _payback_month(worked: Worked, persistence: Fraction) -> int | None:
    cost = worked.inputs.cost
    return None if cost is None else worked.by_persistence[persistence].payback_month(cost)


def _series(values: Sequence[Fraction], mark: str | None) -> list[int] | str:
    """Whole kronor month by month, or the mark that hides them all."""
    return mark if mark is not None else [kronor(value) for value in values]


@dataclass(frozen=True)
class SummaryLine:
    """The summary's samhällsnytta: the saving per month (on average over the horizon),
    the återbetalningstid ("8 månader"; None when not within the horizon or without a
    cost), the deltagare they rest on, and both as a sentence quotes them."""

    monthly: Figure
    payback: Figure
    n: Figure
    monthly_words: str
    payback_words: str


def summary_line(enrolments: Sequence[EnrolmentFacts], period: Period,
                 forms: RegistrationForms | None, inputs: SamhallsnyttaInputs | None,
                 suppression: Suppression) -> SummaryLine | None:
    """None where the report has no samhällsnytta figures (no forms declaring the
    försörjning, no inputs, no price list)."""
    if forms is None or inputs is None or inputs.prices is None or not has_support(forms):
        return None
    worked = worked_out(enrolments, period, forms, inputs, suppression)
    mark, cost = worked.total_mark, inputs.cost
    per_month = average(worked.chosen.monthly)
    month = None if cost is None else worked.chosen.payback_month(cost)
    line = SummaryLine(_kronor_figure(per_month, mark, worked.shown_n),
                       Figure(None if month is None else months_words(month),
                              n=worked.shown_n, suppressed=mark, kind=Kind.TEXT),
                       worked.counted[0], "", "")
    if mark is not None:
        hidden = ("inga deltagare i beräkningen" if worked.n == 0
                  else f"färre än {suppression.k} deltagare" if mark == suppression.mark
                  else "visas inte (skyddar ett litet antal)")
        return replace(line, monthly_words=hidden, payback_words=hidden)
    payback = payback_words(worked, worked.chosen)
    if cost is not None:
        payback += f" (kostnad {format_kronor(cost)})"
    return replace(line, monthly_words=f"{format_kronor(kronor(per_month))} per månad",
                   payback_words=payback)
