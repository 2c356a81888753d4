"""Answering page by page: a draft saved as it goes, then submitted exactly once.

Every channel that answers on screen (link, kiosk, staff, paper entry) works on a draft:
a `Response` whose `submitted_at` is NULL. Each page is checked and saved on its own, so
a closed browser or a kiosk timeout loses nothing that was saved, and the same draft is
opened again to continue. Submitting sets `submitted_at` once, whatever the number of taps.

Saving and submitting first lock the draft's row (SELECT ... FOR UPDATE on PostgreSQL;
SQLite lets one writer at a time anyway), so requests on one draft run one after the
other: two pages saved at once both keep their answers, and nothing is saved into a
response another request has just submitted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from enkat.config import local_zone
from enkat.database import start_writing
from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.answers import AnswerProblem, answers_asked, check_answers
from enkat.models import (
    Answer,
    InstrumentVersion,
    Invitation,
    Response,
    ResponseSource,
    User,
    utcnow,
)
from enkat.services import ServiceError
from enkat.services.answering.invitations import LinkStatus, link_status, use_invitation
from enkat.services.answering.responses import (
    ResponseContext,
    ResponseRefused,
    context_problems,
    move_enrolment,
    moves_enrolment,
    new_response,
    saved_answers,
)
from enkat.services.audit.events import Action, record_event
from enkat.services.instruments.versions import (
    register_read_version,
    register_version,
    stored_instrument,
)

#: The channels that answer through `open_draft_for`; links use `open_draft`.
ON_SITE_SOURCES = frozenset({ResponseSource.KIOSK, ResponseSource.STAFF, ResponseSource.PAPER})

#: The audit event of a staff or paper form sent: who entered which response.

#: Why a closed link opens no draft. The respondent's page says its own, translatable
#: words (`web.respond.links.closed_link_page`); these reach a log or the command line.
LINK_REFUSALS = {
    LinkStatus.EXPIRED: "länken har gått ut",
    LinkStatus.USED: "länken har redan använts",
    LinkStatus.REVOKED: "länken har återkallats",
}


class AlreadySubmitted(ServiceError):
    pass


class LinkClosed(ServiceError):
    pass


def find_draft(
    invitation: Invitation, language: str = "sv", *, today: dt.date | None = None,
) -> Response:
    """The draft of this link, or, while nothing has been saved through it, a new one kept
    only in memory to show the pages from. Showing a page writes nothing: a mail scanner
    that follows the link leaves no draft behind. `open_draft` stores it.

    The draft has its link's instrument version, read with the link
    (`invitations.find_invitation`); its förbund, insats and deltagare by their ids only:
    no respondent page but the start names them (`InvitationState.about`), and sending
    reads them only for a registration form (`responses.moves_enrolment`)."""
    status = link_status(invitation, utcnow())
    if status is not LinkStatus.VALID:
        raise LinkClosed(LINK_REFUSALS[status])
    draft = invitation.response or _new_draft(invitation, language, today or local_today())
    # The same version as its link's, read with it: not read again, and known to a draft
    # in memory, which loads nothing by its ids.
    set_committed_value(draft, "instrument_version", invitation.instrument_version)
    return draft


def _new_draft(invitation: Invitation, language: str, today: dt.date) -> Response:
    return Response(
        forbund_id=invitation.forbund_id,
        external_id=uuid.uuid4().hex,
        instrument_version_id=invitation.instrument_version_id,
        insats_id=invitation.insats_id,
        participant_id=invitation.participant_id,
        timepoint=invitation.timepoint,
        answered_on=today,
        source=ResponseSource.LINK,
        language=language,
        invitation_id=invitation.id,
        campaign_id=invitation.campaign_id,
    )


def open_draft(
    invitation: Invitation, language: str = "sv", *, today: dt.date | None = None,
) -> Response:
    """The draft of this link, stored the first time something is saved through it, and
    the same one on every later visit (see `find_draft`)."""
    draft = find_draft(invitation, language, today=today)
    if draft.id is not None:
        return draft
    start_writing(db.session)
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:  # the link was saved through at the same moment in another tab
        draft = db.session.scalars(
            select(Response).where(Response.invitation_id == invitation.id)).one()
    else:
        set_committed_value(draft, "answers", [])  # new: known to have none
    set_committed_value(invitation, "response", draft)
    return draft


def open_draft_for(
    context: ResponseContext, source: ResponseSource, language: str = "sv", *,
    resume: bool = True,
) -> Response:
    """A draft for the kiosk, staff or paper entry: with `resume`, the unsubmitted one of
    the same deltagare, insats, instrument version, timepoint and channel; otherwise, or
    when there is none, a new one.

    Without a deltagare code there is nothing to tell respondents apart, so an anonymous
    draft is never resumed: the next person at the kiosk must not see the last one's answers.
    """
    _check_frame(context, source)
    version = register_version(context.instrument)
    draft = _resumable_draft(context, version, source) if resume else None
    return draft or _add_draft(context, version, source, language)


def new_draft_for(context: ResponseContext, source: ResponseSource, language: str,
                  stored: InstrumentVersion | None) -> Response:
    """A new draft, as `open_draft_for` without `resume` opens it, for a caller that read
    the instrument version's row with the instrument (`versions.resolve_versions`; None:
    not stored then): when it is stored, the draft's INSERT is the only statement. The
    version is registered before the frame is checked, so that its row says who
    uploaded it without another statement."""
    version = register_read_version(context.instrument, stored)
    _check_frame(context, source, version)
    return _add_draft(context, version, source, language)


def _check_frame(context: ResponseContext, source: ResponseSource,
                 version: InstrumentVersion | None = None) -> None:
    if source not in ON_SITE_SOURCES:
        raise ValueError(f"drafts from {source} are not opened with a context")
    problems = context_problems(context, version)
    if problems:
        raise ResponseRefused(problems)


def _add_draft(context: ResponseContext, version: InstrumentVersion, source: ResponseSource,
               language: str) -> Response:
    draft = new_response(context, version, source=source, language=language)
    db.session.add(draft)
    db.session.flush()
    return draft


def _resumable_draft(
    context: ResponseContext, version: InstrumentVersion, source: ResponseSource
) -> Response | None:
    if context.participant is None:
        return None
    return db.session.scalars(
        select(Response)
        .where(
            Response.insats_id == (context.insats.id if context.insats else None),
            Response.participant_id == context.participant.id,
            Response.instrument_version_id == version.id,
            Response.timepoint == context.timepoint,
            Response.source == source,
            Response.submitted_at.is_(None),
        )
        .order_by(Response.started_at.desc(), Response.id.desc())
    ).first()


@dataclass(frozen=True)
class KeptPage:
    """What saving a page came to: its problems (none when it was saved) and the draft's
    answers afterwards, so that the page that follows needs not read them again."""

    problems: tuple[AnswerProblem, ...]
    answers: dict[str, tuple[str, ...]]


def save_page(
    draft: Response, answers: Mapping[str, Sequence[str]], item_ids: Sequence[str]
) -> tuple[AnswerProblem, ...]:
    """Replace the draft's answers to the items of one page; an empty value clears one.

    The page is checked together with the rest of the draft (conditions may depend on
    other pages), but only problems of this page's items refuse it: an answer elsewhere
    that a changed condition now hides is kept in the draft and dropped at submit.
    A refused page writes nothing; the problems are returned for the form to show.
    """
    return keep_page(draft, answers, item_ids).problems


def keep_page(
    draft: Response, answers: Mapping[str, Sequence[str]], item_ids: Sequence[str], *,
    locked_with: Mapping[str, Sequence[str]] | None = None,
) -> KeptPage:
    """`save_page`, with the draft's answers afterwards. `locked_with`: see `_locked`."""
    stored = _locked(draft, locked_with)
    if draft.submitted_at is not None:
        raise AlreadySubmitted("svaren är redan skickade")
    page = tuple(dict.fromkeys(item_ids))
    off_page = [item_id for item_id in answers if item_id not in page]
    if off_page:
        return KeptPage(tuple(AnswerProblem(item_id, "står inte på den här sidan")
                              for item_id in off_page), stored)
    merged = {item_id: values for item_id, values in stored.items() if item_id not in page}
    merged.update({item_id: answers.get(item_id, ()) for item_id in page})
    normalized, problems = check_answers(
        instrument_of(draft), merged, timepoint=draft.timepoint, complete=False
    )
    page_problems = tuple(problem for problem in problems if problem.item_id in page)
    if page_problems:
        return KeptPage(page_problems, stored)
    _replace_answers(draft, {item_id: normalized.get(item_id, ()) for item_id in page},
                     stored=stored)
    kept = {item_id: values for item_id, values in merged.items() if item_id not in page}
    kept.update({item_id: tuple(normalized[item_id]) for item_id in page
                 if normalized.get(item_id)})
    return KeptPage((), dict(sorted(kept.items())))


