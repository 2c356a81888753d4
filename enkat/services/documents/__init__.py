"""The reports a förbund files (kvartals-, del-, slut- and helårsrapport), written in
enkat: made from a template, written by the insats' personal, sent to the förbund with
their figures frozen, reviewed, and versioned. Views call these; they flush, never commit.
"""

from enkat.reports.filed.compose import STATUS_NAMES
from enkat.reports.filed.markers import KeyFigure
from enkat.reports.filed.templates import KINDS, DocumentKind, DocumentTemplate, SectionSpec

from .common import (
    EDITABLE,
    DocumentError,
    DocumentLocked,
    StaleText,
    kind_name,
    may_review,
    may_write,
    template_of,
)
from .content import (
    document_spec,
    document_view,
    prepared_document,
    render_document,
    view_with_key_figures,
)
from .templates import adapt_template, template_for, template_sections
from .workflow import (
    HistoryEntry,
    approve,
    comment,
    create_document,
    documents_for,
    get_document,
    history,
    new_version,
    newer_version,
    period_of,
    return_for_changes,
    send,
)
from .writing import SavedText, save_figures, save_goal_comment, save_text, set_granted_kronor

__all__ = [
    "EDITABLE", "KINDS", "STATUS_NAMES", "DocumentError", "DocumentKind", "DocumentLocked",
    "DocumentTemplate", "HistoryEntry", "KeyFigure", "SavedText", "SectionSpec", "StaleText",
    "adapt_template", "approve", "comment", "create_document", "document_spec", "document_view",
    "documents_for", "get_document", "history", "kind_name", "may_review", "may_write",
    "new_version", "newer_version", "period_of", "prepared_document", "render_document",
    "return_for_changes",
    "save_figures", "save_goal_comment", "save_text", "send", "set_granted_kronor",
    "template_for", "template_of", "template_sections", "view_with_key_figures",
]
