"""The förbund administrators' operations: insatser, their measurement schedules and
goals, and the förbund's users.

Administrators are the only users of these operations, so refusals are said in Swedish
(`Problem.message`) as the pages show them. Each operation checks everything first and
changes nothing when it refuses; every change is written to the audit log.

(Kept apart from `organisation`, which `accounts` and `demo` import: these operations
need the audit log, the instruments and the demo's standard schedule, and importing them
from `organisation` would close a circle.)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.roles import FOLLOW_UP, NNS_DELTAGARE
from enkat.models import (
    Enrolment,
    Forbund,
    Goal,
    Insats,
    InsatsKind,
    InsatsStaff,
    Membership,
    Role,
    ScheduleEntry,
    ScheduleTrigger,
    User,
)
from enkat.reports import goals as goal_rules

from . import ServiceError, sign_ins
from .accounts import record_event
from .demo import COMMON_SCHEDULE, ORS_SRS_SCHEDULE, SKAPA_SCHEDULE
from .instruments import bundled_instruments, usable_instruments
from .organisation import (
    SLUG_PATTERN,
    create_insats,
    create_user,
    find_insats,
    find_user,
    grant_role,
)
from .overview import InsatsSummary, insatser_for
from .passwords import password_problem

#: The longest a schedule may wait: ten years in days.
MAX_SCHEDULE_DAYS = 3650
MAX_TRIAL_PERIOD_DAYS = 365
MAX_NAME_LENGTH = 200
MAX_GOAL_LENGTH = 500
SCHEDULE_AUDIENCE = "deltagare"
REPEATING = (ScheduleTrigger.EVERY_SESSION, ScheduleTrigger.EVERY_DAYS)
NEEDS_DAYS = (ScheduleTrigger.AFTER_DAYS, ScheduleTrigger.EVERY_DAYS,
              ScheduleTrigger.AFTER_EXIT_DAYS)
TRIGGER_NAMES = {
    ScheduleTrigger.AT_START: "vid start",
    ScheduleTrigger.EVERY_SESSION: "varje träff",
    ScheduleTrigger.AFTER_DAYS: "efter N dagar",
    ScheduleTrigger.EVERY_DAYS: "var N:e dag",
    ScheduleTrigger.AT_EXIT: "vid avslut",
    ScheduleTrigger.AFTER_EXIT_DAYS: "N dagar efter avslut",
}
COMPARISON_NAMES = {
    goal_rules.AT_LEAST: "andelen är minst målvärdet",
    "more_than_previous_period": "andelen är högre än föregående period",
    "more_than_previous_year": "andelen är högre än föregående år",
}
ROLE_NAMES = {Role.ADMIN: "Administratör", Role.ANALYST: "Analytiker", Role.STAFF: "Personal"}
KIND_NAMES = {InsatsKind.INDIVID: "Individinriktad", InsatsKind.STRUKTUR: "Strukturinriktad"}


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field; `row` counts from 0 in a list of rows."""

    field: str
    message: str
    row: int | None = None


class Refused(ServiceError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)


def _refuse_if(problems: Sequence[Problem]) -> None:
    if problems:
        raise Refused(problems)


# --- insatser ------------------------------------------------------------------------


@dataclass(frozen=True)
class InsatsDetails:
    """What an administrator fills in about an insats (its slug only when creating)."""

    name: str
    huvudman: str
    kind: InsatsKind
    starts_on: dt.date | None
    ends_on: dt.date | None
    trial_period_days: int | None
    slug: str = ""


def slug_from_name(name: str) -> str:
    """"Steget vidare – Åre" -> "steget-vidare-are": å, ä, ö and accents lose their marks."""
    plain = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:64].strip("-")


def add_insats(forbund: Forbund, details: InsatsDetails, *, by: User | None) -> Insats:
    """Create an insats; an empty slug is made from the name, with -2, -3 … when taken."""
    slug = details.slug.strip().lower()
    problems = _details_problems(details) + _name_taken(forbund, details.name)
    if slug:
        problems += _slug_problems(forbund, slug)
    elif details.name.strip():
        slug = _free_slug(forbund, slug_from_name(details.name) or "insats")
    _refuse_if(problems)
    insats = create_insats(
        forbund, slug, details.name.strip(), huvudman=details.huvudman.strip(),
        kind=details.kind, starts_on=details.starts_on, ends_on=details.ends_on,
        trial_period_days=details.trial_period_days,
    )
    record_event("insats-created", user=by, forbund_id=forbund.id, subject=insats.slug,
           detail={"insats": insats.id, **_insats_facts(insats)})
    return insats


