"""The förbund's files built on the worker (web.common.prepared): asked for on the
results page and a filed report's page.

- GET /forbund/filer/<id>: "Filen förbereds", until the file is ready or has failed
- GET /forbund/filer/<id>/hamta: the file

Only the user who asked, or an administrator of the förbund, sees either; a download of
another förbund is 404.
"""

from __future__ import annotations

from flask import g

from enkat.web.common import prepared
from enkat.web.common.access import READERS, roles_required

from . import bp


@bp.get("/filer/<int:download_id>")
@roles_required(*READERS)
def prepared_download(download_id: int):
    return prepared.waiting_page(download_id, g.forbund)


@bp.get("/filer/<int:download_id>/hamta")
@roles_required(*READERS)
def prepared_file(download_id: int):
    return prepared.prepared_file(download_id, g.forbund)
