"""Files built on the worker (`services.results.prepared_downloads`), as every audience's
pages offer them: asking for one, the page that waits for it, and fetching it. The
förbund's pages (web.admin.prepared) and the insats' personal (web.staff.documents)
register routes named `prepared_download` and `prepared_file` that call these.

The waiting page reloads itself every few seconds without JavaScript (`<meta
http-equiv="refresh">`) until the file is ready or has failed; the file is a quick read
of its row, audited as every download is (`send_download`). Only the user who asked, or
an administrator of the download's förbund, sees either; to anyone else it does not
exist (404).
"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from enkat.database import start_writing
from enkat.extensions import db
from enkat.jobs.downloads import prepare_download
from enkat.models import Forbund, PreparedDownload
from enkat.services import NotFound
from enkat.services.results import prepared_downloads
from enkat.services.results.prepared_downloads import State

from .access import refuse
from .downloads import send_download

#: Seconds between the waiting page's reloads.
REFRESH_SECONDS = 3
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "sav": "application/x-spss-sav",
}


def prepare(forbund: Forbund, kind: str, file_format: str, file_name: str, spec: dict,
            back_to: str, **audit_detail: object):
    """Ask for the file to be built on the worker and send the user to its waiting page
    (303) of the blueprint asking, which leads `back_to` the page it was asked from. A
    GET that writes: download links are links."""
    start_writing(db.session)
    download, new = prepared_downloads.ask(
        current_user._get_current_object(), forbund, kind=kind, file_format=file_format,
        file_name=file_name, spec=spec, audit_detail=audit_detail, back_to=back_to)
    if new:
        prepare_download.enqueue_on_commit(download.id)
    return redirect(url_for(".prepared_download", download_id=download.id), 303)


def waiting_page(download_id: int, forbund: Forbund | None = None):
    download = _visible(download_id, forbund)
    state = prepared_downloads.state_now(download)
    return render_template(
        "prepared_download.html", download=download, state=state.value,
        reason=prepared_downloads.reason_now(download), refresh_seconds=REFRESH_SECONDS,
        size=len(download.content) if state is State.READY and download.content else 0)


def prepared_file(download_id: int, forbund: Forbund | None = None):
    """The file once ready; before that, back to its waiting page."""
    download = _visible(download_id, forbund)
    if prepared_downloads.state_now(download) is not State.READY or download.content is None:
        return redirect(url_for(".prepared_download", download_id=download.id), 303)
    return send_download(db.session.get(Forbund, download.forbund_id), download.content,
                         CONTENT_TYPES[download.file_format], download.file_name,
                         **download.audit_detail)


def _visible(download_id: int, forbund: Forbund | None) -> PreparedDownload:
    try:
        return prepared_downloads.visible_to(current_user._get_current_object(), download_id,
                                             forbund)
    except NotFound:
        refuse(404)
