"""The links an insats has issued: listed with their state, and revoked.

A link's state is worked out in SQL, so the list is filtered, counted and paged by the
database however many links an insats has made. A revoked link opens nothing from then
on (`invitations.link_status`); a draft begun through it stays in the database with the
link, but can no longer be continued through it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, case, exists, select

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.models import Insats, Invitation, Participant, Response, User, utcnow
from enkat.services import ServiceError
from enkat.services.audit.events import Action, record_event
from enkat.services.instruments.versions import stored_instrument


class LinkState(StrEnum):
    """A link's state as staff see it; the values are the list's filter in the URL."""

    UNUSED = "oanvand"
    STARTED = "paborjad"
    ANSWERED = "besvarad"
    EXPIRED = "utgangen"
    REVOKED = "aterkallad"


STATE_WORDS = {
    LinkState.UNUSED: "Oanvänd",
    LinkState.STARTED: "Påbörjad",
    LinkState.ANSWERED: "Besvarad",
    LinkState.EXPIRED: "Utgången",
    LinkState.REVOKED: "Återkallad",
}

#: The list's sorts: each key and whether it sorts descending by default.
SORTS = {"skapad": True, "kod": False, "galler-till": False}


class NotRevocable(ServiceError):
    """The link was answered, so there is nothing to revoke (its answers stay)."""


@dataclass(frozen=True)
class IssuedLink:
    invitation: Invitation
    state: LinkState

    @property
    def instrument(self) -> Instrument:
        return stored_instrument(self.invitation.instrument_version)

    @property
    def code(self) -> str | None:
        participant = self.invitation.participant
        return participant.code if participant else None

    @property
    def revocable(self) -> bool:
        return self.state in (LinkState.UNUSED, LinkState.STARTED)


def _state_column(now: dt.datetime):
    """The state of each link, as the SQL of a column."""
    drafted = exists().where(Response.invitation_id == Invitation.id)
    return case(
        (Invitation.used_at.is_not(None), LinkState.ANSWERED.value),
        (Invitation.revoked_at.is_not(None), LinkState.REVOKED.value),
        (Invitation.expires_at <= now, LinkState.EXPIRED.value),
        (drafted, LinkState.STARTED.value),
        else_=LinkState.UNUSED.value,
    )


def links_query(insats: Insats, *, code: str = "", state: str = "", sort: str = "skapad",
                descending: bool = True, now: dt.datetime | None = None) -> Select:
    """The insats' links, as rows of (Invitation, state), narrowed to a code (its
    beginning, any case) and a state, and sorted; newest first by default."""
    state_column = _state_column(now or utcnow()).label("state")
    statement = (select(Invitation, state_column)
                 .outerjoin(Participant, Participant.id == Invitation.participant_id)
                 .where(*_of_insats(insats)))
    if code:
        statement = statement.where(Participant.code.ilike(f"{_escaped(code)}%", escape="\\"))
    if state in set(LinkState):
        statement = statement.where(state_column == state)
    column = {"kod": Participant.code, "galler-till": Invitation.expires_at}.get(
        sort, Invitation.created_at)
    ordered = column.desc() if descending else column.asc()
    return statement.order_by(ordered, Invitation.id.desc() if descending else Invitation.id)


def issued(rows) -> list[IssuedLink]:
    """The query's result rows as the list shows them."""
    return [IssuedLink(invitation, LinkState(state)) for invitation, state in rows]


def _of_insats(insats: Insats) -> tuple:
    """The links staff issued in the insats; an utskick's links are the förbund's, on the
    utskick's page."""
    return Invitation.insats_id == insats.id, Invitation.campaign_id.is_(None)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def issued_link(insats: Insats, invitation_id: int, *,
                now: dt.datetime | None = None) -> IssuedLink | None:
    """One link of the insats, with its state; None for any other id."""
    row = db.session.execute(
        select(Invitation, _state_column(now or utcnow()))
        .where(Invitation.id == invitation_id, *_of_insats(insats))
    ).one_or_none()
    return IssuedLink(row[0], LinkState(row[1])) if row else None


def revoke_link(link: IssuedLink, user: User, *, now: dt.datetime | None = None) -> None:
    """Withdraw the link, audited. Revoking it again changes nothing (a second click);
    an answered link is refused (NotRevocable): its answers were sent and stay."""
    if link.state is LinkState.ANSWERED:
        raise NotRevocable("en besvarad länk kan inte återkallas")
    invitation = link.invitation
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = now or utcnow()
    invitation.revoked_by_id = user.id
    record_event(Action.LINK_REVOKED, user=user, forbund_id=invitation.forbund_id,
                 subject=link.code or "anonym",
                 detail={"invitation": invitation.id, "insats": invitation.insats.slug,
                         "instrument": link.instrument.id,
                         "timepoint": invitation.timepoint,
                         "started": link.state is LinkState.STARTED})
    db.session.flush()
