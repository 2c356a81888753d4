"""Insatser: finding them, and creating and changing them.

`create_insats` is the one place an insats is made (the command line's import, the demo,
and `add_insats`). `add_insats` and `update_insats` are the förbund administrator's: they
check the whole form first, say what is wrong in Swedish (`FieldProblem.message`) and
change nothing when they refuse, and write every change to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    Enrolment,
    Forbund,
    Insats,
    InsatsKind,
    User,
)
from enkat.services import MAX_NAME_LENGTH, FieldProblem, NotFound, ServiceError, refuse_if
from enkat.services.audit.events import Action, record_event
from enkat.services.organisation.forbund import SLUG_PATTERN, check_slug

MAX_TRIAL_PERIOD_DAYS = 365
KIND_NAMES = {InsatsKind.INDIVID: "Individinriktad", InsatsKind.STRUKTUR: "Strukturinriktad"}


class AmbiguousInsats(ServiceError):
    pass


def find_insats(forbund: Forbund, slug: str) -> Insats | None:
    return db.session.scalar(
        select(Insats).where(Insats.forbund_id == forbund.id, Insats.slug == slug)
    )


def get_insats(forbund: Forbund, slug: str) -> Insats:
    insats = find_insats(forbund, slug)
    if insats is None:
        raise NotFound(f'okänd insats "{slug}" i {forbund.slug}')
    return insats


def find_insats_anywhere(slug: str) -> Insats:
    """The insats with this slug when exactly one förbund has one (for the command line)."""
    found = db.session.scalars(select(Insats).where(Insats.slug == slug)).all()
    if not found:
        raise NotFound(f'okänd insats "{slug}"')
    if len(found) > 1:
        owners = ", ".join(sorted(insats.forbund.slug for insats in found))
        raise AmbiguousInsats(f'insatsen "{slug}" finns i flera förbund ({owners})')
    return found[0]


def create_insats(
    forbund: Forbund,
    slug: str,
    name: str,
    *,
    huvudman: str = "",
    kind: InsatsKind = InsatsKind.INDIVID,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    trial_period_days: int = 90,
) -> Insats:
    if find_insats(forbund, slug) is not None:
        raise ServiceError(f'insatsen "{slug}" finns redan i {forbund.slug}')
    insats = Insats(
        forbund_id=forbund.id,
        slug=check_slug(slug),
        name=name,
        huvudman=huvudman,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        trial_period_days=trial_period_days,
    )
    db.session.add(insats)
    db.session.flush()
    return insats


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
    refuse_if(problems)
    insats = create_insats(
        forbund, slug, details.name.strip(), huvudman=details.huvudman.strip(),
        kind=details.kind, starts_on=details.starts_on, ends_on=details.ends_on,
        trial_period_days=details.trial_period_days,
    )
    record_event(Action.INSATS_CREATED, user=by, forbund_id=forbund.id, subject=insats.slug,
                 detail={"insats": insats.id, **_insats_facts(insats)})
    return insats


def update_insats(insats: Insats, details: InsatsDetails, *, by: User | None) -> Insats:
    """Change what an administrator may change; the slug stays, since addresses and
    exported files name the insats by it."""
    problems = _details_problems(details) + _name_taken(insats.forbund, details.name,
                                                        other_than=insats)
    if details.kind is InsatsKind.STRUKTUR and insats.kind is not InsatsKind.STRUKTUR \
            and _has_enrolments(insats):
        problems.append(FieldProblem("kind", "Insatsen har deltagare och kan inte bli "
                                             "strukturinriktad. En strukturinriktad insats har "
                                             "inga deltagare."))
    refuse_if(problems)
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
        record_event(Action.INSATS_CHANGED, user=by, forbund_id=insats.forbund_id,
                     subject=insats.slug,
                     detail={"insats": insats.id, "changed": changed})
    return insats


def record_list_change(action: Action, insats: Insats, by: User | None,
                       before: list[object], after: list[object]) -> None:
    """Write a replaced list of the insats (its schedule, its goals) to the audit log, as
    it was and as it is, when it changed."""
    if before != after:
        record_event(action, user=by, forbund_id=insats.forbund_id, subject=insats.slug,
                     detail={"insats": insats.id, "before": before, "after": after})


def _details_problems(details: InsatsDetails) -> list[FieldProblem]:
    problems = []
    if not details.name.strip():
        problems.append(FieldProblem("name", "Skriv insatsens namn."))
    elif len(details.name.strip()) > MAX_NAME_LENGTH:
        problems.append(FieldProblem("name", f"Namnet får vara högst {MAX_NAME_LENGTH} tecken."))
    if len(details.huvudman.strip()) > MAX_NAME_LENGTH:
        problems.append(FieldProblem("huvudman",
                                     f"Huvudmannen får vara högst {MAX_NAME_LENGTH} tecken."))
    if details.starts_on is None:
        problems.append(FieldProblem("starts_on", "Skriv startdatum som år-månad-dag, "
                                                  "till exempel 2025-01-01."))
    elif details.ends_on is not None and details.ends_on < details.starts_on:
        problems.append(FieldProblem("ends_on", "Slutdatum kan inte vara före startdatum "
                                                f"({details.starts_on.isoformat()})."))
    trial = details.trial_period_days
    if trial is None or not 0 <= trial <= MAX_TRIAL_PERIOD_DAYS:
        problems.append(FieldProblem("trial_period_days", "Prövotiden ska vara ett helt "
                                                          "antal dagar från 0 till "
                                                          f"{MAX_TRIAL_PERIOD_DAYS}."))
    return problems


def _name_taken(forbund: Forbund, name: str,
                other_than: Insats | None = None) -> list[FieldProblem]:
    """Two insatser of one förbund never share a name: every list, report and download
    names an insats by it. Case and spacing do not make a name another."""
    wanted = _same_name_key(name)
    taken = any(_same_name_key(insats.name) == wanted for insats in forbund.insatser
                if insats is not other_than)
    if not wanted or not taken:
        return []
    return [FieldProblem("name", f"Förbundet har redan en insats som heter ”{name.strip()}”. "
                                 "Välj ett namn som skiljer dem åt, till exempel med ort, "
                                 "målgrupp eller år.")]


def _same_name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _slug_problems(forbund: Forbund, slug: str) -> list[FieldProblem]:
    if not SLUG_PATTERN.match(slug) or len(slug) > 64:
        return [FieldProblem("slug", "Kortnamnet får bara ha små bokstäver a–z, siffror och "
                                     "bindestreck mellan dem, högst 64 tecken, till exempel "
                                     "steget-vidare.")]
    if find_insats(forbund, slug) is not None:
        return [FieldProblem("slug", f"Förbundet har redan en insats med kortnamnet ”{slug}”. "
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
