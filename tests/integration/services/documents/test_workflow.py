"""A document's life: made, written with autosave, sent (figures frozen), commented,
returned, corrected, sent again, approved, followed by a new version; each step audited,
wrong steps refused in Swedish with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, update

from enkat.extensions import db
from enkat.models import (
    AuditEvent,
    DocumentComment,
    DocumentFigure,
    DocumentStatus,
    DocumentText,
    ReportDocument,
    utcnow,
)
from enkat.reports.document import Heading, TableBlock, Text
from enkat.services.audit.log import describe, label
from enkat.services.documents import (
    DocumentError,
    DocumentLocked,
    StaleText,
    approve,
    comment,
    create_document,
    document_view,
    documents_for,
    get_document,
    history,
    new_version,
    period_of,
    return_for_changes,
    save_figures,
    save_goal_comment,
    save_text,
    send,
    set_granted_kronor,
)
from enkat.services.organisation.goals import GoalRow, replace_goals

from ..refusals import actions, refusal
from .conftest import HALF_YEAR


def counts() -> dict[str, int]:
    models = (ReportDocument, DocumentText, DocumentComment, DocumentFigure)
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in models}


def refused(call, *args, exception=DocumentError, **kwargs) -> str:
    """The Swedish message of a refusal, checking nothing was written."""
    before = counts()
    statuses = list(db.session.scalars(select(ReportDocument.status).order_by(ReportDocument.id)))
    with pytest.raises(exception) as refusal_:
        call(*args, **kwargs)
    assert counts() == before
    assert list(db.session.scalars(
        select(ReportDocument.status).order_by(ReportDocument.id))) == statuses
    return str(refusal_.value)


def texts_of(document) -> dict[str, str]:
    view = document_view(document)
    found, heading = {}, None
    for block in view.blocks:
        if isinstance(block, Heading):
            heading = block.text
        elif isinstance(block, Text):
            found[heading] = block.text
    return found


def test_a_delrapport_from_draft_to_a_new_version(forbund, insats, writer, admin):
    document = create_document(forbund, insats, "delrapport", HALF_YEAR, writer)
    assert (document.status, document.version) == (DocumentStatus.DRAFT, 1)
    assert documents_for(forbund, insats) == [document] == documents_for(forbund)
    assert get_document(forbund, document.id) is document

    first = save_text(document, "syfte", "Fler ska gå till arbete.", writer, revision=0)
    second = save_text(document, "syfte", "Fler ska gå till arbete eller studier.", writer,
                       revision=first.revision)
    assert (first.revision, second.revision) == (1, 2)
    stale = refused(save_text, document, "syfte", "Gammal text", writer, revision=1,
                    exception=StaleText)
    assert "Anna Skribent har sparat avsnittet" in stale
    with pytest.raises(StaleText) as conflict:
        save_text(document, "syfte", "Gammal text", writer, revision=1)
    assert (conflict.value.text, conflict.value.revision) == (
        "Fler ska gå till arbete eller studier.", 2)
    assert texts_of(document)["3.2 Syfte"] == "Fler ska gå till arbete eller studier."

    send(document, writer)
    assert document.status == DocumentStatus.SENT and document.snapshot is not None
    assert document.snapshot_at == document.sent_at
    assert "inte ändras" in refused(save_text, document, "syfte", "x", writer, revision=2,
                                    exception=DocumentLocked)
    assert "Siffrorna är låsta" in " ".join(document_view(document).lines)

    comment(document, "Bra början.", admin)
    return_for_changes(document, "Skriv om målgruppen.", admin)
    assert document.status == DocumentStatus.RETURNED
    save_text(document, "malgrupp", "Unga vuxna.", writer, revision=0)
    send(document, writer)
    approve(document, admin)
    assert document.status == DocumentStatus.APPROVED and document.approved_by_id == admin.id
    assert [c.status_change for c in document.comments] == [None, DocumentStatus.RETURNED]

    newer = new_version(document, writer)
    assert (newer.version, newer.previous_id, newer.status) == (2, document.id,
                                                                DocumentStatus.DRAFT)
    assert {t.section_key: t.text for t in newer.texts} == {
        "syfte": "Fler ska gå till arbete eller studier.", "malgrupp": "Unga vuxna."}
    assert newer.comments == []
    assert [entry.label for entry in history(document)] == [
        "Rapport skapad", "Text i rapport sparad", "Rapport skickad", "Kommentar på rapport",
        "Rapport återsänd", "Text i rapport sparad", "Rapport skickad", "Rapport godkänd"]
    assert [entry.label for entry in history(newer)] == ["Ny version av rapport"]
    assert history(document)[0].user == "Anna Skribent"


def test_wrong_steps_are_refused_in_swedish(forbund, make_forbund, insats, writer, outsider,
                                            admin):
    assert "gäller hela förbundet" in refused(create_document, forbund, insats,
                                              "helarsrapport", HALF_YEAR, admin)
    assert "skrivs om en insats" in refused(create_document, forbund, None, "slutrapport",
                                            HALF_YEAR, admin)
    assert "inget slags rapport" in refused(create_document, forbund, insats, "veckorapport",
                                            HALF_YEAR, admin)
    assert "hör inte till förbundet" in refused(create_document, make_forbund(), insats,
                                                "delrapport", HALF_YEAR, admin)
    assert "kan inte skapa" in refused(create_document, forbund, insats, "delrapport",
                                       HALF_YEAR, outsider)
    with pytest.raises(DocumentError, match="Perioden slutar 2025-01-01, före den börjar"):
        period_of(dt.date(2025, 3, 1), dt.date(2025, 1, 1))

    document = create_document(forbund, insats, "delrapport", HALF_YEAR, writer)
    assert "finns redan en delrapport" in refused(create_document, forbund, insats,
                                                  "delrapport", HALF_YEAR, admin)
    assert "Bara en skickad rapport kan godkännas (den här är: utkast)" in refused(
        approve, document, admin)
    assert "Bara en skickad rapport kan återsändas" in refused(
        return_for_changes, document, "x", admin)
    assert "ny version görs av en skickad" in refused(new_version, document, writer)
    assert "kan inte skriva" in refused(save_text, document, "syfte", "x", outsider, revision=0)
    assert "fylls av enkat" in refused(save_text, document, "mal", "x", writer, revision=0)
    assert "inget avsnitt" in refused(save_text, document, "okand", "x", writer, revision=0)
    assert "Bara förbundets administratörer" in refused(approve, document, writer)

    send(document, writer)
    assert "redan skickad" in refused(send, document, writer)
    newer = new_version(document, writer)
    assert "nyare version (version 2)" in refused(approve, document, admin)
    assert "nyare version (version 2)" in refused(return_for_changes, document, "x", admin)
    send(newer, writer)
    document = newer
    assert "Skriv vad som behöver kompletteras" in refused(return_for_changes, document, " ",
                                                           admin)
    approve(document, admin)
    assert "godkänd och kan inte ändras" in refused(save_figures, document, "ekonomi",
                                                    {"material": (1, 2, "")}, writer,
                                                    exception=DocumentLocked)
    new_version(document, admin)
    assert "redan en version 3" in refused(new_version, document, writer)
    with pytest.raises(LookupError):
        get_document(make_forbund(), document.id)


def test_the_helarsrapport_is_written_by_the_forbund(forbund, insats, writer, admin):
    document = create_document(forbund, None, "helarsrapport",
                               period_of(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), admin)
    assert "kan inte skriva" in refused(save_text, document, "sammanfattning", "x", writer,
                                        revision=0)
    save_text(document, "sammanfattning", "Ett bra år.", admin, revision=0)
    send(document, admin)
    approve(document, admin)
    assert document.status == DocumentStatus.APPROVED


def test_figures_are_whole_kronor_all_or_nothing(forbund, insats, writer, admin):
    document = create_document(forbund, insats, "slutrapport", HALF_YEAR, writer)
    problems = refusal(save_figures, document, "ekonomi", {
        "material": ("12 500", "", "inköp"),
        "lonekostnader": ("-5", "100", ""),
        "resekostnader": ("tio", None, ""),
        "okand": (1, 1, "")}, writer)
    assert [field for field, _, _ in problems] == ["lonekostnader-budget",
                                                   "resekostnader-budget", "okand"]
    assert "Lönekostnader: budget ska vara hela kronor" in problems[0][2]
    assert document.figures == []
    save_figures(document, "ekonomi", {"material": ("12 500", "", "inköp"),
                                       "lonekostnader": (300_000, 280_000, "")}, writer)
    table = next(block.table for block in document_view(document).blocks
                 if isinstance(block, TableBlock) and block.table.id == "ekonomi")
    assert table.figure("Material", "budget").value == 12_500
    assert table.figure("Material", "utfall").value is None
    assert table.figure("Summa", "budget").value == 312_500
    assert table.figure("Summa", "utfall").value == 280_000
    assert "Belopp i rapport sparade" not in actions()  # actions are stored by value
    assert "document-figures-saved" in actions()

    assert "administratörer" in refused(set_granted_kronor, insats, 1_000_000, writer)
    set_granted_kronor(insats, "1 250 000", admin)
    assert insats.granted_kronor == 1_250_000
    facts = next(block.table for block in document_view(document).blocks
                 if isinstance(block, TableBlock) and block.table.id == "insatsen")
    assert facts.figure("Beviljat medel", "uppgift").value == "1\u00a0250\u00a0000 kr"


def test_goal_comments_join_the_goal_table(forbund, insats, writer, admin):
    replace_goals(insats, [GoalRow("Minst 40 % till arbete eller studier",
                                   "till-arbete-eller-studier", "at_least_share", 0.4)],
                  by=admin)
    document = create_document(forbund, insats, "slutrapport", HALF_YEAR, writer)
    save_goal_comment(document, 0, "Vi når nästan målet.", writer)
    assert "inget mål nr 2" in refused(save_goal_comment, document, 1, "x", writer)
    table = next(block.table for block in document_view(document).blocks
                 if isinstance(block, TableBlock) and block.table.id == "mal")
    assert [column.label for column in table.columns] == [
        "Har målet uppnåtts?", "Utfall", "Kommentar"]
    assert table.figure("Minst 40 % till arbete eller studier", "kommentar").value == (
        "Vi når nästan målet.")


def test_text_is_audited_once_a_day_per_writer(forbund, insats, writer):
    document = create_document(forbund, insats, "kvartalsrapport", HALF_YEAR, writer)
    saved = save_text(document, "aktiviteter", "a", writer, revision=0)
    for text in ("ab", "abc", "abcd"):
        saved = save_text(document, "aktiviteter", text, writer, revision=saved.revision)
    assert saved.revision == 4
    assert actions().count("document-text-saved") == 1


def test_a_save_that_crossed_another_is_refused_with_the_other_words(forbund, insats, writer,
                                                                     make_user):
    """Two pages save at the same moment: the database decides, and the second writer gets
    the first writer's words back instead of overwriting them."""
    document = create_document(forbund, insats, "delrapport", HALF_YEAR, writer)
    assert document.texts == []  # this page has read the document: no words yet
    db.session.execute(insert(DocumentText).values(
        document_id=document.id, section_key="syfte", text="Den andras text", revision=1,
        updated_at=utcnow(), updated_by_id=writer.id))
    with pytest.raises(StaleText) as first:
        save_text(document, "syfte", "Min text", writer, revision=0)
    assert (first.value.text, first.value.revision) == ("Den andras text", 1)

    db.session.execute(update(DocumentText).where(DocumentText.document_id == document.id)
                       .values(text="En tredje text", revision=2))
    with pytest.raises(StaleText) as second:
        save_text(document, "syfte", "Min text", writer, revision=1)
    assert (second.value.text, second.value.revision) == ("En tredje text", 2)
    assert save_text(document, "syfte", "Min text", writer, revision=2).revision == 3


def test_the_log_names_document_steps_in_swedish(forbund, insats, writer):
    document = create_document(forbund, insats, "delrapport", HALF_YEAR, writer)
    save_text(document, "syfte", "Fler i arbete.", writer, revision=0)
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))[-2:]
    assert [label(event.action) for event in events] == ["Rapport skapad",
                                                         "Text i rapport sparad"]
    assert events[0].subject == "Delrapport Steget vidare 2025-01-01–2025-06-30 v1"
    assert describe(events[1].detail) == (
        f"rapport nr: {document.id}; slag: Delrapport; version: 1; avsnitt: syfte")
