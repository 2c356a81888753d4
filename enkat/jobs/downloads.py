"""Building a prepared download on the worker (`services.results.prepared_downloads`)."""

from __future__ import annotations

from huey import crontab

from enkat.extensions import db
from enkat.jobs.queue import job, periodic
from enkat.models import PreparedDownload
from enkat.services.documents import prepared_document
from enkat.services.results import prepared_downloads

#: Who builds each kind of file.
BUILDERS = {prepared_downloads.REPORT: prepared_downloads.report_or_answers,
            prepared_downloads.ANSWERS: prepared_downloads.report_or_answers,
            prepared_downloads.DOCUMENT: prepared_document}


@job()
def prepare_download(download_id: int) -> None:
    """Build the file. "Being prepared" is committed first, so the waiting page says so
    while it is built; an error nobody foresaw is recorded as the download's failure,
    in Swedish, and raised again for the worker's log."""
    download = prepared_downloads.take(download_id)
    if download is None:
        return
    builder = BUILDERS[download.kind]
    db.session.commit()  # no transaction open as it builds: it reads at one moment
    try:
        prepared_downloads.build(download, builder)
    except Exception:
        db.session.rollback()
        prepared_downloads.fail(db.session.get(PreparedDownload, download_id))
        db.session.commit()
        raise


@periodic(crontab(), at_start=True)  # every minute, and when a worker starts
def resume_downloads() -> None:
    """Queue again the files whose builder on this machine died before they were ready."""
    requeued = prepared_downloads.orphans_requeued()
    db.session.commit()
    for download_id in requeued:
        prepare_download.enqueue(download_id)
