"""A document's life: made as a draft, sent to the förbund (its figures frozen), commented
on, returned for changes or approved, and followed by a new version. Each step checks
who takes it and from which status, refuses in Swedish before changing anything, and is
written to the audit log.

    draft ──send──▶ sent ──approve──▶ approved
      ▲               │  ▲               │
      │            return send           new_version (a new draft, version + 1)
      │               ▼  │               │
      │            returned              │
      └──────────────────────────────────┘
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import (
    AuditEvent,
    DocumentComment,
    DocumentFigure,
    DocumentStatus,
    DocumentText,
    Forbund,
    Insats,
    ReportDocument,
    Role,
    User,
    utcnow,
)
from enkat.reports.filed.compose import STATUS_NAMES
from enkat.reports.filed.templates import KINDS, template_data
from enkat.reports.period import Period
from enkat.services.audit.events import LABELS, Action
from enkat.services.people.users import role_in

from .common import (
    DocumentError,
    kind_name,
    may_review,
    may_write,
    record_step,
    require_kind,
    require_reviewer,
    require_status,
    require_writer,
)
from .content import snapshot_of
from .templates import template_for

MAX_COMMENT_LENGTH = 10_000
#: The audit actions of documents, as `history` lists them.
DOCUMENT_ACTIONS = (Action.DOCUMENT_CREATED, Action.DOCUMENT_SENT, Action.DOCUMENT_RETURNED,
                    Action.DOCUMENT_APPROVED, Action.DOCUMENT_NEW_VERSION,
                    Action.DOCUMENT_COMMENTED, Action.DOCUMENT_TEXT_SAVED,
                    Action.DOCUMENT_FIGURES_SAVED)


def period_of(start: dt.date, end: dt.date) -> Period:
    """A document's period, or a Swedish refusal when it ends before it starts."""
    if end < start:
        raise DocumentError(f"Perioden slutar {end.isoformat()}, före den börjar "
                            f"{start.isoformat()}.")
    return Period(start, end)


def create_document(forbund: Forbund, insats: Insats | None, kind: str, period: Period,
                    by: User) -> ReportDocument:
    """A new draft of `kind` about `insats` (None for the förbund's helårsrapport), made
    with the förbund's template of the kind as it is now."""
    require_kind(kind)
    _require_subject(forbund, insats, kind)
    _require_creator(forbund, insats, by)
    _require_new(forbund, insats, kind, period)
    document = ReportDocument(
        forbund=forbund, insats=insats, kind=kind, period_start=period.start,
        period_end=period.end, status=DocumentStatus.DRAFT, version=1,
        template=template_data(template_for(forbund, kind)), created_by_id=by.id,
        created_at=utcnow())
    db.session.add(document)
    db.session.flush()
    record_step(Action.DOCUMENT_CREATED, document, by)
    return document


def documents_for(forbund: Forbund, insats: Insats | None = None) -> list[ReportDocument]:
    """The förbund's documents (with `insats`, that insats' only), newest period first,
    each kind's versions newest first."""
    query = select(ReportDocument).where(ReportDocument.forbund_id == forbund.id)
    if insats is not None:
        query = query.where(ReportDocument.insats_id == insats.id)
    return list(db.session.scalars(query.order_by(
        ReportDocument.period_end.desc(), ReportDocument.period_start.desc(),
        ReportDocument.kind, ReportDocument.insats_id, ReportDocument.version.desc())))


def get_document(forbund: Forbund, document_id: int) -> ReportDocument:
    """The förbund's document by id; LookupError for any other (or none)."""
    document = db.session.get(ReportDocument, document_id)
    if document is None or document.forbund_id != forbund.id:
        raise LookupError(f"förbundet har ingen rapport nr {document_id}")
    return document


def send(document: ReportDocument, by: User) -> ReportDocument:
    """Send a draft (or a returned document) to the förbund: the report's figures and the
    insats' facts are frozen now, with the time."""
    require_writer(document, by)
    require_status(document, (DocumentStatus.DRAFT, DocumentStatus.RETURNED),
                   _already(document, "skickad"))
    now = utcnow()
    document.snapshot = snapshot_of(document, now)
    document.snapshot_at = document.sent_at = now
    document.sent_by_id = by.id
    document.status = DocumentStatus.SENT
    db.session.flush()
    record_step(Action.DOCUMENT_SENT, document, by)
    return document


def comment(document: ReportDocument, text: str, by: User) -> DocumentComment:
    """A comment from the förbund or from the writers, in any status."""
    if not (may_review(by, document) or may_write(by, document)):
        raise DocumentError("Du kan inte kommentera den här rapporten.")
    return _add_comment(document, text, by, None, Action.DOCUMENT_COMMENTED)


def return_for_changes(document: ReportDocument, text: str, by: User) -> ReportDocument:
    """The förbund returns a sent document to its writers, saying what to change."""
    require_reviewer(document, by)
    require_status(document, (DocumentStatus.SENT,),
                   "Bara en skickad rapport kan återsändas"
                   f"{_now_status(document)}.")
    _require_latest(document)
    if not text.strip():
        raise DocumentError("Skriv vad som behöver kompletteras innan du återsänder rapporten.")
    _add_comment(document, text, by, DocumentStatus.RETURNED, None)
    document.status = DocumentStatus.RETURNED
    db.session.flush()
    record_step(Action.DOCUMENT_RETURNED, document, by)
    return document


