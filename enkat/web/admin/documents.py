"""The reports filed with the förbund, /forbund/rapporter: every document of its insatser
and its own helårsrapport (filtered by status and insats, the sent ones first), the
review page of each (the document as sent, comments, "Återsänd för komplettering",
"Godkänn"), the helårsrapport's writing page (the same pages as personal's, from
web.common.documents), and the adaptation of each kind's template
(/forbund/rapportmallar/<kind>: headings, order, which sections a report has).

Administrators and analysts read; administrators comment, return, approve, write the
helårsrapport and adapt the templates.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)

from enkat.models import DocumentStatus, Role
from enkat.reports.filed.templates import bundled_template
from enkat.services import Refused
from enkat.services.documents import (
    EDITABLE,
    KINDS,
    DocumentError,
    adapt_template,
    approve,
    comment,
    documents_for,
    get_document,
    may_review,
    may_write,
    return_for_changes,
    template_sections,
)
from enkat.services.organisation.insatser import find_insats
from enkat.web.common.access import READERS, refuse, roles_required
from enkat.web.common.documents import (
    DOWNLOADS,
    FORBUND_KINDS,
    NewDocumentForm,
    autosave,
    document_download,
    kind_name,
    may_make_new_version,
    new_page,
    new_version_page,
    refused_page,
    render_reading,
    render_writing,
    save_page,
    send_page,
    template_helpers,
    title_of,
)
from enkat.web.common.form_base import PageForm, error_list

from . import bp
from .forms_common import may_change, show_problems

#: The order of the list: what waits for the förbund first.
LIST_ORDER = (DocumentStatus.SENT, DocumentStatus.RETURNED, DocumentStatus.DRAFT,
              DocumentStatus.APPROVED)


class ReviewForm(PageForm):
    text = TextAreaField("Kommentar")


class SectionRowForm(Form):
    key = HiddenField()
    heading = StringField("Rubrik")
    position = IntegerField("Ordning")
    included = BooleanField("Med i rapporten")


class TemplateForm(PageForm):
    sections = FieldList(FormField(SectionRowForm))

    def ordered(self) -> list:
        """The entries in the order their numbers give (ties as listed)."""
        numbered = [(entry.form.position.data if entry.form.position.data is not None
                     else index + 1, index, entry) for index, entry in enumerate(self.sections)]
        return [entry for _, _, entry in sorted(numbered, key=lambda item: item[:2])]

    @staticmethod
    def chosen(entries) -> list[tuple[str, str, bool]]:
        """(key, heading, included) of each entry."""
        return [(entry.form.key.data, entry.form.heading.data or "",
                 bool(entry.form.included.data)) for entry in entries]


# --- the list -----------------------------------------------------------------------------


@bp.get("/rapporter")
@roles_required(*READERS)
def documents():
    status, slug = request.args.get("status", ""), request.args.get("insats", "")
    insats = find_insats(g.forbund, slug) if slug else None
    if slug and insats is None:
        refuse(404)
    found = [document for document in documents_for(g.forbund, insats)
             if not status or document.status == status]
    found.sort(key=lambda document: (LIST_ORDER.index(document.status),
                                     -(document.sent_at or document.created_at).timestamp()))
    return render_template(
        "admin/documents.html", documents=found, status=status, slug=slug,
        insatser=sorted(g.forbund.insatser, key=lambda insats: insats.name),
        may_change=may_change(), **template_helpers(),
        document_url=lambda found: url_for(".document", document_id=found.id))


@bp.route("/rapporter/ny", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def document_new():
    return new_page(NewDocumentForm(FORBUND_KINDS), g.forbund, None, _user(), _links,
                    _back())


# --- one document -------------------------------------------------------------------------


@bp.get("/rapporter/<int:document_id>")
@roles_required(*READERS)
def document(document_id: int):
    found = _document(document_id)
    if found.status in EDITABLE and found.insats is None and may_write(current_user, found):
        return render_writing(found, _links(found))
    return _review_page(found)


@bp.post("/rapporter/<int:document_id>")
@roles_required(Role.ADMIN)
def document_save(document_id: int):
    found = _document_to_write(document_id)
    return save_page(found, _links(found))


@bp.post("/rapporter/<int:document_id>/text")
@roles_required(Role.ADMIN)
def document_save_section(document_id: int):
    return autosave(_document_to_write(document_id), _user())


@bp.route("/rapporter/<int:document_id>/skicka", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def document_send(document_id: int):
    found = _document_to_write(document_id)
    return send_page(found, _links(found))


@bp.post("/rapporter/<int:document_id>/ny-version")
@roles_required(Role.ADMIN)
def document_new_version(document_id: int):
    return new_version_page(_document_to_write(document_id), _links)


@bp.get("/rapporter/<int:document_id>.<fmt>")
@roles_required(*READERS)
def document_file(document_id: int, fmt: str):
    if fmt not in DOWNLOADS:
        refuse(404)
    return document_download(_document(document_id), fmt,
                             url_for(".document", document_id=document_id))


@bp.post("/rapporter/<int:document_id>/kommentar")
@roles_required(Role.ADMIN)
def document_comment(document_id: int):
    return _review_step(document_id, comment, "Skriv en kommentar.", "Kommentaren är sparad.")


@bp.post("/rapporter/<int:document_id>/aterstall")
@roles_required(Role.ADMIN)
def document_return(document_id: int):
    return _review_step(document_id, return_for_changes,
                        "Skriv vad som ska kompletteras innan du återsänder rapporten.",
                        "Rapporten är återsänd för komplettering.")


@bp.route("/rapporter/<int:document_id>/godkann", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def document_approve(document_id: int):
    found = _document_to_review(document_id)
    if request.method == "GET":
        return render_template("admin/document_approve.html", document=found,
                               links=_links(found), title=title_of(found, within=True))
    try:
        approve(found, _user())
    except DocumentError as refused:
        return refused_page(found, _links(found), refused)
    flash("Rapporten är godkänd.", "info")
    return redirect(_links(found)["write"], 303)


def _review_step(document_id: int, step, required: str, done: str):
    """A comment, alone or returning the document; without words, nothing happens."""
    found = _document_to_review(document_id)
    form = ReviewForm()
    text = (form.text.data or "").strip()
    if not form.validate() or not text:
        if not text:
            form.text.errors = [*form.text.errors, required]
        return _review_page(found, form, status=422, action=request.path)
    try:
        step(found, text, _user())
    except DocumentError as refused:
        return refused_page(found, _links(found), refused)
    flash(done, "info")
    return redirect(_links(found)["write"], 303)


def _review_page(found, form: ReviewForm | None = None, status: int = 200, action: str = ""):
    reviewing = may_review(current_user, found)
    return render_reading(found, _links(found), template="admin/document_review.html",
                          status=status, form=form or ReviewForm(formdata=None),
                          reviewing=reviewing, refused_action=action,
                          errors=error_list(form) if form else [])


# --- the templates ------------------------------------------------------------------------


@bp.route("/rapportmallar/<kind>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def document_template(kind: str):
    if kind not in KINDS:
        refuse(404)
    if request.method == "GET":
        form = TemplateForm(formdata=None, data={"sections": _template_rows(kind)})
    else:
        form = TemplateForm()
        if form.validate():
            entries = form.ordered()
            try:
                adapt_template(g.forbund, kind, form.chosen(entries), by=_user())
            except Refused as refused:
                show_problems(form, refused.problems, entries)
                return _template_page(form, kind, status=422)
            else:
                flash(f"Mallen för {kind_name(kind).lower()} är sparad. Nya rapporter följer "
                      "den; rapporter som redan finns ändras inte.", "info")
                return redirect(url_for(".document_template", kind=kind), 303)
    return _template_page(form, kind)


def _template_page(form: TemplateForm, kind: str, status: int = 200):
    errors = error_list(form)
    headings = {section.key: section.heading for section in bundled_template(kind).sections}
    page = render_template("admin/document_template.html", form=form, kind=kind,
                           kind_name=kind_name(kind), errors=errors, bundled=headings)
    return page, 422 if errors else status


def _template_rows(kind: str) -> list[dict]:
    """The förbund's sections in order, then the bundled template's it leaves out."""
    return [{"key": section.key, "heading": section.heading, "position": position,
             "included": included}
            for position, (section, included)
            in enumerate(template_sections(g.forbund, kind), start=1)]


# --- helpers ------------------------------------------------------------------------------


def _user():
    return current_user._get_current_object()


def _document(document_id: int):
    try:
        return get_document(g.forbund, document_id)
    except LookupError:
        refuse(404)


def _document_to_write(document_id: int):
    found = _document(document_id)
    if not may_write(current_user, found):
        refuse(403)
    return found


def _document_to_review(document_id: int):
    found = _document(document_id)
    if not may_review(current_user, found):
        refuse(403)
    return found


def _links(found) -> dict:
    page = {"document_id": found.id}
    links = {
        "write": url_for(".document", **page), "save": url_for(".document_save", **page),
        "autosave": url_for(".document_save_section", **page),
        "send": url_for(".document_send", **page),
        "comment": url_for(".document_comment", **page),
        "return": url_for(".document_return", **page),
        "approve": url_for(".document_approve", **page),
        "downloads": {fmt: url_for(".document_file", fmt=fmt, **page) for fmt in DOWNLOADS},
        "back": _back(),
    }
    if found.insats is None and may_make_new_version(found):
        links["new_version"] = url_for(".document_new_version", **page)
    return links


def _back() -> tuple[str, str]:
    return "Rapporter", url_for(".documents")
