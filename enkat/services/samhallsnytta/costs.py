"""What an insats cost, per period: beviljat medel and, when known, utfall, in whole kronor.

Samhällsnytta sets the saving against it (`period_cost`). An insats' periods never
overlap, so no day is counted twice: setting a cost for exactly the period of an existing
row replaces that row, and a period overlapping another row is refused. Every change is
in the audit log with what it was and what it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import floor

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Insats, InsatsCost, User, utcnow
from enkat.reports.period import Period
from enkat.services import FieldProblem, NotFound, refuse_if
from enkat.services.audit.events import Action, record_event
from enkat.services.audit.log import command_detail
from enkat.services.bulk import among

#: More than any insats costs: a figure above it is a typing mistake (and past what the
#: database holds).
MAX_KRONOR = 10**12
_MAX_SAID = f"{MAX_KRONOR:,}".replace(",", " ")
#: A run of days, first and last included; empty when the last is before the first.
Span = tuple[dt.date, dt.date]
_DAY = dt.timedelta(days=1)


def insats_costs(insats: Insats) -> list[InsatsCost]:
    """The insats' cost rows, earliest period first."""
    return list(db.session.scalars(select(InsatsCost).where(
        InsatsCost.insats_id == insats.id).order_by(InsatsCost.starts_on)))


def set_insats_cost(insats: Insats, starts_on: dt.date | None, ends_on: dt.date | None,
                    granted_kronor: int | None, spent_kronor: int | None = None, *,
                    by: User | None) -> InsatsCost:
    """Create the cost of a period, or replace the one of exactly that period; refused
    (`Refused`: the fields "starts_on", "ends_on", "granted_kronor", "spent_kronor")
    having changed nothing. `by` None is the command line."""
    refuse_if(_problems(insats, starts_on, ends_on, granted_kronor, spent_kronor))
    assert starts_on is not None and ends_on is not None and granted_kronor is not None
    cost = db.session.scalar(select(InsatsCost).where(
        InsatsCost.insats_id == insats.id, InsatsCost.starts_on == starts_on,
        InsatsCost.ends_on == ends_on))
    before = None if cost is None else _facts(cost)
    if cost is None:
        cost = InsatsCost(insats_id=insats.id, starts_on=starts_on, ends_on=ends_on)
        db.session.add(cost)
    cost.granted_kronor, cost.spent_kronor = granted_kronor, spent_kronor
    cost.updated_at, cost.updated_by_id = utcnow(), by.id if by else None
    db.session.flush()
    after = _facts(cost)
    if before != after:
        changed = {key: [(before or {}).get(key), value] for key, value in after.items()
                   if (before or {}).get(key) != value}
        _record(Action.INSATS_COST_SET, insats, cost, by, changed=changed)
    return cost


def remove_insats_cost(insats: Insats, cost_id: int, *, by: User | None) -> None:
    """Remove one of the insats' cost rows (NotFound for another insats' row)."""
    cost = db.session.get(InsatsCost, cost_id)
    if cost is None or cost.insats_id != insats.id:
        raise NotFound("Kostnaden finns inte (längre) för insatsen.")
    _record(Action.INSATS_COST_REMOVED, insats, cost, by, granted_kronor=cost.granted_kronor,
            spent_kronor=cost.spent_kronor)
    db.session.delete(cost)
    db.session.flush()


def period_cost(insats_ids: Sequence[int], period: Period) -> tuple[int | None, int]:
    """What the insatser cost in the period, and how many of its days the rows cover.

    Each row overlapping the period counts its utfall if known, else its beviljat medel,
    for its share of days in the period (days in the period / the row's days); the sum
    is rounded to whole kronor, half up. None when no row overlaps the period."""
    rows = _rows_in(insats_ids, period)
    if not rows:
        return None, 0
    total = Fraction(0)
    spans = [_span_in(row.starts_on, row.ends_on, period) for row in rows]
    for row, span in zip(rows, spans, strict=True):
        amount = row.granted_kronor if row.spent_kronor is None else row.spent_kronor
        total += Fraction(amount * _days(span), _days((row.starts_on, row.ends_on)))
    return floor(total + Fraction(1, 2)), sum(map(_days, _joined(spans)))