def approve(document: ReportDocument, by: User, text: str = "") -> ReportDocument:
    """The förbund approves a sent document; it stays as it was sent."""
    require_reviewer(document, by)
    require_status(document, (DocumentStatus.SENT,),
                   f"Bara en skickad rapport kan godkännas{_now_status(document)}.")
    _require_latest(document)
    if text.strip():
        _add_comment(document, text, by, DocumentStatus.APPROVED, None)
    document.status = DocumentStatus.APPROVED
    document.approved_at, document.approved_by_id = utcnow(), by.id
    db.session.flush()
    record_step(Action.DOCUMENT_APPROVED, document, by)
    return document


def new_version(document: ReportDocument, by: User) -> ReportDocument:
    """A new draft made from a sent or approved document: its template, words and
    entered figures (not its comments), version + 1. The old one stays as it was."""
    if not (may_review(by, document) or may_write(by, document)):
        raise DocumentError("Du kan inte göra en ny version av den här rapporten.")
    require_status(document, (DocumentStatus.SENT, DocumentStatus.APPROVED),
                   "En ny version görs av en skickad eller godkänd rapport; den här "
                   f"går att ändra direkt{_now_status(document)}.")
    if newer_version(document) is not None:
        raise DocumentError(f"Det finns redan en version {document.version + 1} av rapporten.")
    made = ReportDocument(
        forbund_id=document.forbund_id, insats_id=document.insats_id, kind=document.kind,
        period_start=document.period_start, period_end=document.period_end,
        status=DocumentStatus.DRAFT, version=document.version + 1, previous_id=document.id,
        template=document.template, created_by_id=by.id, created_at=utcnow(),
        texts=[DocumentText(section_key=t.section_key, text=t.text, revision=1,
                            updated_at=t.updated_at, updated_by_id=t.updated_by_id)
               for t in document.texts],
        figures=[DocumentFigure(section_key=f.section_key, row_key=f.row_key, budget=f.budget,
                                utfall=f.utfall, remark=f.remark) for f in document.figures])
    db.session.add(made)
    db.session.flush()
    record_step(Action.DOCUMENT_NEW_VERSION, made, by, previous=document.id)
    return made


def newer_version(document: ReportDocument) -> ReportDocument | None:
    return db.session.scalar(select(ReportDocument).where(
        ReportDocument.previous_id == document.id))


@dataclass(frozen=True)
class HistoryEntry:
    """One audited step of a document, as its review page lists it."""

    occurred_at: dt.datetime
    action: str
    label: str
    user: str
    detail: dict[str, Any]


def history(document: ReportDocument) -> list[HistoryEntry]:
    """The document's audited steps, oldest first."""
    found = db.session.execute(
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.forbund_id == document.forbund_id,
               AuditEvent.action.in_([action.value for action in DOCUMENT_ACTIONS]),
               AuditEvent.detail["document"].as_integer() == document.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id))
    return [HistoryEntry(event.occurred_at, event.action, LABELS[Action(event.action)],
                         "–" if name is None else name, event.detail or {})
            for event, name in found]


def _require_latest(document: ReportDocument) -> None:
    newer = newer_version(document)
    if newer is not None:
        raise DocumentError(f"Det finns en nyare version (version {newer.version}) av "
                            "rapporten; granska den i stället.")


def _add_comment(document: ReportDocument, text: str, by: User,
                 status_change: DocumentStatus | None,
                 action: Action | None) -> DocumentComment:
    words = text.replace("\r\n", "\n").strip()
    if not words:
        raise DocumentError("Skriv en kommentar.")
    if len(words) > MAX_COMMENT_LENGTH:
        raise DocumentError(f"En kommentar får vara högst {MAX_COMMENT_LENGTH} tecken.")
    made = DocumentComment(author_id=by.id, text=words, created_at=utcnow(),
                           status_change=status_change)
    document.comments.append(made)
    db.session.flush()
    if action is not None:
        record_step(action, document, by)
    return made


def _require_subject(forbund: Forbund, insats: Insats | None, kind: str) -> None:
    name = kind_name(kind)
    if KINDS[kind].per_insats and insats is None:
        raise DocumentError(f"En {name.lower()} skrivs om en insats: välj vilken.")
    if not KINDS[kind].per_insats and insats is not None:
        raise DocumentError(f"En {name.lower()} gäller hela förbundet, inte en insats.")
    if insats is not None and insats.forbund_id != forbund.id:
        raise DocumentError("Insatsen hör inte till förbundet.")


def _require_creator(forbund: Forbund, insats: Insats | None, by: User) -> None:
    role = role_in(forbund, by)
    if role == Role.ADMIN:
        return
    if insats is None or role is None or by not in insats.staff:
        raise DocumentError("Du kan inte skapa den här rapporten: det gör personalen i "
                            "insatsen och förbundets administratörer.")


def _require_new(forbund: Forbund, insats: Insats | None, kind: str, period: Period) -> None:
    about = (ReportDocument.insats_id == insats.id if insats is not None
             else ReportDocument.insats_id.is_(None))
    same = db.session.scalar(select(ReportDocument).where(
        ReportDocument.forbund_id == forbund.id, about,
        ReportDocument.kind == kind, ReportDocument.period_start == period.start,
        ReportDocument.period_end == period.end))
    if same is not None:
        raise DocumentError(
            f"Det finns redan en {kind_name(kind).lower()} för "
            f"{period.start.isoformat()}–{period.end.isoformat()}. Öppna den, eller gör en ny "
            "version av den.")


def _already(document: ReportDocument, word: str) -> str:
    if document.status == DocumentStatus.SENT:
        return "Rapporten är redan skickad."
    return f"Rapporten är godkänd och kan inte bli {word} igen. Gör en ny version."


def _now_status(document: ReportDocument) -> str:
    return f" (den här är: {STATUS_NAMES[document.status.value].lower()})"