def update_insats(insats: Insats, details: InsatsDetails, *, by: User | None) -> Insats:
    """Change what an administrator may change; the slug stays, since addresses and
    exported files name the insats by it."""
    problems = _details_problems(details) + _name_taken(insats.forbund, details.name,
                                                        other_than=insats)
    if details.kind is InsatsKind.STRUKTUR and insats.kind is not InsatsKind.STRUKTUR \
            and _has_enrolments(insats):
        problems.append(Problem("kind", "Insatsen har deltagare och kan inte bli "
                                        "strukturinriktad. En strukturinriktad insats har "
                                        "inga deltagare."))
    _refuse_if(problems)
    before = _insats_facts(insats)
    insats.name = details.name.strip()
    insats.huvudman = details.huvudman.strip()
    insats.kind = details.kind
    insats.starts_on, insats.ends_on = details.starts_on, details.ends_on
    insats.trial_period_days = details.trial_period_days
    db.session.flush()
    after = _insats_facts(insats)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        record_event("insats-changed", user=by, forbund_id=insats.forbund_id, subject=insats.slug,
               detail={"insats": insats.id, "changed": changed})
    return insats


def _details_problems(details: InsatsDetails) -> list[Problem]:
    problems = []
    if not details.name.strip():
        problems.append(Problem("name", "Skriv insatsens namn."))
    elif len(details.name.strip()) > MAX_NAME_LENGTH:
        problems.append(Problem("name", f"Namnet får vara högst {MAX_NAME_LENGTH} tecken."))
    if len(details.huvudman.strip()) > MAX_NAME_LENGTH:
        problems.append(Problem("huvudman",
                                f"Huvudmannen får vara högst {MAX_NAME_LENGTH} tecken."))
    if details.starts_on is None:
        problems.append(Problem("starts_on", "Skriv startdatum som år-månad-dag, "
                                             "till exempel 2025-01-01."))
    elif details.ends_on is not None and details.ends_on < details.starts_on:
        problems.append(Problem("ends_on", "Slutdatum kan inte vara före startdatum "
                                           f"({details.starts_on.isoformat()})."))
    trial = details.trial_period_days
    if trial is None or not 0 <= trial <= MAX_TRIAL_PERIOD_DAYS:
        problems.append(Problem("trial_period_days", "Prövotiden ska vara ett helt antal dagar "
                                                     f"från 0 till {MAX_TRIAL_PERIOD_DAYS}."))
    return problems


def _name_taken(forbund: Forbund, name: str, other_than: Insats | None = None) -> list[Problem]:
    """Two insatser of one förbund never share a name: every list, report and download
    names an insats by it. Case and spacing do not make a name another."""
    wanted = _same_name_key(name)
    taken = any(_same_name_key(insats.name) == wanted for insats in forbund.insatser
                if insats is not other_than)
    if not wanted or not taken:
        return []
    return [Problem("name", f"Förbundet har redan en insats som heter ”{name.strip()}”. "
                            "Välj ett namn som skiljer dem åt, till exempel med ort, "
                            "målgrupp eller år.")]


def _same_name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _slug_problems(forbund: Forbund, slug: str) -> list[Problem]:
    if not SLUG_PATTERN.match(slug) or len(slug) > 64:
        return [Problem("slug", "Kortnamnet får bara ha små bokstäver a–z, siffror och "
                                "bindestreck mellan dem, högst 64 tecken, till exempel "
                                "steget-vidare.")]
    if find_insats(forbund, slug) is not None:
        return [Problem("slug", f"Förbundet har redan en insats med kortnamnet ”{slug}”. "
                                "Välj ett annat.")]
    return []


def _free_slug(forbund: Forbund, wanted: str) -> str:
    taken = set(db.session.scalars(select(Insats.slug).where(Insats.forbund_id == forbund.id)))
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = wanted[:64 - len(suffix)].rstrip("-") + suffix
    return candidate


def _has_enrolments(insats: Insats) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.insats_id == insats.id)
    ) > 0