def submit(draft: Response, *, now: dt.datetime | None = None,
           entered_by: User | None = None,
           locked_with: Mapping[str, Sequence[str]] | None = None) -> Response:
    """Submit the draft once; submitting a submitted response again returns it unchanged.

    Refuses (ResponseRefused) while a required item that is asked has no answer.
    Registration forms move the deltagare's enrolment, as `record_response` does.
    `entered_by` is the staff member sending a staff or paper form: stored on the
    response and audited, by the one call that submits it. `locked_with`: see `_locked`.
    """
    saved = _locked(draft, locked_with)
    if draft.submitted_at is None:
        _finish(draft, saved, _complete_answers(draft, saved), now or utcnow(), entered_by)
    return draft


def _complete_answers(draft: Response, saved: Mapping[str, Sequence[str]]
                      ) -> dict[str, tuple[str, ...]]:
    instrument = instrument_of(draft)
    asked = answers_asked(instrument, saved, draft.timepoint)
    _, problems = check_answers(instrument, asked, timepoint=draft.timepoint, complete=True)
    if problems:
        raise ResponseRefused(problems)
    return asked


def _finish(draft: Response, saved: Mapping[str, Sequence[str]],
            asked: Mapping[str, Sequence[str]], now: dt.datetime,
            entered_by: User | None) -> None:
    """Everything submitting changes. Only the call that claims the submission moves the
    enrolment, uses the link and records who entered the form.

    A registration form that moves an enrolment does it all in a savepoint: if the
    enrolment refuses, none of it stays. Nothing else here refuses, so any other form
    leaves out the savepoint's two statements (every link's "Skicka" comes here); what
    the session holds is flushed first all the same, as a savepoint would.
    """
    enrols = moves_enrolment(instrument_of(draft), draft.insats_id, draft.participant_id)
    if not enrols:
        db.session.flush()
    with db.session.begin_nested() if enrols else nullcontext():
        claimed = _claim_submission(draft, now, entered_by)
        if claimed:
            if enrols:
                move_enrolment(context_of(draft))
            hidden = [item_id for item_id in saved if item_id not in asked]
            if hidden:
                _replace_answers(draft, {item_id: () for item_id in hidden})
            _use_invitation(draft, now)
            if entered_by is not None:
                _record_entry(draft, entered_by, now)
    if claimed:  # what the claim wrote, without reading the row again
        set_committed_value(draft, "submitted_at", now)
        set_committed_value(draft, "entered_by_id", entered_by.id if entered_by else None)
    else:
        db.session.refresh(draft)


