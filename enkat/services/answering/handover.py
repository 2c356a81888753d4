"""Handing a personal link to a deltagare: making it for a code in an insats, and the
mail that carries it. Its QR code is drawn by `enkat.formats.qr`.

The token is shown once, when the link is made. Nothing here keeps it, and the e-mail
address a link is sent to is used for that one mail only: it is not stored, not
audited and not logged (a refusal is reported with the address taken out).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from enkat.config import local_zone
from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.models import Enrolment, Insats, Invitation, Participant, User
from enkat.services import ServiceError
from enkat.services.answering.invitations import LinkStatus, create_invitation, find_invitation
from enkat.services.audit.events import Action, record_event
from enkat.services.deltagare.participants import find_participant
from enkat.services.instruments.versions import stored_instrument
from enkat.services.mail import Mail, MailFailed, send_mail


class NotInInsats(ServiceError):
    """No deltagare with this code has been enrolled in the insats."""


@dataclass(frozen=True)
class MadeLink:
    """A link just made: its invitation and the address that carries the token."""

    invitation: Invitation
    url: str

    @property
    def instrument(self) -> Instrument:
        return stored_instrument(self.invitation.instrument_version)

    @property
    def expires(self) -> str:
        """When the link stops working, where the förbund is: "2025-03-15 kl. 14:32"."""
        zone = local_zone()
        return f"{self.invitation.expires_at.astimezone(zone):%Y-%m-%d kl. %H:%M}"


def enrolled_participant(insats: Insats, code: str) -> Participant:
    """The deltagare with this code, if ever enrolled in the insats (a link after the
    exit, for a follow-up, is fine); else NotInInsats, also for a code of another insats,
    so staff cannot reach deltagare outside their insats through a link."""
    participant = find_participant(insats.forbund, code)
    if participant is None or not db.session.scalar(
            select(Enrolment.id).where(Enrolment.participant_id == participant.id,
                                       Enrolment.insats_id == insats.id).limit(1)):
        raise NotInInsats(f'no deltagare "{code}" in {insats.slug}')
    return participant


def make_link(insats: Insats, instrument_id: str, timepoint: str, *,
              participant: Participant | None, expires_in_days: int, user: User,
              base_url: str) -> tuple[MadeLink, str]:
    """A new link and its token (`invitations.create_invitation`, which refuses with
    InvitationRefused), audited as link-created without the token."""
    invitation, token = create_invitation(
        insats, instrument_id, timepoint, participant=participant,
        expires_in_days=expires_in_days, created_by=user,
    )
    record_event(Action.LINK_CREATED, user=user, forbund_id=insats.forbund_id,
                 subject=participant.code if participant else "anonym",
                 detail={"invitation": invitation.id, "insats": insats.slug,
                 "instrument": instrument_id, "timepoint": timepoint,
                 "expires_at": invitation.expires_at.isoformat()})
    return MadeLink(invitation, link_url(token, base_url)), token


def reopen_link(insats: Insats, token: str, base_url: str) -> MadeLink | None:
    """The link of a token handed back by the page that showed it (to print it or mail
    it): only a link of this insats that still works; None for anything else."""
    state = find_invitation(token)
    if state.status is not LinkStatus.VALID or state.invitation.insats_id != insats.id:
        return None
    return MadeLink(state.invitation, link_url(token, base_url))


def link_url(token: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


# --- the mail ----------------------------------------------------------------------------


class LinkNotSent(ServiceError):
    """The mail server did not take the mail; `reason` says why, without the address."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def send_link(made: MadeLink, address: str, *, user: User) -> None:
    """Mail the link to `address`, or raise LinkNotSent. The address is used for this
    mail only: the audit event says that the link was mailed, not where."""
    try:
        send_mail(link_mail(made, address))
    except MailFailed as failure:
        raise LinkNotSent(str(failure)) from None
    invitation = made.invitation
    record_event(Action.LINK_MAILED, user=user, forbund_id=invitation.forbund_id,
                 subject=invitation.participant.code if invitation.participant else "anonym",
                 detail={"invitation": invitation.id})


def link_mail(made: MadeLink, address: str) -> Mail:
    insats = made.invitation.insats
    title = made.instrument.title.get("sv")
    return Mail(
        to=address,
        subject=f"En enkät från {insats.name}",
        body=(
            "Hej!\n\n"
            f"{insats.name} ber dig svara på en enkät: {title}.\n\n"
            "Du svarar genom att öppna länken:\n\n"
            f"{made.url}\n\n"
            f"Länken är bara till dig. Den fungerar en gång, fram till {made.expires}.\n\n"
            f"{privacy_text(made.instrument)}\n\n"
            "Det här mejlet går inte att svara på. Har du frågor, prata med personen "
            "du träffar i insatsen.\n"
        ),
    )


def privacy_text(instrument: Instrument) -> str:
    """What happens to the answers, in plain Swedish, for the letter and the mail."""
    if instrument.anonymous:
        return ("Du svarar anonymt: ditt namn finns inte med, och ingen kan se att det "
                "var du som svarade. Svaren räknas ihop med andras.")
    return ("Dina svar sparas med en kod, inte med ditt namn eller personnummer. "
            "Personalen som arbetar med dig kan se dina svar. I rapporter räknas svaren "
            "ihop för många personer, så att ingen kan se vad du har svarat.")
