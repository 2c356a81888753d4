"""Files built on the worker (`services.results.prepared_downloads`): asking for one,
the page that waits for it, and fetching it.

- GET /forbund/filer/<id>: "Filen förbereds", reloading itself every few seconds without
  JavaScript (`<meta http-equiv="refresh">`) until the file is ready or has failed
- GET /forbund/filer/<id>/hamta: the file, a quick read of its row; audited as every
  download is (`web.common.downloads.send_download`)

Only the user who asked, or an administrator of the förbund, sees either; to anyone else
the download does not exist (404).
"""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask_login import current_user

from enkat.database import start_writing
from enkat.extensions import db
from enkat.jobs.downloads import prepare_download
from enkat.models import PreparedDownload
from enkat.services import NotFound
from enkat.services.results import prepared_downloads
from enkat.services.results.prepared_downloads import State
from enkat.web.common.access import READERS, roles_required
from enkat.web.common.downloads import send_download

from . import bp

#: Seconds between the waiting page's reloads.
REFRESH_SECONDS = 3
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "sav": "application/x-spss-sav",
}


def prepare(kind: str, file_format: str, file_name: str, spec: dict, back_to: str,
            **audit_detail: object):
    """Ask for the file to be built on the worker and send the user to its waiting page
    (303), which leads `back_to` the page it was asked from. A GET that writes: the
    download links of the results page are links."""
    start_writing(db.session)
    download, new = prepared_downloads.ask(
        current_user._get_current_object(), g.forbund, kind=kind, file_format=file_format,
        file_name=file_name, spec=spec, audit_detail=audit_detail, back_to=back_to)
    if new:
        prepare_download.enqueue(download.id)
    return redirect(url_for(".prepared_download", download_id=download.id), 303)


@bp.get("/filer/<int:download_id>")
@roles_required(*READERS)
def prepared_download(download_id: int):
    download = _visible(download_id)
    state = prepared_downloads.state_now(download)
    return render_template(
        "admin/prepared_download.html", download=download, state=state.value,
        reason=prepared_downloads.reason_now(download), refresh_seconds=REFRESH_SECONDS,
        size=len(download.content) if state is State.READY and download.content else 0)


@bp.get("/filer/<int:download_id>/hamta")
@roles_required(*READERS)
def prepared_file(download_id: int):
    download = _visible(download_id)
    if prepared_downloads.state_now(download) is not State.READY or download.content is None:
        return redirect(url_for(".prepared_download", download_id=download.id), 303)
    return send_download(g.forbund, download.content, CONTENT_TYPES[download.file_format],
                         download.file_name, **download.audit_detail)


def _visible(download_id: int) -> PreparedDownload:
    try:
        return prepared_downloads.visible_to(current_user._get_current_object(), g.forbund,
                                             download_id)
    except NotFound:
        abort(404)