def _claim_submission(draft: Response, now: dt.datetime, entered_by: User | None) -> bool:
    """Set `submitted_at` (and who entered it) unless it is set; the database, not what
    this request read, decides which of two submits of one draft is the one."""
    claimed = db.session.execute(_CLAIM, {"draft": draft.id, "now": now,
                                          "by": entered_by.id if entered_by else None})
    return claimed.rowcount == 1


#: The statements every save and send runs, built once (building cost more than running),
#: on the tables rather than the mapped classes: the ORM's bulk INSERT, UPDATE and DELETE
#: cost some 0.1 ms of CPU more each (bench/respond_load.py), and no object the session
#: holds is changed by them (the draft's answers are expired, its columns set by hand).
_ANSWERS, _RESPONSES = Answer.__table__, Response.__table__
_CLAIM = (
    update(_RESPONSES)
    .where(_RESPONSES.c.id == bindparam("draft"), _RESPONSES.c.submitted_at.is_(None))
    .values(submitted_at=bindparam("now"), entered_by_id=bindparam("by"))
)
_CLEAR_ITEMS = delete(_ANSWERS).where(_ANSWERS.c.response_id == bindparam("draft"),
                                      _ANSWERS.c.item_id.in_(bindparam("items", expanding=True)))
_ADD_ANSWERS = insert(_ANSWERS)
_CHANGE_LANGUAGE = (update(_RESPONSES).where(_RESPONSES.c.id == bindparam("draft"))
                    .values(language=bindparam("language")))


