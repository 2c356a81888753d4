"""The templates a förbund's documents are made with: the bundled ones, or the förbund's
adaptation of them (headings renamed, sections reordered or left out), kept as template
JSON in `document_templates` and checked by the same loader as the bundled files.

An adaptation never adds a section: a section's kind and the tables it names come from
the bundled template, so what enkat fills stays enkat's. A document copies its template
when it is made; adapting later changes only documents made after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import DocumentTemplateRow, Forbund, User, utcnow
from enkat.reports.filed.templates import (
    KINDS,
    DocumentTemplate,
    SectionSpec,
    TemplateError,
    bundled_template,
    load_data,
    template_data,
)
from enkat.services import MAX_NAME_LENGTH, FieldProblem, refuse_if
from enkat.services.audit.events import Action, record_event

from .common import DocumentError, require_kind

#: One section of an adaptation: its key, its heading and whether the document has it.
SectionChoice = tuple[str, str, bool]


def template_for(forbund: Forbund, kind: str) -> DocumentTemplate:
    """The template a new document of `kind` in the förbund is made with."""
    require_kind(kind)
    row = _adaptation(forbund, kind)
    if row is None:
        return bundled_template(kind)
    return load_data(row.definition, f"förbundets mall för {KINDS[kind].name.lower()}")


def template_sections(forbund: Forbund, kind: str) -> list[tuple[SectionSpec, bool]]:
    """Every section the förbund may have in a `kind`: those of its template in order
    (True), then the bundled ones it leaves out (False), with their bundled headings."""
    used = template_for(forbund, kind).sections
    kept = {section.key for section in used}
    return [(section, True) for section in used] + [
        (section, False) for section in bundled_template(kind).sections
        if section.key not in kept]


def adapt_template(forbund: Forbund, kind: str, sections: Sequence[SectionChoice], *,
                   by: User | None) -> DocumentTemplate:
    """Make the förbund's `kind` the bundled sections in the order of `sections`, with
    their headings, leaving out those not included (or not listed). Refuses, changing
    nothing, a key the bundled template does not have, a key twice, an empty heading."""
    require_kind(kind)
    bundled = bundled_template(kind)
    refuse_if(_choice_problems(bundled, sections))
    adapted = dataclasses.replace(bundled, sections=tuple(
        dataclasses.replace(bundled.section(key), heading=heading.strip())
        for key, heading, included in sections if included))
    data = template_data(adapted)
    try:
        load_data(data, "förbundets mall")
    except TemplateError as problem:
        raise DocumentError(str(problem)) from None
    row = _adaptation(forbund, kind)
    if row is None:
        row = DocumentTemplateRow(forbund_id=forbund.id, kind=kind)
        db.session.add(row)
    row.definition, row.updated_at, row.updated_by_id = data, utcnow(), by.id if by else None
    db.session.flush()
    record_event(Action.DOCUMENT_TEMPLATE_ADAPTED, user=by, forbund_id=forbund.id,
                 subject=KINDS[kind].name,
                 detail={"kind": kind, "sections": [s.key for s in adapted.sections]})
    return adapted


def _adaptation(forbund: Forbund, kind: str) -> DocumentTemplateRow | None:
    return db.session.scalar(select(DocumentTemplateRow).where(
        DocumentTemplateRow.forbund_id == forbund.id, DocumentTemplateRow.kind == kind))


def _choice_problems(bundled: DocumentTemplate,
                     sections: Sequence[SectionChoice]) -> list[FieldProblem]:
    problems, seen = [], set()
    known = set(bundled.keys())
    for index, (key, heading, _) in enumerate(sections):
        if key not in known:
            problems.append(FieldProblem("key", f"Avsnittet ”{key}” finns inte i mallen för "
                                                f"{KINDS[bundled.kind].name.lower()}.", index))
        elif key in seen:
            problems.append(FieldProblem("key", f"Avsnittet ”{key}” står två gånger.", index))
        seen.add(key)
        if not heading.strip():
            problems.append(FieldProblem("heading", f"Avsnitt {index + 1}: skriv en rubrik.",
                                         index))
        elif len(heading.strip()) > MAX_NAME_LENGTH:
            problems.append(FieldProblem("heading", f"Avsnitt {index + 1}: rubriken får vara "
                                                    f"högst {MAX_NAME_LENGTH} tecken.", index))
    if not any(included for _, _, included in sections):
        problems.append(FieldProblem("sections", "Mallen behöver minst ett avsnitt."))
    return problems