def _insats_facts(insats: Insats) -> dict:
    return {
        "name": insats.name, "huvudman": insats.huvudman, "kind": insats.kind.value,
        "starts_on": insats.starts_on.isoformat() if insats.starts_on else None,
        "ends_on": insats.ends_on.isoformat() if insats.ends_on else None,
        "trial_period_days": insats.trial_period_days,
    }


def forbund_insats_summaries(forbund: Forbund, user: User) -> list[InsatsSummary]:
    """The förbund's insatser with their figures (deltagare, responses), by name."""
    return [summary for summary in insatser_for(user) if summary.insats.forbund_id == forbund.id]


# --- the measurement schedule ----------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRow:
    instrument_id: str
    timepoint: str
    trigger: ScheduleTrigger | None
    days: int | None = None


def standard_schedule() -> tuple[ScheduleRow, ...]:
    """The NNS standard: inskrivning at the start; ORS and SRS every session; NNS
    pågående after 90 days; SKAPA at the start, every 90 days and at the exit; NNS
    avslut and finsam-avslut at the exit; uppföljning 6 and 18 months after the exit.

    The demo's insatser are measured by it, so it is composed from the demo's parts.
    """
    eighteen_months = (FOLLOW_UP, "uppfoljning-18m",
                       ScheduleTrigger.AFTER_EXIT_DAYS, 540)
    entries = (*COMMON_SCHEDULE, eighteen_months, *ORS_SRS_SCHEDULE, *SKAPA_SCHEDULE)
    return tuple(ScheduleRow(*entry) for entry in entries)


def schedulable_instruments(forbund: Forbund) -> list[Instrument]:
    """Instruments a schedule may name: those answered about or by a deltagare. The
    surveys for personal, chefer, styrelse and remittenter go out as utskick instead."""
    found = [instrument for instrument in usable_instruments(forbund)
             if instrument.audience == SCHEDULE_AUDIENCE]
    return sorted(found, key=lambda instrument: instrument.title.get("sv") or instrument.id)


def replace_schedule(insats: Insats, rows: Sequence[ScheduleRow], *,
                     by: User | None) -> list[ScheduleEntry]:
    """Make `rows` the insats' schedule, or refuse with every problem and change nothing."""
    instruments = {instrument.id: instrument
                   for instrument in schedulable_instruments(insats.forbund)}
    problems = [problem for index, row in enumerate(rows)
                for problem in _schedule_row_problems(index, row, instruments)]
    problems += _repeated_rows(rows)
    _refuse_if(problems)
    before = [_schedule_line(entry) for entry in insats.schedule]
    # The old rows are deleted before the new ones are written: within one flush the unit
    # of work inserts before it deletes, so a row saved again unchanged would meet itself
    # in the unique (insats, instrument, timepoint) constraint. Writing the rows anew keeps
    # them in the order the administrator gave; nothing refers to a row's id.
    insats.schedule.clear()
    db.session.flush()
    insats.schedule = [ScheduleEntry(instrument_id=row.instrument_id, timepoint=row.timepoint,
                                     trigger=row.trigger, days=row.days) for row in rows]
    db.session.flush()
    after = [_schedule_line(entry) for entry in insats.schedule]
    if before != after:
        record_event("schedule-changed", user=by, forbund_id=insats.forbund_id, subject=insats.slug,
               detail={"insats": insats.id, "before": before, "after": after})
    return insats.schedule


def _schedule_row_problems(index: int, row: ScheduleRow,
                           instruments: Mapping[str, Instrument]) -> list[Problem]:
    here = f"Rad {index + 1}"
    instrument = instruments.get(row.instrument_id)
    problems = []
    if instrument is None:
        problems.append(Problem("instrument_id", f"{here}: välj en enkät i listan.", index))
    elif not row.timepoint:
        problems.append(Problem("timepoint", f"{here}: skriv mätpunkten, "
                                             f"{_timepoints_said(instrument)}.", index))
    else:
        problems += _timepoint_problems(here, index, row, instrument)
    if row.trigger is None:
        problems.append(Problem("trigger", f"{here}: välj när enkäten ska besvaras.", index))
    else:
        problems += _days_problems(here, index, row)
    return problems


