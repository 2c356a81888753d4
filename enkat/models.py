"""The data enkat keeps, as SQLAlchemy 2 typed models.

Deltagare are pseudonymous: a `Participant` is a code and nothing else. Everything a
report needs is reachable from `Response` and `Answer`; instrument definitions are kept
verbatim in `InstrumentVersion` so an old response can always be read with the exact
questions it was answered with.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back as aware UTC.

    SQLite has no time zones; storing naive UTC on both databases keeps comparisons and
    exports identical on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def _enum(enum_class: type[StrEnum]) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        name=enum_class.__name__.lower(),
    )


class Role(StrEnum):
    ADMIN = "admin"  # förbund administrator
    ANALYST = "analyst"  # reads the förbund's results
    STAFF = "staff"  # personal, works in the insatser they belong to


class InsatsKind(StrEnum):
    INDIVID = "individ"  # individinriktad: has deltagare
    STRUKTUR = "struktur"  # strukturinriktad: works on samverkan, no deltagare


class DocumentStatus(StrEnum):
    """Where a filed report is: written (draft), with the förbund (sent), back with its
    writers (returned), accepted (approved). Sent and approved ones are records."""

    DRAFT = "draft"
    SENT = "sent"
    RETURNED = "returned"
    APPROVED = "approved"


class ResponseSource(StrEnum):
    LINK = "link"
    KIOSK = "kiosk"
    STAFF = "staff"
    PAPER = "paper"
    IMPORT = "import"


class ScheduleTrigger(StrEnum):
    """When an instrument is due for a deltagare in an insats."""

    AT_START = "at_start"
    EVERY_SESSION = "every_session"
    AFTER_DAYS = "after_days"  # once, `days` after the start
    EVERY_DAYS = "every_days"  # repeatedly, every `days` days from the start
    AT_EXIT = "at_exit"
    AFTER_EXIT_DAYS = "after_exit_days"  # follow-up, `days` after the exit


class Forbund(db.Model):
    __tablename__ = "forbund"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    suppression_threshold: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    insatser: Mapped[list[Insats]] = relationship(back_populates="forbund", order_by="Insats.name")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active



class Membership(db.Model):
    """A user's role in one förbund."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "forbund_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role))

    user: Mapped[User] = relationship(back_populates="memberships")
    forbund: Mapped[Forbund] = relationship()