def without_whole_cost(insats_ids: Sequence[int], period: Period) -> list[str]:
    """The names of the insatser running some day of the period (by their start and end)
    whose costs do not cover every such day: a förbund's cost then leaves them out."""
    spans: dict[int, list[Span]] = {}
    for row in _rows_in(insats_ids, period):
        spans.setdefault(row.insats_id, []).append(_span_in(row.starts_on, row.ends_on,
                                                            period))
    insatser = db.session.execute(
        select(Insats.id, Insats.name, Insats.starts_on, Insats.ends_on)
        .where(among(Insats.id, insats_ids)).order_by(Insats.name)) if insats_ids else []
    return [name for insats_id, name, starts_on, ends_on in insatser
            if not _covers(_joined(spans.get(insats_id, ())),
                           _span_in(starts_on or period.start, ends_on or period.end,
                                    period))]


def _rows_in(insats_ids: Sequence[int], period: Period) -> list[InsatsCost]:
    if not insats_ids:
        return []
    return list(db.session.scalars(select(InsatsCost).where(
        among(InsatsCost.insats_id, insats_ids), InsatsCost.starts_on <= period.end,
        InsatsCost.ends_on >= period.start)))


def _span_in(first: dt.date, last: dt.date, period: Period) -> Span:
    """The days from `first` to `last` that are in the period."""
    return max(first, period.start), min(last, period.end)


def _joined(spans: Iterable[Span]) -> list[Span]:
    """The days of the spans as the fewest runs, earliest first: spans that overlap or
    follow each other with no day between them are one run."""
    runs: list[Span] = []
    for first, last in sorted(span for span in spans if span[0] <= span[1]):
        if runs and first <= runs[-1][1] + _DAY:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def _days(span: Span) -> int:
    """The number of days in the span (0 when empty)."""
    first, last = span
    return max((last - first).days + 1, 0)


def _covers(runs: Sequence[Span], span: Span) -> bool:
    """Whether the runs (`_joined`) hold every day of the span; an empty span is held."""
    first, last = span
    return first > last or any(start <= first and last <= end for start, end in runs)


def _problems(insats: Insats, starts_on: dt.date | None, ends_on: dt.date | None,
              granted: int | None, spent: int | None) -> list[FieldProblem]:
    problems = []
    if starts_on is None:
        problems.append(FieldProblem("starts_on", "Skriv periodens första dag (ÅÅÅÅ-MM-DD)."))
    if ends_on is None:
        problems.append(FieldProblem("ends_on", "Skriv periodens sista dag (ÅÅÅÅ-MM-DD)."))
    if starts_on and ends_on and ends_on < starts_on:
        problems.append(FieldProblem("ends_on", (
            f"Perioden slutar {ends_on.isoformat()}, före sin första dag "
            f"{starts_on.isoformat()}.")))
    if granted is None or not 0 <= granted <= MAX_KRONOR:
        problems.append(FieldProblem("granted_kronor", (
            f"Skriv beviljat medel i hela kronor, från 0 till {_MAX_SAID}.")))
    if spent is not None and not 0 <= spent <= MAX_KRONOR:
        problems.append(FieldProblem("spent_kronor", (
            f"Skriv utfallet i hela kronor, från 0 till {_MAX_SAID}, eller lämna det tomt.")))
    if not problems and starts_on and ends_on:
        problems += _overlap_problems(insats, starts_on, ends_on)
    return problems


def _overlap_problems(insats: Insats, starts_on: dt.date, ends_on: dt.date) -> list[FieldProblem]:
    overlapping = [cost for cost in insats_costs(insats)
                   if cost.starts_on <= ends_on and cost.ends_on >= starts_on
                   and (cost.starts_on, cost.ends_on) != (starts_on, ends_on)]
    return [FieldProblem("starts_on", (
        f"Perioden {starts_on.isoformat()}–{ends_on.isoformat()} överlappar kostnaden för "
        f"{cost.starts_on.isoformat()}–{cost.ends_on.isoformat()}. En dag får bara räknas "
        f"en gång: ändra den perioden eller ta bort den först.")) for cost in overlapping]


def _facts(cost: InsatsCost) -> dict[str, object]:
    return {"from": cost.starts_on.isoformat(), "to": cost.ends_on.isoformat(),
            "granted_kronor": cost.granted_kronor, "spent_kronor": cost.spent_kronor}


def _record(action: Action, insats: Insats, cost: InsatsCost, by: User | None,
            **detail: object) -> None:
    record_event(action, user=by, forbund_id=insats.forbund_id, subject=insats.slug,
                 detail={**({} if by else command_detail()), "insats": insats.id,
                         "from": cost.starts_on.isoformat(), "to": cost.ends_on.isoformat(),
                         **detail})