def _timepoint_problems(here: str, index: int, row: ScheduleRow,
                        instrument: Instrument) -> list[Problem]:
    title = instrument.title.get("sv") or instrument.id
    if row.timepoint not in instrument.timepoints and not instrument.matches_timepoint(
            row.timepoint):
        return [Problem("timepoint", f"{here}: {title} har inte mätpunkten ”{row.timepoint}”; "
                                     f"{_timepoints_said(instrument)}.", index)]
    numbered = "{n}" in row.timepoint
    if row.trigger in REPEATING and not numbered:
        return [Problem("timepoint", f"{here}: ”{TRIGGER_NAMES[row.trigger]}” återkommer och "
                                     "behöver en mätpunkt med {n}, som räknas upp, till exempel "
                                     "session-{n} eller uppfoljning-{n}m.", index)]
    if row.trigger is not None and row.trigger not in REPEATING and numbered:
        return [Problem("timepoint", f"{here}: ”{TRIGGER_NAMES[row.trigger]}” sker en gång och "
                                     "behöver en bestämd mätpunkt utan {n}, till exempel "
                                     "start eller avslut.", index)]
    return []


def _timepoints_said(instrument: Instrument) -> str:
    quoted = ", ".join(f"”{timepoint}”" for timepoint in instrument.timepoints)
    return f"den har {quoted}" if len(instrument.timepoints) > 1 else f"den har bara {quoted}"


def _days_problems(here: str, index: int, row: ScheduleRow) -> list[Problem]:
    name = TRIGGER_NAMES[row.trigger]
    if row.trigger in NEEDS_DAYS:
        if row.days is None:
            return [Problem("days", f"{here}: skriv antal dagar för ”{name}”.", index)]
        if not 1 <= row.days <= MAX_SCHEDULE_DAYS:
            return [Problem("days", f"{here}: antal dagar ska vara från 1 till "
                                    f"{MAX_SCHEDULE_DAYS}.", index)]
    elif row.days is not None:
        return [Problem("days", f"{here}: lämna dagar tomt för ”{name}”; den tiden bestäms "
                                "av deltagarens start, träffar eller avslut.", index)]
    return []


def _repeated_rows(rows: Sequence[ScheduleRow]) -> list[Problem]:
    """A deltagare answers an instrument once at a timepoint, so a pair appears once."""
    first: dict[tuple[str, str], int] = {}
    problems = []
    for index, row in enumerate(rows):
        key = (row.instrument_id, row.timepoint)
        if key in first:
            problems.append(Problem("timepoint", f"Rad {index + 1}: {row.instrument_id} vid "
                                                 f"”{row.timepoint}” står redan på rad "
                                                 f"{first[key] + 1}.", index))
        else:
            first[key] = index
    return problems


def _schedule_line(entry: ScheduleEntry) -> str:
    days = f" {entry.days}" if entry.days is not None else ""
    return f"{entry.instrument_id} {entry.timepoint} {entry.trigger.value}{days}"


def schedule_said(entry: ScheduleEntry | ScheduleRow) -> str:
    """"efter 90 dagar", "vid avslut": when a schedule line falls due, in Swedish."""
    name = TRIGGER_NAMES[entry.trigger]
    return name.replace("N", str(entry.days)) if entry.days is not None else name


# --- goals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRow:
    description: str
    indicator: str
    comparison: str
    target: float | None = None  # a share 0..1, for `at_least_share`


def goal_indicators() -> dict[str, str]:
    """The indicators a goal can name (see `reports.goals`), with their Swedish names."""
    named = {goal_rules.TO_WORK_OR_STUDIES: "Till arbete eller studier efter avslut"}
    for instrument_id in NNS_DELTAGARE:
        instrument = bundled_instruments().get(instrument_id)
        for indicator in instrument.indicators if instrument else ():
            named.setdefault(indicator.id, indicator.label.get("sv") or indicator.id)
    return named


def replace_goals(insats: Insats, rows: Sequence[GoalRow], *, by: User | None) -> list[Goal]:
    """Make `rows` the insats' goals, in order, or refuse and change nothing."""
    indicators = goal_indicators()
    problems = [problem for index, row in enumerate(rows)
                for problem in _goal_problems(index, row, indicators)]
    _refuse_if(problems)
    before = [_goal_facts(goal) for goal in insats.goals]
    insats.goals = [Goal(position=position, description=row.description.strip(),
                         indicator=row.indicator, comparison=row.comparison,
                         target=row.target if row.comparison == goal_rules.AT_LEAST else None)
                    for position, row in enumerate(rows)]
    db.session.flush()
    after = [_goal_facts(goal) for goal in insats.goals]
    if before != after:
        record_event("goals-changed", user=by, forbund_id=insats.forbund_id, subject=insats.slug,
               detail={"insats": insats.id, "before": before, "after": after})
    return insats.goals


