"""What people write in a document: the words of its text sections (autosaved), a comment
per goal, the entered figures of the ekonomisk rapport, and the insats' beviljat medel.

Words are saved with a revision: a save names the revision it was written on, and is
refused (`StaleText`, with the stored words) when someone saved in between, so no save
overwrites words its writer never saw. The update is conditional on the revision in the
database itself, so two saves at the same moment cannot both win.

Audit: autosave saves every few seconds, so the log gets the first save of a section by
a user in a day (`Action.DOCUMENT_TEXT_SAVED`), not every save; a section's row always
says who saved it last and when.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from enkat.config import local_zone
from enkat.extensions import db
from enkat.models import DocumentFigure, DocumentText, Insats, ReportDocument, Role, User, utcnow
from enkat.reports.filed.templates import SectionSpec
from enkat.services import FieldProblem, refuse_if
from enkat.services.audit.events import Action, record_event
from enkat.services.people.users import role_in

from .common import (
    DocumentError,
    StaleText,
    record_step,
    require_editable,
    require_writer,
    template_of,
)
from .content import GOAL_KEY

MAX_TEXT_LENGTH = 100_000
MAX_REMARK_LENGTH = 500
#: The most kronor a figure takes (a sanity bound: ten billion).
MAX_KRONOR = 10_000_000_000
#: Figures as a form sends them: whole kronor, a text such as "125 000", or empty.
Kronor = int | str | None
_SPACES = re.compile(r"[\s\u00a0\u202f]")


@dataclass(frozen=True)
class SavedText:
    """A save that went through: the revision to send with the next save, and when."""

    revision: int
    saved_at: dt.datetime


def save_text(document: ReportDocument, section_key: str, text: str, by: User,
              revision: int) -> SavedText:
    """Save a text section's words, written on `revision` (0 before the first save)."""
    require_writer(document, by)
    require_editable(document)
    section = _section(document, section_key)
    if not section.is_written:
        raise DocumentError(f"Avsnittet ”{section.heading}” fylls av enkat; det skrivs inte.")
    return _save(document, section_key, text, by, revision)


def save_goal_comment(document: ReportDocument, goal_position: int, text: str, by: User,
                      revision: int | None = None) -> SavedText:
    """Save the comment on a goal (its row in the goal table, from 0). With `revision`,
    refused as `save_text` is when someone saved in between; without, the last save wins."""
    require_writer(document, by)
    require_editable(document)
    goals = document.insats.goals if document.insats else []
    if not any(section.kind == "goals" for section in template_of(document).sections):
        raise DocumentError("Rapporten har ingen måltabell.")
    if not 0 <= goal_position < len(goals):
        raise DocumentError(f"Insatsen har inget mål nr {goal_position + 1}.")
    key = GOAL_KEY.format(goal_position)
    if revision is None:
        revision = _stored_revision(document, key)
    return _save(document, key, text, by, revision)


def save_figures(document: ReportDocument, section_key: str,
                 rows: Mapping[str, tuple[Kronor, Kronor, str]], by: User) -> None:
    """Save the budget, utfall and remark of rows of an entered-figures section: whole
    kronor, 0 or more, or empty. All rows or none: a wrong one refuses them all."""
    require_writer(document, by)
    require_editable(document)
    section = _section(document, section_key)
    if section.kind != "figures":
        raise DocumentError(f"Avsnittet ”{section.heading}” har inga belopp att fylla i.")
    labels = {row.key: row.label for row in section.rows}
    problems: list[FieldProblem] = []
    parsed = {}
    for row_key, (budget, utfall, remark) in rows.items():
        if row_key not in labels:
            problems.append(FieldProblem(row_key, f"Raden ”{row_key}” finns inte i avsnittet."))
            continue
        label = labels[row_key]
        parsed[row_key] = (_kronor(budget, f"{row_key}-budget", f"{label}: budget", problems),
                           _kronor(utfall, f"{row_key}-utfall", f"{label}: utfall", problems),
                           (remark or "").strip())
        if len(parsed[row_key][2]) > MAX_REMARK_LENGTH:
            problems.append(FieldProblem(f"{row_key}-remark", f"{label}: anmärkningen får vara "
                                                              f"högst {MAX_REMARK_LENGTH} tecken."))
    refuse_if(problems)
    stored = {(f.section_key, f.row_key): f for f in document.figures}
    changed = []
    for row_key, (budget, utfall, remark) in parsed.items():
        figure = stored.get((section_key, row_key))
        if figure is None:
            figure = DocumentFigure(section_key=section_key, row_key=row_key)
            document.figures.append(figure)
        if (figure.budget, figure.utfall, figure.remark) != (budget, utfall, remark):
            figure.budget, figure.utfall, figure.remark = budget, utfall, remark
            changed.append(row_key)
    db.session.flush()
    if changed:
        record_step(Action.DOCUMENT_FIGURES_SAVED, document, by, section=section_key,
                    changed=changed)


