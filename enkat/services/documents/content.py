"""What a document shows, live or frozen: its report, its facts, and the whole `Document`.

A draft (or a returned document) is composed from the live report, built afresh each time
it is shown. A sent or approved document is composed from its snapshot ONLY: the report as
it was when sent and the facts (names, beviljat medel) of that moment; later corrections
of data do not reach it. Its words and figures need no snapshot: they cannot change
after sending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from enkat.config import local_zone
from enkat.extensions import db
from enkat.models import DocumentStatus, PreparedDownload, ReportDocument, utcnow
from enkat.reports.document import Document
from enkat.reports.filed.compose import DocumentFacts, EnteredFigure, compose
from enkat.reports.filed.markers import KeyFigure
from enkat.reports.filed.markers import key_figures as report_key_figures
from enkat.reports.filed.snapshot import report_from_snapshot, report_snapshot
from enkat.reports.model import Report
from enkat.reports.period import Period
from enkat.services import ServiceError
from enkat.services.results.reports import build_report_for

from .common import template_of

#: Section keys of goal comments: one per goal, by its row in the goal table.
GOAL_KEY = "goal-{}"
FROZEN = (DocumentStatus.SENT, DocumentStatus.APPROVED)


@dataclass(frozen=True)
class Content:
    """A document's report and facts, from the snapshot or live."""

    report: Report
    facts: DocumentFacts


def content_of(document: ReportDocument) -> Content:
    if document.status in FROZEN and document.snapshot is not None:
        return frozen_content(document)
    return Content(live_report(document), live_facts(document))


def live_report(document: ReportDocument) -> Report:
    return build_report_for(document.forbund, document.insats,
                            period=Period(document.period_start, document.period_end))


def live_facts(document: ReportDocument) -> DocumentFacts:
    insats = document.insats
    return DocumentFacts(
        forbund=document.forbund.name, insats=insats.name if insats else None,
        huvudman=insats.huvudman if insats else "",
        period_start=document.period_start, period_end=document.period_end,
        granted_kronor=insats.granted_kronor if insats else None,
        as_of=utcnow().astimezone(local_zone()).date(), version=document.version)


def snapshot_of(document: ReportDocument, at: dt.datetime) -> dict[str, Any]:
    """The snapshot stored when the document is sent: the live report and facts now."""
    facts = live_facts(document)
    return {"report": report_snapshot(live_report(document)),
            "facts": {"forbund": facts.forbund, "insats": facts.insats,
                      "huvudman": facts.huvudman, "granted_kronor": facts.granted_kronor,
                      "as_of": at.astimezone(local_zone()).date().isoformat()}}


def frozen_content(document: ReportDocument) -> Content:
    assert document.snapshot is not None and document.snapshot_at is not None
    facts = document.snapshot["facts"]
    return Content(report_from_snapshot(document.snapshot["report"]), DocumentFacts(
        forbund=facts["forbund"], insats=facts["insats"], huvudman=facts["huvudman"],
        period_start=document.period_start, period_end=document.period_end,
        granted_kronor=facts["granted_kronor"], as_of=dt.date.fromisoformat(facts["as_of"]),
        version=document.version,
        frozen_at=document.snapshot_at.astimezone(local_zone()).replace(tzinfo=None)))


def document_view(document: ReportDocument) -> Document:
    """The document as people read it, in every format."""
    return _composed(document, content_of(document))


def view_with_key_figures(document: ReportDocument) -> tuple[Document, list[KeyFigure]]:
    """`document_view`, and the figures a writer may quote with a marker as they read in
    this document: what the writing page shows, from one build of a draft's live report
    (about half a second on the demo's helårsrapport: bench/document_page.py)."""
    content = content_of(document)
    return _composed(document, content), report_key_figures(content.report)


def _composed(document: ReportDocument, content: Content) -> Document:
    texts = {text.section_key: text.text for text in document.texts}
    goal_comments = {int(key.removeprefix("goal-")): text for key, text in texts.items()
                     if key.startswith("goal-")}
    figures: dict[str, dict[str, EnteredFigure]] = {}
    for figure in document.figures:
        figures.setdefault(figure.section_key, {})[figure.row_key] = EnteredFigure(
            figure.budget, figure.utfall, figure.remark)
    return compose(template_of(document), content.facts, texts, figures, goal_comments,
                   content.report, document.status.value)


def render_document(document: ReportDocument, format: str) -> bytes:
    """The document as a file: "html", "pdf" or "docx"."""
    from enkat.reports import rendering  # loads the drawing libraries: on first use

    return rendering.render_document(document_view(document), format)


def document_spec(document: ReportDocument) -> dict:
    """What a prepared download of the document is, in plain values the job reads back."""
    return {"document_id": document.id}


def prepared_document(download: PreparedDownload) -> tuple[bytes, None]:
    """The builder of a filed document's prepared download (`prepared_downloads`): the
    document as it is when the worker builds it."""
    document = db.session.get(ReportDocument, download.spec["document_id"])
    if document is None or document.forbund_id != download.forbund_id:
        raise ServiceError("Rapporten som filen gällde finns inte längre.")
    return render_document(document, download.file_format), None
