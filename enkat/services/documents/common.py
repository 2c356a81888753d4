"""What every part of the documents service shares: its errors, who may do what, the
template a document was made with, and how its steps are audited."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import DocumentStatus, InsatsStaff, ReportDocument, Role, User
from enkat.reports.filed.templates import KINDS, DocumentTemplate, load_data
from enkat.services import ServiceError
from enkat.services.audit.events import Action, record_event
from enkat.services.people.users import role_in

#: Statuses in which the writers may change the document.
EDITABLE = (DocumentStatus.DRAFT, DocumentStatus.RETURNED)


class DocumentError(ServiceError):
    """A step on a document refused; the message says why, in Swedish."""


class DocumentLocked(DocumentError):
    """The document is sent or approved: a record, no longer written in."""


class StaleText(DocumentError):
    """Someone saved the section after the page last loaded it. Nothing was saved; the
    stored words and their revision come with the refusal, so the page can show both."""

    def __init__(self, text: str, revision: int, by: str) -> None:
        super().__init__(f"{by} har sparat avsnittet efter att sidan hämtade det. Din text är "
                         "inte sparad: jämför med den sparade och spara igen.")
        self.text = text
        self.revision = revision
        self.by = by


def may_write(user: User, document: ReportDocument) -> bool:
    """The insats' personal write its documents; the förbund's administrators write the
    helårsrapport."""
    role = role_in(document.forbund, user)
    if role is None:
        return False
    if document.insats_id is None:
        return role == Role.ADMIN
    return db.session.scalar(select(InsatsStaff).where(
        InsatsStaff.insats_id == document.insats_id, InsatsStaff.user_id == user.id)) is not None


def may_review(user: User, document: ReportDocument) -> bool:
    """The förbund's administrators read, comment, return and approve."""
    return role_in(document.forbund, user) == Role.ADMIN


def require_writer(document: ReportDocument, by: User) -> None:
    if not may_write(by, document):
        raise DocumentError("Du kan inte skriva i den här rapporten: det gör personalen i "
                            "insatsen (helårsrapporten förbundets administratörer).")


def require_reviewer(document: ReportDocument, by: User) -> None:
    if not may_review(by, document):
        raise DocumentError("Bara förbundets administratörer granskar rapporter.")


def require_editable(document: ReportDocument) -> None:
    if document.status == DocumentStatus.SENT:
        raise DocumentLocked("Rapporten är skickad till förbundet och kan inte ändras. Förbundet "
                             "kan återsända den för komplettering.")
    if document.status == DocumentStatus.APPROVED:
        raise DocumentLocked("Rapporten är godkänd och kan inte ändras. Gör en ny version om "
                             "något behöver ändras.")


def require_status(document: ReportDocument, allowed: Collection[DocumentStatus],
                   message: str) -> None:
    if document.status not in allowed:
        raise DocumentError(message)


def template_of(document: ReportDocument) -> DocumentTemplate:
    """The template the document was made with (copied when it was created)."""
    return load_data(document.template, f"rapport {document.id}")


def kind_name(kind: str) -> str:
    return KINDS[kind].name


def document_subject(document: ReportDocument) -> str:
    """How the audit log names a document: kind, whom, period, version."""
    about = document.insats.name if document.insats else document.forbund.name
    return (f"{kind_name(document.kind)} {about} {document.period_start.isoformat()}–"
            f"{document.period_end.isoformat()} v{document.version}")


def record_step(action: Action, document: ReportDocument, by: User | None,
                **detail: object) -> None:
    record_event(action, user=by, forbund_id=document.forbund_id,
                 subject=document_subject(document),
                 detail={"document": document.id, "kind": document.kind,
                         "version": document.version, **detail})



def require_kind(kind: str) -> None:
    if kind not in KINDS:
        names = ", ".join(k.name.lower() for k in KINDS.values())
        raise DocumentError(f"”{kind}” är inget slags rapport (välj {names}).")