class Insats(db.Model):
    __tablename__ = "insatser"
    __table_args__ = (UniqueConstraint("forbund_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    huvudman: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[InsatsKind] = mapped_column(_enum(InsatsKind), default=InsatsKind.INDIVID)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    trial_period_days: Mapped[int] = mapped_column(Integer, default=90)
    #: beviljat medel: the kronor the förbund granted the insats (its reports show it)
    granted_kronor: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    forbund: Mapped[Forbund] = relationship(back_populates="insatser")
    staff: Mapped[list[User]] = relationship(secondary="insats_staff", order_by="User.display_name")
    schedule: Mapped[list[ScheduleEntry]] = relationship(
        back_populates="insats", cascade="all, delete-orphan", order_by="ScheduleEntry.id"
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="insats", cascade="all, delete-orphan", order_by="Goal.position"
    )


class InsatsStaff(db.Model):
    """Personal who work in an insats and so see its deltagare."""

    __tablename__ = "insats_staff"

    insats_id: Mapped[int] = mapped_column(
        ForeignKey("insatser.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class ScheduleEntry(db.Model):
    """One line of an insats' measurement schedule: which instrument, when."""

    __tablename__ = "schedule_entries"
    __table_args__ = (UniqueConstraint("insats_id", "instrument_id", "timepoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    instrument_id: Mapped[str] = mapped_column(String(64))
    timepoint: Mapped[str] = mapped_column(String(64))  # a timepoint or pattern: session-{n}
    trigger: Mapped[ScheduleTrigger] = mapped_column(_enum(ScheduleTrigger))
    days: Mapped[int | None] = mapped_column(Integer)

    insats: Mapped[Insats] = relationship(back_populates="schedule")


class Goal(db.Model):
    """A goal the insats reports against, e.g. "at least 40 % to work or studies"."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(500))
    indicator: Mapped[str] = mapped_column(String(100))
    comparison: Mapped[str] = mapped_column(String(40))
    target: Mapped[float | None] = mapped_column(Float)

    insats: Mapped[Insats] = relationship(back_populates="goals")


class Participant(db.Model):
    """A deltagare: a pseudonymous code, unique within the förbund, and nothing else."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("forbund_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    forbund: Mapped[Forbund] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="participant", order_by="Enrolment.started_on"
    )


class Enrolment(db.Model):
    """A deltagare's time in an insats, started and ended by the registration forms."""

    __tablename__ = "enrolments"
    __table_args__ = (
        Index("ix_enrolments_insats_period", "insats_id", "started_on", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    insats_id: Mapped[int] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)

    participant: Mapped[Participant] = relationship(back_populates="enrolments")
    insats: Mapped[Insats] = relationship()


class InstrumentVersion(db.Model):
    """An instrument exactly as it was first used: full JSON and its SHA-256."""

    __tablename__ = "instrument_versions"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)  # canonical JSON
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The förbund that uploaded this version; None for the bundled instruments, which
    #: every förbund uses. An uploaded version is a preview until it is published.
    forbund_id: Mapped[int | None] = mapped_column(
        ForeignKey("forbund.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Invitation(db.Model):
    """An enkätlänk: a personal, single-use link to answer one instrument.

    Only a hash of the token is stored, so a copy of the database opens no survey.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"))
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    #: None for a link about the förbund as a whole (an utskick to the styrelse).
    insats_id: Mapped[int | None] = mapped_column(
        ForeignKey("insatser.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    timepoint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: when staff withdrew the link; it opens nothing from then on, its draft is kept
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the utskick that mailed this link (shared by all its recipients, see `Campaign`)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )

    instrument_version: Mapped[InstrumentVersion] = relationship()
    forbund: Mapped[Forbund] = relationship()
    insats: Mapped[Insats | None] = relationship()
    participant: Mapped[Participant | None] = relationship()
    #: The response given through this link, a draft until it is sent: read with the link
    #: in one statement (`invitations.find_invitation`), written only as a `Response`.
    response: Mapped[Response | None] = relationship(viewonly=True, uselist=False)


class Response(db.Model):
    """One filled-in instrument: a draft until `submitted_at` is set."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("forbund_id", "external_id"),
        Index("ix_responses_insats_answered", "insats_id", "answered_on"),
        Index("ix_responses_version_answered", "instrument_version_id", "answered_on"),
        # a report's responses to one instrument: its förbund's, not the whole country's
        # (SQLite, without statistics, would read every förbund's by the index above)
        Index("ix_responses_insats_version_answered", "insats_id", "instrument_version_id",
              "answered_on"),
        # a deltagare's responses, and in a report their ratings on one instrument: SQLite
        # reads a report's courses deltagare by deltagare, and reads only their ratings
        Index("ix_responses_participant_version_answered", "participant_id",
              "instrument_version_id", "answered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    #: the response_id of the tidy CSV; stable across export and import
    external_id: Mapped[str] = mapped_column(String(64))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"))
    insats_id: Mapped[int | None] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    timepoint: Mapped[str] = mapped_column(String(64))
    answered_on: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[ResponseSource] = mapped_column(_enum(ResponseSource))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), unique=True
    )
    #: the staff member who sent a staff or paper form (audited as "response-entered")
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: the utskick whose link it was answered through, copied from the invitation
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )

    forbund: Mapped[Forbund] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()
    insats: Mapped[Insats | None] = relationship()
    participant: Mapped[Participant | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response",
        cascade="all, delete-orphan",
        order_by="(Answer.item_id, Answer.position)",
    )


class Answer(db.Model):
    """One answer to one item; a multiple-choice item has one row per selected code."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "item_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[str] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class Kiosk(db.Model):
    """A shared tablet turned into a kiosk for one insats by a staff member.

    The tablet's session holds only this row's id. Leaving the kiosk takes the PIN the
    staff member chose, stored as an argon2 hash; wrong PINs are counted here and wrong
    deltagare codes in the audit log, so a new browser session resets neither.
    """

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    pin_hash: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    wrong_pins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    insats: Mapped[Insats] = relationship()


class Campaign(db.Model):
    """An utskick: single-use links to one survey, e-mailed to a list of addresses
    (personal, chefer i samverkan, styrelse, remittenter), with reminders.

    Its links (`Invitation.campaign_id`) and the responses given through them
    (`Response.campaign_id`) name the utskick, so its results can be shown. That names
    no one: every recipient shares the campaign id; the links are made all at once, in
    random order and with one timestamp, and each mailing gives every address the same
    `sent_at`; once a link is used its recipient forgets it (`use_invitation`). So a
    response joins its utskick, never an address.
    """

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    insats_id: Mapped[int | None] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"))
    timepoint: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # its links expire then
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the first "Skicka"
    #: "Påminn automatiskt efter N dagar" (after `first_sent_at`); None: no such reminder.
    remind_after_days: Mapped[int | None]
    auto_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # it was queued
    #: When a worker last claimed one of its recipients: the send is under way until a
    #: lease after it (`services.utskick.mailing`).
    worked_on_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Why the queued mails wait (the server cannot be reached, or asked to try later).
    mailing_problem: Mapped[str | None] = mapped_column(String(500))

    forbund: Mapped[Forbund] = relationship()
    insats: Mapped[Insats | None] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()
    recipients: Mapped[list[CampaignRecipient]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignRecipient.id"
    )


class CampaignRecipient(db.Model):
    """One address of an utskick.

    Answers stay anonymous: once the link is used, `invitation_id` is cleared and only
    `answered` remains, so nothing connects an answer to an address; the address itself
    is deleted when the utskick closes.
    """

    __tablename__ = "campaign_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), unique=True
    )
    answered: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))  # why the last send failed
    #: The round this address is queued for (its moment becomes `sent_at` or
    #: `reminded_at`); None when no mail waits for it.
    queued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When a worker took the queued mail to send it; cleared when the outcome is known.
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The link's token hash before the claim gave it a new one, put back if the mail is
    #: refused, so a failed reminder leaves the mailed link working.
    replaced_token_hash: Mapped[str | None] = mapped_column(String(64))

    campaign: Mapped[Campaign] = relationship(back_populates="recipients")
    invitation: Mapped[Invitation | None] = relationship()


class PasswordReset(db.Model):
    """A single-use, short-lived link to choose a new password; only its hash is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignIn(db.Model):
    """One signed-in session of a user, kept on the server: the session cookie carries
    its secret, and only the secret's hash is stored. Ending the row (sign-out, a new
    password, deactivation, the idle or absolute limit) makes every copy of that cookie
    useless, while the user's sessions on other devices go on."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AuditEvent(db.Model):
    """An append-only record of who did what: sign-ins, downloads, changes. Triggers of
    migration 0005 make the database refuse to update or delete a row."""

    __tablename__ = "audit_events"
    #: Sign-in limits count recent events of one action (enkat.services.people.accounts); a
    #: förbund's log lists its events newest first (enkat.services.audit.log).
    __table_args__ = (Index("ix_audit_events_action_occurred", "action", "occurred_at"),
                      Index("ix_audit_events_forbund_occurred", "forbund_id", "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    forbund_id: Mapped[int | None] = mapped_column(ForeignKey("forbund.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict | None] = mapped_column(JSON)


class DocumentTemplateRow(db.Model):
    """A förbund's adaptation of a bundled document template (headings, order, sections
    left out), as template JSON checked by `enkat.reports.filed.templates`."""

    __tablename__ = "document_templates"
    __table_args__ = (UniqueConstraint("forbund_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    definition: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReportDocument(db.Model):
    """A kvartals-, del-, slut- or helårsrapport (`kind`) of an insats, or of the whole
    förbund (`insats_id` None), for a period. Its template is copied at creation, so a
    later adaptation changes no existing document. When sent, the report's figures are
    kept in `snapshot` with the time (`snapshot_at`): from then on it is shown from the
    snapshot only. A new version is a new row pointing to the one it was made from."""

    __tablename__ = "report_documents"
    __table_args__ = (Index("ix_report_documents_forbund_insats", "forbund_id", "insats_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    insats_id: Mapped[int | None] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[DocumentStatus] = mapped_column(_enum(DocumentStatus),
                                                   default=DocumentStatus.DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_documents.id", ondelete="SET NULL"), index=True)
    template: Mapped[dict] = mapped_column(JSON)
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    snapshot_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    forbund: Mapped[Forbund] = relationship()
    insats: Mapped[Insats | None] = relationship()
    previous: Mapped[ReportDocument | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    texts: Mapped[list[DocumentText]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentText.id")
    figures: Mapped[list[DocumentFigure]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentFigure.id")
    comments: Mapped[list[DocumentComment]] = relationship(
        back_populates="document", cascade="all, delete-orphan",
        order_by="DocumentComment.id")


class DocumentText(db.Model):
    """The words of one text section of a document (or one goal's comment: section key
    `goal-<n>`). `revision` counts the saves, so an autosave from a page that has not seen
    the latest one is refused instead of overwriting it."""

    __tablename__ = "document_texts"
    __table_args__ = (UniqueConstraint("document_id", "section_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("report_documents.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    document: Mapped[ReportDocument] = relationship(back_populates="texts")
    updated_by: Mapped[User | None] = relationship()


class DocumentComment(db.Model):
    """A comment on a document; `status_change` is the status it came with (returned or
    approved), or None for a comment alone."""

    __tablename__ = "document_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("report_documents.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_change: Mapped[DocumentStatus | None] = mapped_column(_enum(DocumentStatus))

    document: Mapped[ReportDocument] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class DocumentFigure(db.Model):
    """One row of an entered-figures section (the ekonomisk rapport): budget and utfall
    in whole kronor, either may be empty, and a remark."""

    __tablename__ = "document_figures"
    __table_args__ = (UniqueConstraint("document_id", "section_key", "row_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("report_documents.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(64))
    row_key: Mapped[str] = mapped_column(String(64))
    budget: Mapped[int | None] = mapped_column(BigInteger)
    utfall: Mapped[int | None] = mapped_column(BigInteger)
    remark: Mapped[str] = mapped_column(String(500), default="")

    document: Mapped[ReportDocument] = relationship(back_populates="figures")


class PriceList(db.Model):
    """A förbund's price list for one year: what each försörjning source costs the public
    purse a month, for samhällsnytta (`enkat.scoring.samhallsnytta`). `example` marks a
    list of example figures (the demo's), which reports say next to their numbers."""

    __tablename__ = "price_lists"
    __table_args__ = (UniqueConstraint("forbund_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    example: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    prices: Mapped[list[SupportPrice]] = relationship(
        back_populates="price_list", cascade="all, delete-orphan", order_by="SupportPrice.source")


class SupportPrice(db.Model):
    """One försörjning source of a price list: its monthly cost in whole kronor and the
    payer's code, or both None for a source the förbund marked "ej prissatt"."""

    __tablename__ = "support_prices"
    __table_args__ = (UniqueConstraint("price_list_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(
        ForeignKey("price_lists.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    kronor: Mapped[int | None] = mapped_column(BigInteger)
    payer: Mapped[str | None] = mapped_column(String(32))

    price_list: Mapped[PriceList] = relationship(back_populates="prices")


class InsatsCost(db.Model):
    """What an insats cost in a period (from–to, inclusive): beviljat medel and, when
    known, utfall, in whole kronor. Samhällsnytta sets the saving against it."""

    __tablename__ = "insats_costs"
    __table_args__ = (UniqueConstraint("insats_id", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insatser.id", ondelete="CASCADE"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    granted_kronor: Mapped[int] = mapped_column(BigInteger)
    spent_kronor: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    insats: Mapped[Insats] = relationship()


class PreparedDownloadState(StrEnum):
    QUEUED = "queued"
    PREPARING = "preparing"
    READY = "ready"
    FAILED = "failed"


class PreparedDownload(db.Model):
    """A file too heavy to build in a web request, built by the worker for the user who
    asked (`enkat.services.results.prepared_downloads`). The file is kept here, in the
    database every web server of the installation shares, until the purge deletes it a
    day later. `spec` is what to build, in plain values the job reads back."""

    __tablename__ = "prepared_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_format: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[dict] = mapped_column(JSON)
    audit_detail: Mapped[dict] = mapped_column(JSON)
    back_to: Mapped[str] = mapped_column(String(2000))
    state: Mapped[PreparedDownloadState] = mapped_column(
        _enum(PreparedDownloadState), default=PreparedDownloadState.QUEUED)
    reason: Mapped[str] = mapped_column(String(500), default="")
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The worker process building it, as "host pid" (`prepared_downloads.builder`).
    built_by: Mapped[str | None] = mapped_column(String(300))
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
