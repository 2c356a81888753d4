"""Files too heavy to build in a web request, built by the worker for the user who asked.

Which files: those that lay out pages or draw charts (the report as PDF and as Word, a
filed document as PDF and as Word) and the record-level SPSS file (.sav), the files that
took seconds of a web worker on the demo. A file that is one pass over rows (CSV, JSON,
XLSX) is still sent at once.

The request records a `PreparedDownload` (`ask`) and enqueues its job
(`enkat.jobs.downloads`); the job takes it (`take`: queued → preparing) and builds it
(`build`: → ready, the file kept in the row, or → failed with a Swedish reason), each kind
with its builder: `report_or_answers` here, a filed document's in `services.documents`
(a layer above this one; the job picks the builder). The file
lives in the database because it is the one place every web server of an installation
shares; the purge deletes a prepared download a day after it was asked for
(`RETENTION`).

The request enqueues the job once it has committed the download (`Job.enqueue_on_commit`),
so the worker finds it. Only a queued download is built, so a second job for one (a
second click) builds nothing. Huey forgets a job when a worker takes it, so a worker that
dies (or a queue that could not be reached) leaves a download waiting for ever unless
someone says otherwise: a download not ready within `PREPARE_LIMIT` of being asked for is
shown as failed (`state_now`), and its job, run late, builds nothing. A download records
the worker process that builds it (`built_by`), so a worker on the same machine finds one
whose builder is gone (killed, or out of memory) and puts it back in the queue
(`orphans_requeued`, run when a worker starts and every minute): `enkat serve` and
systemd start a new worker within seconds, and the file is built after all.

Only the user who asked, or an administrator of its förbund, may fetch the file; anyone
else, of this förbund or another, is told it does not exist (`visible_to`). The audit
event is written when the file is fetched, as for every other download: it records a
file leaving enkat, and a file built but never fetched never left.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from fractions import Fraction

from sqlalchemy import delete, select

from enkat.database import one_moment
from enkat.extensions import db
from enkat.models import (
    Forbund,
    Insats,
    PreparedDownload,
    PreparedDownloadState,
    Role,
    User,
    utcnow,
)
from enkat.reports.exports import PdfUnavailable
from enkat.reports.model import Report
from enkat.reports.period import Period
from enkat.scoring.samhallsnytta import Assumptions
from enkat.services import NotFound, ServiceError
from enkat.services.results import answer_exports
from enkat.services.results.reports import build_report_for, report_refusal

State = PreparedDownloadState
REPORT, ANSWERS, DOCUMENT = "rapport", "svar", "dokument"
#: What is built on the worker: (kind, format).
PREPARED = frozenset({(REPORT, "pdf"), (REPORT, "docx"), (ANSWERS, "sav"),
                      (DOCUMENT, "pdf"), (DOCUMENT, "docx")})
#: A builder: the file of a download, and the rows it holds when that is audited.
Builder = Callable[[PreparedDownload], tuple[bytes, int | None]]
#: A download not ready this long after it was asked for has failed: its worker died.
PREPARE_LIMIT = dt.timedelta(minutes=30)
#: How long a prepared download (and its file) is kept.
RETENTION = dt.timedelta(days=1)

ABANDONED = ("Filen blev inte klar inom 30 minuter; servern som byggde den avbröts. "
             "Be om filen igen.")
UNEXPECTED = ("Filen kunde inte byggas på grund av ett fel i enkat. Felet är loggat. "
              "Be om filen igen, och kontakta den som sköter enkat om det händer igen.")


def is_prepared(kind: str, file_format: str) -> bool:
    """Whether this file is built on the worker rather than in the request."""
    return (kind, file_format) in PREPARED


def report_spec(insats: Insats | None, period: Period, assumptions: Assumptions,
                only_tables: set[str] | None = None) -> dict:
    """What a report download is, in plain values the job reads back."""
    return {"insats_id": insats.id if insats else None, "from": period.start.isoformat(),
            "to": period.end.isoformat(), "horizon": assumptions.horizon,
            "deadweight": str(assumptions.deadweight),
            "persistence": str(assumptions.persistence),
            "only_tables": sorted(only_tables) if only_tables else None}


def answers_spec(insats: Insats | None, period: Period, instrument_id: str) -> dict:
    """What an SPSS download is, in plain values the job reads back."""
    return {"insats_id": insats.id if insats else None, "from": period.start.isoformat(),
            "to": period.end.isoformat(), "instrument": instrument_id}




def ask(user: User, forbund: Forbund, *, kind: str, file_format: str, file_name: str,
        spec: dict, audit_detail: dict, back_to: str) -> tuple[PreparedDownload, bool]:
    """The download to prepare, and whether it waits for a job (to be enqueued): the
    user's own one for the same file still waiting or being built, if there is one, so
    a second click or a reload builds nothing twice. One still queued gets another job,
    in case its first was lost; only one of them builds it."""
    waiting = db.session.scalars(select(PreparedDownload).where(
        PreparedDownload.user_id == user.id, PreparedDownload.forbund_id == forbund.id,
        PreparedDownload.file_name == file_name,
        PreparedDownload.state.in_((State.QUEUED, State.PREPARING)),
        PreparedDownload.asked_at > utcnow() - PREPARE_LIMIT,
    ).order_by(PreparedDownload.id.desc())).all()
    same = next((download for download in waiting
                 if download.spec == spec and download.kind == kind), None)
    if same is not None:
        return same, same.state is State.QUEUED
    download = PreparedDownload(
        forbund_id=forbund.id, user_id=user.id, kind=kind, file_format=file_format,
        file_name=file_name, spec=spec, audit_detail=audit_detail, back_to=back_to,
        state=State.QUEUED, asked_at=utcnow())
    db.session.add(download)
    db.session.flush()
    return download, True


def visible_to(user: User, download_id: int, forbund: Forbund | None = None
               ) -> PreparedDownload:
    """The download, if the user asked for it or administers its förbund (and it is
    `forbund`'s, when the page is of one förbund); else NotFound (never "forbidden": it
    tells nothing of others' files)."""
    download = db.session.get(PreparedDownload, download_id)
    if download is None or (forbund is not None and download.forbund_id != forbund.id):
        raise NotFound("Filen finns inte.")
    if download.user_id != user.id and not _administers(user, download.forbund_id):
        raise NotFound("Filen finns inte.")
    return download


def state_now(download: PreparedDownload, now: dt.datetime | None = None) -> State:
    """The download's state as the user should read it: one not ready within
    `PREPARE_LIMIT` has failed, whatever its row still says."""
    if download.state in (State.QUEUED, State.PREPARING) and _abandoned(download, now):
        return State.FAILED
    return download.state


def reason_now(download: PreparedDownload, now: dt.datetime | None = None) -> str:
    if download.state is not State.FAILED and state_now(download, now) is State.FAILED:
        return ABANDONED
    return download.reason


def take(download_id: int) -> PreparedDownload | None:
    """The download to build now, marked as being prepared by this process; None when
    there is nothing to build (being built by another job, built already, failed,
    abandoned, or purged)."""
    download = db.session.get(PreparedDownload, download_id, with_for_update=True)
    if download is None or state_now(download) is not State.QUEUED:
        return None
    download.state, download.started_at = State.PREPARING, utcnow()
    download.built_by = builder()
    db.session.flush()
    return download


def builder(pid: int | None = None) -> str:
    """This process (or process `pid` on this machine) as a download's `built_by`."""
    return f"{socket.gethostname()} {os.getpid() if pid is None else pid}"


def orphans_requeued() -> list[int]:
    """The downloads being prepared by a process of this machine that no longer runs, put
    back in the queue (to be enqueued again); those of other machines are left to their
    own workers."""
    host = socket.gethostname()
    orphans = [download for download in db.session.scalars(
        select(PreparedDownload).where(PreparedDownload.state == State.PREPARING,
                                       PreparedDownload.asked_at > utcnow() - PREPARE_LIMIT)
        .with_for_update())
        if _gone(download.built_by, host)]
    for download in orphans:
        download.state, download.started_at, download.built_by = State.QUEUED, None, None
    db.session.flush()
    return [download.id for download in orphans]


def _gone(built_by: str | None, host: str) -> bool:
    """Whether `built_by` names a process of `host` that has ended."""
    their_host, _, pid = (built_by or "").rpartition(" ")
    if their_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: asks only whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False


def build(download: PreparedDownload, builder: Builder) -> None:
    """Build the file into the download (ready), or say in Swedish why it cannot be
    built (failed). An error nobody foresaw is left to the caller (`fail`). The builder
    reads the database at one moment, holding no lock while it builds (`one_moment`)."""
    try:
        with one_moment(db.session):
            content, rows = builder(download)
    except (ServiceError, PdfUnavailable) as refused:
        fail(download, str(refused))
        return
    if rows is not None:
        download.audit_detail = {**download.audit_detail, "rows": rows}
    download.content, download.state, download.finished_at = content, State.READY, utcnow()
    db.session.flush()


def fail(download: PreparedDownload, reason: str = UNEXPECTED) -> None:
    download.state, download.reason, download.finished_at = State.FAILED, reason, utcnow()
    download.content = None
    db.session.flush()


def purge_before(cutoff: dt.datetime) -> int:
    """Delete the prepared downloads asked for before `cutoff`, with their files."""
    return db.session.execute(
        delete(PreparedDownload).where(PreparedDownload.asked_at < cutoff)
        .execution_options(synchronize_session=False)).rowcount


# --- building ---------------------------------------------------------------------------


def report_or_answers(download: PreparedDownload) -> tuple[bytes, int | None]:
    """The builder of a report (PDF, Word) or of an SPSS file of answers."""
    from enkat.reports.rendering import render  # loads the drawing libraries: on first use

    spec = download.spec
    forbund = db.session.get(Forbund, download.forbund_id)
    insats = db.session.get(Insats, spec["insats_id"]) if spec["insats_id"] else None
    if forbund is None or (spec["insats_id"] and insats is None):
        raise ServiceError("Insatsen som filen gällde finns inte längre.")
    period = Period(dt.date.fromisoformat(spec["from"]), dt.date.fromisoformat(spec["to"]))
    if download.kind == ANSWERS:
        answers = answer_exports.AnswerFilter(forbund, insats, period.start, period.end)
        return answer_exports.spss_sav(answers, spec["instrument"])
    report = _report(forbund, insats, period, spec)
    refusal = report_refusal(report, download.file_format)
    if refusal:  # the page offered no file; an address kept from before gets the reason
        raise ServiceError(refusal)
    return render(report, download.file_format), None


def _report(forbund: Forbund, insats: Insats | None, period: Period, spec: dict) -> Report:
    assumptions = Assumptions(spec["horizon"], Fraction(spec["deadweight"]),
                              Fraction(spec["persistence"]))
    report = build_report_for(forbund, insats, period=period, assumptions=assumptions)
    if spec["only_tables"]:
        report = report.narrowed_to(set(spec["only_tables"]))
    return report


def _abandoned(download: PreparedDownload, now: dt.datetime | None) -> bool:
    return (now or utcnow()) - download.asked_at > PREPARE_LIMIT


def _administers(user: User, forbund_id: int) -> bool:
    return any(membership.forbund_id == forbund_id and membership.role == Role.ADMIN
               for membership in user.memberships)