def _goal_problems(index: int, row: GoalRow, indicators: Mapping[str, str]) -> list[Problem]:
    here = f"Mål {index + 1}"
    problems = []
    if not row.description.strip():
        problems.append(Problem("description", f"{here}: beskriv målet.", index))
    elif len(row.description.strip()) > MAX_GOAL_LENGTH:
        problems.append(Problem("description", f"{here}: beskrivningen får vara högst "
                                               f"{MAX_GOAL_LENGTH} tecken.", index))
    if row.indicator not in indicators:
        problems.append(Problem("indicator", f"{here}: ”{row.indicator}” är ingen indikator som "
                                             "enkat mäter. Välj en i listan.", index))
    if row.comparison not in COMPARISON_NAMES:
        problems.append(Problem("comparison", f"{here}: välj hur målet jämförs.", index))
    elif row.comparison == goal_rules.AT_LEAST:
        if row.target is None:
            problems.append(Problem("target", f"{here}: skriv målvärdet i procent.", index))
        elif not 0 <= row.target <= 1:
            problems.append(Problem("target", f"{here}: målvärdet ska vara mellan 0 och "
                                              "100 procent.", index))
    elif row.target is not None:
        problems.append(Problem("target", f"{here}: lämna målvärdet tomt när målet jämförs "
                                          "med en tidigare period.", index))
    return problems


def _goal_facts(goal: Goal) -> dict:
    return {"description": goal.description, "indicator": goal.indicator,
            "comparison": goal.comparison, "target": goal.target}


# --- users ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A user of the förbund as its administrators see them."""

    user: User
    role: Role
    insatser: tuple[Insats, ...]


def role_in(forbund: Forbund, user: User) -> Role | None:
    return db.session.scalar(select(Membership.role).where(
        Membership.forbund_id == forbund.id, Membership.user_id == user.id))


def forbund_members(forbund: Forbund) -> list[Member]:
    """The förbund's users, active ones first, by name, with the insatser they work in."""
    memberships = db.session.scalars(
        select(Membership).join(User).where(Membership.forbund_id == forbund.id)
        .order_by(User.active.desc(), User.display_name, User.email)
    ).all()
    return [Member(m.user, m.role, tuple(insatser_of(m.user, forbund))) for m in memberships]


def find_member(forbund: Forbund, user_id: int) -> Member | None:
    membership = db.session.scalar(
        select(Membership).where(Membership.forbund_id == forbund.id,
                                 Membership.user_id == user_id)
    )
    if membership is None:
        return None
    return Member(membership.user, membership.role,
                  tuple(insatser_of(membership.user, forbund)))


def insatser_of(user: User, forbund: Forbund) -> list[Insats]:
    return list(db.session.scalars(
        select(Insats).join(InsatsStaff, InsatsStaff.insats_id == Insats.id)
        .where(InsatsStaff.user_id == user.id, Insats.forbund_id == forbund.id)
        .order_by(Insats.name)
    ))


@dataclass(frozen=True)
class NewUser:
    email: str
    display_name: str
    role: Role
    password: str
    insatser: tuple[Insats, ...] = ()


def add_user(forbund: Forbund, new: NewUser, *, by: User | None) -> User:
    """A new user of the förbund with a first password, and the insatser they work in."""
    email = new.email.strip().lower()
    problems = _email_problems(email, forbund) + _name_problems(new.display_name)
    problems += _password_problems(new.password, email, new.display_name.strip())
    _refuse_if(problems)
    user = create_user(email, new.password, new.display_name.strip())
    grant_role(user, forbund, new.role)
    _place_in(user, forbund, new.insatser)
    record_event("user-created", user=by, forbund_id=forbund.id, subject=user.email,
           detail={"user": user.id, "role": new.role.value,
                   "insatser": [insats.slug for insats in new.insatser]})
    return user


