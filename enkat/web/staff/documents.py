"""The reports of an insats for the personal who write them: the list on the insats page,
/insatser/<slug>/rapporter/ny to create one, and each document's page
(/insatser/<slug>/rapporter/<id>): the writing page while it is a draft or returned, then
the document as sent, with "Gör en ny version" when the rules allow one. Its downloads are
/insatser/<slug>/rapporter/<id>.docx and .pdf, built on the worker: they lead to
/filer/<id>, the page that waits for the file and then offers it (web.common.prepared),
to the user who asked and the förbund's administrators only.

Everyone who sees the insats reads its reports; its personal and the förbund's
administrators write them (`documents.may_write`). The pages themselves are
web.common.documents', shared with the förbund's helårsrapport.
"""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user, login_required

from enkat.models import Insats
from enkat.services.documents import (
    EDITABLE,
    documents_for,
    get_document,
    may_write,
)
from enkat.services.organisation.overview import works_in
from enkat.web.common import prepared
from enkat.web.common.access import insats_or_404, insats_to_work_in, refuse
from enkat.web.common.documents import (
    DOWNLOADS,
    INSATS_KINDS,
    NewDocumentForm,
    autosave,
    document_download,
    may_make_new_version,
    new_page,
    new_version_page,
    render_reading,
    render_writing,
    save_page,
    send_page,
    template_helpers,
)

bp = Blueprint("documents", __name__)

PAGE = "/insatser/<slug>/rapporter/<int:document_id>"


@bp.route("/insatser/<slug>/rapporter/ny", methods=["GET", "POST"])
@login_required
def new(slug: str):
    insats = insats_to_work_in(slug)
    return new_page(NewDocumentForm(INSATS_KINDS, insats), insats.forbund, insats,
                    current_user._get_current_object(), _links, _back(insats))


@bp.get(PAGE)
@login_required
def show(slug: str, document_id: int):
    document = _document(slug, document_id)
    if _writable(document):
        return render_writing(document, _links(document))
    return render_reading(document, _links(document))


@bp.post(PAGE)
@login_required
def save(slug: str, document_id: int):
    document = _document_to_write(slug, document_id)
    return save_page(document, _links(document))


@bp.post(f"{PAGE}/text")
@login_required
def save_section(slug: str, document_id: int):
    return autosave(_document_to_write(slug, document_id), current_user._get_current_object())


@bp.route(f"{PAGE}/skicka", methods=["GET", "POST"])
@login_required
def send(slug: str, document_id: int):
    document = _document_to_write(slug, document_id)
    return send_page(document, _links(document))


@bp.post(f"{PAGE}/ny-version")
@login_required
def new_version(slug: str, document_id: int):
    return new_version_page(_document_to_write(slug, document_id), _links)


@bp.get(f"{PAGE}.<fmt>")
@login_required
def file(slug: str, document_id: int, fmt: str):
    if fmt not in DOWNLOADS:
        refuse(404)
    return document_download(_document(slug, document_id), fmt,
                             url_for(".show", slug=slug, document_id=document_id))


@bp.get("/filer/<int:download_id>")
@login_required
def prepared_download(download_id: int):
    """The waiting page of a file the user asked for (web.common.prepared)."""
    return prepared.waiting_page(download_id)


@bp.get("/filer/<int:download_id>/hamta")
@login_required
def prepared_file(download_id: int):
    return prepared.prepared_file(download_id)


def documents_on_insats_page(insats: Insats) -> dict:
    """The insats page's "Rapporter": the documents, newest first, and whether this user
    may make one."""
    return {"documents": documents_for(insats.forbund, insats),
            "may_write_reports": works_in(current_user, insats),
            "document_url": lambda document: url_for("staff.documents.show", slug=insats.slug,
                                                     document_id=document.id),
            **template_helpers()}


# --- helpers ---------------------------------------------------------------------------


def _document(slug: str, document_id: int):
    """A document of an insats the user sees; 404 for any other."""
    insats = insats_or_404(slug)
    try:
        document = get_document(insats.forbund, document_id)
    except LookupError:
        refuse(404)
    if document.insats_id != insats.id:
        refuse(404)
    return document


def _document_to_write(slug: str, document_id: int):
    """As `_document`, and 403 unless the user may write it."""
    insats_to_work_in(slug)
    document = _document(slug, document_id)
    if not may_write(current_user, document):
        refuse(403)
    return document


def _writable(document) -> bool:
    return document.status in EDITABLE and may_write(current_user, document)


def _links(document) -> dict:
    page = {"slug": document.insats.slug, "document_id": document.id}
    links = {
        "write": url_for(".show", **page), "save": url_for(".save", **page),
        "autosave": url_for(".save_section", **page), "send": url_for(".send", **page),
        "downloads": {fmt: url_for(".file", fmt=fmt, **page) for fmt in DOWNLOADS},
        "back": _back(document.insats),
    }
    if may_make_new_version(document):
        links["new_version"] = url_for(".new_version", **page)
    return links


def _back(insats: Insats) -> tuple[str, str]:
    return insats.name, url_for("staff.insatser.show", slug=insats.slug)