def set_granted_kronor(insats: Insats, kronor: Kronor, by: User) -> Insats:
    """Set the insats' beviljat medel (whole kronor, or empty); the förbund's
    administrators do."""
    if role_in(insats.forbund, by) != Role.ADMIN:
        raise DocumentError("Bara förbundets administratörer anger beviljat medel.")
    problems: list[FieldProblem] = []
    value = _kronor(kronor, "granted_kronor", "Beviljat medel", problems)
    refuse_if(problems)
    if value != insats.granted_kronor:
        before, insats.granted_kronor = insats.granted_kronor, value
        db.session.flush()
        record_event(Action.INSATS_CHANGED, user=by, forbund_id=insats.forbund_id,
                     subject=insats.slug,
                     detail={"insats": insats.id, "changed": ["granted_kronor"],
                             "before": before, "after": value})
    return insats


def _section(document: ReportDocument, key: str) -> SectionSpec:
    try:
        return template_of(document).section(key)
    except KeyError:
        raise DocumentError(f"Rapporten har inget avsnitt ”{key}”.") from None


def _stored_revision(document: ReportDocument, key: str) -> int:
    stored = _stored(document, key)
    return stored.revision if stored else 0


def _stored(document: ReportDocument, key: str) -> DocumentText | None:
    return next((text for text in document.texts if text.section_key == key), None)


def _save(document: ReportDocument, key: str, text: str, by: User,
          revision: int) -> SavedText:
    words = text.replace("\r\n", "\n")
    if len(words) > MAX_TEXT_LENGTH:
        raise DocumentError(f"Texten är för lång: högst {MAX_TEXT_LENGTH} tecken i ett avsnitt.")
    stored = _stored(document, key)
    if stored is not None:
        db.session.refresh(stored)  # what is in the database now, not what was read before
    current = stored.revision if stored else 0
    if revision != current:
        raise _stale(stored)
    if stored is not None and stored.text == words:
        return SavedText(stored.revision, stored.updated_at)
    now = utcnow()
    first_today = (stored is None or stored.updated_by_id != by.id
                   or _day(stored.updated_at) != _day(now))
    if stored is None:
        if not _inserted(document, key, words, by, now):
            raise _stale(_stored(document, key))
    elif not _updated(stored, words, by, now):
        db.session.refresh(stored)
        raise _stale(stored)
    if first_today:
        record_step(Action.DOCUMENT_TEXT_SAVED, document, by, section=key)
    return SavedText(revision + 1, now)


def _inserted(document: ReportDocument, key: str, words: str, by: User,
              now: dt.datetime) -> bool:
    """Write a section's first words, unless someone else's first words got there first
    (the unique section key refuses the second)."""
    try:
        with db.session.begin_nested():
            db.session.execute(insert(DocumentText).values(
                document_id=document.id, section_key=key, text=words, revision=1,
                updated_at=now, updated_by_id=by.id))
    except IntegrityError:
        return False
    finally:
        db.session.expire(document, ["texts"])
    return True


def _updated(stored: DocumentText, words: str, by: User, now: dt.datetime) -> bool:
    """Write the words only if the row is still at the revision they were written on."""
    result = db.session.execute(
        update(DocumentText)
        .where(DocumentText.id == stored.id, DocumentText.revision == stored.revision)
        .values(text=words, revision=stored.revision + 1, updated_at=now,
                updated_by_id=by.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.session.refresh(stored)
    return True


def _stale(stored: DocumentText | None) -> StaleText:
    if stored is None:  # saved and gone cannot happen: texts are never deleted
        return StaleText("", 0, "Någon")
    who = stored.updated_by.display_name if stored.updated_by else "Någon"
    return StaleText(stored.text, stored.revision, who)


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(local_zone()).date()


def _kronor(value: Kronor, field: str, named: str, problems: list[FieldProblem]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        digits = _SPACES.sub("", value).removesuffix("kr")
        if not (digits.isascii() and digits.isdigit()):
            problems.append(FieldProblem(field, f"{named} ska vara hela kronor (0 eller mer), "
                                                f"till exempel 125000; ”{value}” är inte det."))
            return None
        value = int(digits)
    if isinstance(value, bool) or not 0 <= value <= MAX_KRONOR:
        problems.append(FieldProblem(field, f"{named} ska vara hela kronor, från 0 till "
                                            f"{MAX_KRONOR:,}".replace(",", " ") + "."))
        return None
    return value