def update_member(forbund: Forbund, member: Member, *, display_name: str, role: Role,
                  insatser: Sequence[Insats], by: User) -> Member:
    """Change a user's name, role and insatser. An administrator keeps their own role, so
    a förbund is never left without someone who can put things right."""
    problems = _name_problems(display_name)
    if member.user.id == by.id and member.role is Role.ADMIN and role is not Role.ADMIN:
        problems.append(Problem("role", "Du kan inte ta bort din egen roll som administratör. "
                                        "Be en annan administratör att ändra den."))
    _refuse_if(problems)
    user = member.user
    before = {"display_name": user.display_name, "role": member.role.value,
              "insatser": [insats.slug for insats in member.insatser]}
    user.display_name = display_name.strip()
    grant_role(user, forbund, role)
    _place_in(user, forbund, insatser)
    after = {"display_name": user.display_name, "role": role.value,
             "insatser": sorted(insats.slug for insats in insatser)}
    before["insatser"] = sorted(before["insatser"])
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        record_event("user-changed", user=by, forbund_id=forbund.id, subject=user.email,
               detail={"user": user.id, "changed": changed})
    return find_member(forbund, user.id)


def change_role(forbund: Forbund, member: Member, role: Role, *, by: User) -> Member:
    return update_member(forbund, member, display_name=member.user.display_name, role=role,
                         insatser=member.insatser, by=by)


def set_insats_staff(forbund: Forbund, member: Member, insatser: Sequence[Insats], *,
                     by: User) -> Member:
    return update_member(forbund, member, display_name=member.user.display_name,
                         role=member.role, insatser=insatser, by=by)


def _place_in(user: User, forbund: Forbund, insatser: Sequence[Insats]) -> None:
    """Make `insatser` (of this förbund) exactly the ones the user works in there."""
    wanted = {insats.id for insats in insatser if insats.forbund_id == forbund.id}
    current = {insats.id for insats in insatser_of(user, forbund)}
    for insats_id in current - wanted:
        db.session.delete(db.session.get(InsatsStaff, (insats_id, user.id)))
    for insats_id in wanted - current:
        db.session.add(InsatsStaff(insats_id=insats_id, user_id=user.id))
    db.session.flush()
    for insats in forbund.insatser:
        db.session.expire(insats, ["staff"])


def deactivate_user(forbund: Forbund, member: Member, *, by: User) -> User:
    """Stop a user from signing in. Users are never deleted: what they answered, entered
    and sent stays theirs in the records."""
    if member.user.id == by.id:
        raise Refused([Problem("user", "Du kan inte inaktivera dig själv. Be en annan "
                                       "administratör om det.")])
    member.user.active = False
    sign_ins.end_all(member.user)  # signed out on every device, now
    db.session.flush()
    record_event("user-deactivated", user=by, forbund_id=forbund.id, subject=member.user.email,
           detail={"user": member.user.id})
    return member.user


def reactivate_user(forbund: Forbund, member: Member, *, by: User) -> User:
    member.user.active = True
    db.session.flush()
    record_event("user-changed", user=by, forbund_id=forbund.id, subject=member.user.email,
           detail={"user": member.user.id, "changed": {"active": [False, True]}})
    return member.user


#: An address another förbund's user has. The administrator is told it cannot be used,
#: never that it belongs to someone, let alone to which förbund.
ADDRESS_NOT_USABLE = ("Den här e-postadressen kan inte användas för en ny användare. Välj en "
                      "annan adress, eller be den som driftar enkat om hjälp.")


def _email_problems(email: str, forbund: Forbund) -> list[Problem]:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return [Problem("email", "Skriv en e-postadress, till exempel anna@forbund.se.")]
    if len(email) > 254:
        return [Problem("email", "E-postadressen får vara högst 254 tecken.")]
    existing = find_user(email)
    if existing is None:
        return []
    if role_in(forbund, existing) is None:
        return [Problem("email", ADDRESS_NOT_USABLE)]
    return [Problem("email", f"Det finns redan en användare med e-postadressen {email}.")]


def _name_problems(display_name: str) -> list[Problem]:
    if not display_name.strip():
        return [Problem("display_name", "Skriv användarens namn.")]
    if len(display_name.strip()) > MAX_NAME_LENGTH:
        return [Problem("display_name", f"Namnet får vara högst {MAX_NAME_LENGTH} tecken.")]
    return []


def _password_problems(password: str, email: str, name: str) -> list[Problem]:
    problem = password_problem(password, email=email, name=name)
    return [Problem("password", problem)] if problem else []