def _record_entry(draft: Response, user: User, now: dt.datetime) -> None:
    """The audit event of a form a staff member sent: the response by its id, its form,
    timepoint and source, about the deltagare of its code."""
    record_event(Action.RESPONSE_ENTERED, user=user, forbund_id=draft.forbund_id,
                 subject=draft.participant.code if draft.participant else "",
                 detail={"response": draft.id,
                 "instrument": draft.instrument_version.instrument_id,
                 "timepoint": draft.timepoint, "source": draft.source.value},
                 at=now)


def _use_invitation(draft: Response, now: dt.datetime) -> None:
    if draft.invitation_id is not None:  # read with the draft, by a link's page
        use_invitation(db.session.get(Invitation, draft.invitation_id), now)


def _replace_answers(draft: Response, values: Mapping[str, Sequence[str]], *,
                     stored: Mapping[str, Sequence[str]] | None = None) -> None:
    """Two statements, a DELETE and a many-row INSERT: every page saved goes through here,
    and the unit of work took several times longer to do the same (bench/respond_load.py).
    The DELETE is left out when the `stored` answers (read under the draft's lock) have
    none of these items. The draft's answers are read again when next asked for."""
    if stored is None or any(item_id in stored for item_id in values):
        db.session.execute(_CLEAR_ITEMS, {"draft": draft.id, "items": list(values)})
    rows = [{"response_id": draft.id, "item_id": item_id, "position": position, "value": value}
            for item_id, item_values in values.items()
            for position, value in enumerate(item_values)]
    if rows:
        db.session.execute(_ADD_ANSWERS, rows)
    db.session.expire(draft, ["answers"])


def _locked(draft: Response, locked_with: Mapping[str, Sequence[str]] | None
            ) -> Mapping[str, Sequence[str]]:
    """The draft's answers, read under its lock: taken here (`_lock`) unless `locked_with`
    says this transaction holds the lock of the draft's link already
    (`invitations.find_invitation` with `lock`) and gives the answers it read after
    taking it."""
    if locked_with is not None:
        return locked_with
    _lock(draft)
    return saved_answers(draft)


def _lock(draft: Response) -> None:
    """Reload the draft under a row lock held to the end of the transaction; the refresh
    also expires its answers, so they are read again after any save that went before."""
    db.session.refresh(draft, with_for_update=True)


def change_language(draft: Response, language: str) -> None:
    """Record the language a draft is now answered in (?lang=ar chosen mid-way): one
    UPDATE of that column, not a flush of the draft."""
    if draft.id is None:  # not stored yet: its INSERT will say it
        draft.language = language
        return
    start_writing(db.session)
    db.session.execute(_CHANGE_LANGUAGE, {"draft": draft.id, "language": language})
    set_committed_value(draft, "language", language)


def instrument_of(response: Response) -> Instrument:
    return stored_instrument(response.instrument_version)


def context_of(response: Response) -> ResponseContext:
    return ResponseContext(
        forbund=response.forbund,
        instrument=instrument_of(response),
        insats=response.insats,
        participant=response.participant,
        timepoint=response.timepoint,
        answered_on=response.answered_on,
    )


def local_today() -> dt.date:
    """Today where the förbund is: a page opened at 00:30 belongs to that day."""
    zone = local_zone()
    return utcnow().astimezone(zone).date()
