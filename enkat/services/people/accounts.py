"""TODO"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from enkat.extensions import db
from enkat.models import AuditEvent, PasswordReset, User, utcnow
from enkat.services import ServiceError
from enkat.services.audit.events import Action, record_event
from enkat.services.mail import Mail, MailFailed, send_mail
from enkat.services.people import sign_ins
from enkat.services.people.passwords import hash_matches, hash_password, password_problem
from enkat.services.people.users import find_user
from enkat.services.tokens import hash_token, new_token

log = logging.getLogger(__name__)
#: What counts against a client address: attempts that were refused, and reset requests.
COUNTED_FOR_CLIENT = (Action.SIGN_IN_FAILED, Action.SIGN_IN_LOCKED, Action.SIGN_IN_THROTTLED,
                      Action.RESET_REQUESTED)
#: A right password (or a new one) starts the count of failures for an address afresh.
CLEARS_FAILURES = (Action.SIGNED_IN, Action.RESET_DONE)
#: Reset mails to one user within a lock window; more would let anyone flood an inbox.
RESET_MAILS_PER_WINDOW = 3


class SignInRefused(ServiceError):
    """Refused before the password was looked at; `until` is when to try again."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"refused until {until.isoformat()}")
        self.until = until


class AccountLocked(SignInRefused):
    pass


class ClientThrottled(SignInRefused):
    pass


class ResetLinkInvalid(ServiceError):
    pass


class UnacceptablePassword(ServiceError):
    pass


@dataclass(frozen=True)
class Limits:
    lock_failures: int
    window: dt.timedelta  # failures are counted within it, and a lock lasts as long
    client_attempts: int

    @classmethod
    def configured(cls) -> Limits:
        config = current_app.config
        return cls(lock_failures=config["SIGNIN_LOCK_FAILURES"],
                   window=dt.timedelta(minutes=config["SIGNIN_LOCK_MINUTES"]),
                   client_attempts=config["SIGNIN_CLIENT_ATTEMPTS"])


def sign_in(email: str, password: str, *, client: str | None = None,
            now: dt.datetime | None = None) -> User | None:
    """The user whose e-mail and password these are, or None; every outcome is audited.

    Raises ClientThrottled or AccountLocked (after auditing the refusal) when a limit
    is reached; a locked address is refused without its password being tried, and the
    failure that reaches the limit raises AccountLocked at once.
    """
    now = now or utcnow()
    limits = Limits.configured()
    subject = email_subject(email)
    check_client(client, now=now, limits=limits, subject=subject)
    until = locked_until(subject, now=now, limits=limits)
    if until is not None:
        record_event(Action.SIGN_IN_LOCKED, subject=subject, detail={"client": client}, at=now)
        raise AccountLocked(until)
    user = find_user(email)
    if not _credentials_match(user, password):
        record_event(Action.SIGN_IN_FAILED, user=user, subject=subject, detail={"client": client},
                     at=now)
        until = locked_until(subject, now=now, limits=limits)
        if until is not None:
            raise AccountLocked(until)
        return None
    user.last_login_at = now
    record_event(Action.SIGNED_IN, user=user, subject=user.email, detail={"client": client},
                 at=now)
    return user


def sign_out(user: User, token: str | None, *, now: dt.datetime | None = None) -> None:
    """End this session of the user on the server (`sign_ins.end`) and audit it."""
    now = now or utcnow()
    sign_ins.end(token, now=now)
    record_event(Action.SIGNED_OUT, user=user, subject=user.email, at=now)


def email_subject(email: str) -> str:
    """An e-mail address as users are found by it, and as the audit log records it."""
    return email.strip().lower()[:200]


def _credentials_match(user: User | None, password: str) -> bool:
    """Whether the password is the active user's. An unknown address costs a hash check
    too, so the time of the answer does not tell whether the account exists."""
    if user is None:
        hash_matches(_unknown_user_hash(), password)
        return False
    return hash_matches(user.password_hash, password) and user.active


@functools.cache
def _unknown_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def check_client(client: str | None, *, now: dt.datetime, limits: Limits,
                 subject: str = "") -> None:
    """Raise ClientThrottled (and audit it) when this client address has had too many
    refused attempts within the window."""
    if not client:
        return
    since = now - limits.window
    recent = db.session.scalars(
        select(AuditEvent.occurred_at)
        .where(AuditEvent.action.in_(COUNTED_FOR_CLIENT), AuditEvent.occurred_at > since,
               AuditEvent.detail["client"].as_string() == client)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(limits.client_attempts)
    ).all()
    if len(recent) >= limits.client_attempts:
        record_event(Action.SIGN_IN_THROTTLED, subject=subject, detail={"client": client}, at=now)
        raise ClientThrottled(recent[-1] + limits.window)


def locked_until(subject: str, *, now: dt.datetime, limits: Limits) -> dt.datetime | None:
    """When the lock of this e-mail address ends, or None when it is not locked."""
    horizon = now - 2 * limits.window
    cleared = db.session.scalar(
        select(func.max(AuditEvent.occurred_at))
        .where(AuditEvent.action.in_(CLEARS_FAILURES), AuditEvent.subject == subject,
               AuditEvent.occurred_at > horizon)
    )
    failures = db.session.scalars(
        select(AuditEvent.occurred_at)
        .where(AuditEvent.action == Action.SIGN_IN_FAILED, AuditEvent.subject == subject,
               AuditEvent.occurred_at > max(horizon, cleared or horizon))
        .order_by(AuditEvent.occurred_at)
    ).all()
    return lock_end(failures, now=now, needed=limits.lock_failures, window=limits.window)


def lock_end(failures: Sequence[dt.datetime], *, now: dt.datetime, needed: int,
             window: dt.timedelta) -> dt.datetime | None:
    """The end of the latest lock these failure times (in order) set, if it is still on.

    A lock starts at the failure that makes `needed` within one window and lasts one
    window. Attempts during a lock are not counted as failures (sign-in records them as
    SIGN_IN_LOCKED, the kiosk does not look at them), so a lock is never stretched by
    someone who keeps trying. The one rule for the sign-in lock and the kiosk's code lock.
    """
    ends = [failures[last] + window for last in range(needed - 1, len(failures))
            if failures[last] - failures[last - needed + 1] <= window]
    return max(ends) if ends and max(ends) > now else None


@dataclass(frozen=True)
class ResetLink:
    """What a reset token opens: state is "valid", "unknown", "used" or "expired"."""

    state: str
    reset: PasswordReset | None = None


def request_password_reset(email: str, *, link_for: Callable[[str], str],
                           client: str | None = None, now: dt.datetime | None = None) -> None:
    """Mail a link to choose a new password when `email` is an active user's.

    The caller learns nothing of whether it is: nothing is returned, and a mail that
    cannot be sent is audited and logged (by user id), not raised. `link_for` turns a
    token into the address the mail carries. Raises ClientThrottled like `sign_in`.
    """
    now = now or utcnow()
    limits = Limits.configured()
    subject = email_subject(email)
    check_client(client, now=now, limits=limits, subject=subject)
    user = find_user(email)
    record_event(Action.RESET_REQUESTED, user=user, subject=subject, detail={"client": client},
                 at=now)
    if user is None or not user.active:
        return
    if _resets_since(user, now - limits.window) >= RESET_MAILS_PER_WINDOW:
        record_event(Action.RESET_NOT_SENT, user=user, subject=user.email,
                     detail={"reason": "too many reset mails"}, at=now)
        return
    reset, token = _new_reset(user, now)
    try:
        send_mail(_reset_mail(user, link_for(token)))
    except MailFailed as failure:
        _forget_unsent(reset, failure)
        return
    _expire_other_resets(user, keep=reset, now=now)


def _resets_since(user: User, since: dt.datetime) -> int:
    return db.session.scalar(
        select(func.count()).select_from(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.created_at > since)
    )


def _new_reset(user: User, now: dt.datetime) -> tuple[PasswordReset, str]:
    token = new_token()
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    reset = PasswordReset(user_id=user.id, token_hash=hash_token(token), created_at=now,
                          expires_at=now + dt.timedelta(minutes=minutes))
    db.session.add(reset)
    db.session.flush()
    return reset, token


def _reset_mail(user: User, link: str) -> Mail:
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    return Mail(
        to=user.email,
        subject="Välj ett nytt lösenord till enkat",
        body=(
            "Hej!\n\n"
            f"Någon, förhoppningsvis du, har bett om ett nytt lösenord till enkat för "
            f"{user.email}.\n\n"
            f"Välj ditt nya lösenord här. Länken gäller i {minutes} minuter och kan "
            "användas en gång:\n\n"
            f"{link}\n\n"
            "Har du inte bett om ett nytt lösenord kan du bortse från det här mejlet. "
            "Ditt lösenord ändras inte förrän du väljer ett nytt.\n"
        ),
    )


def _forget_unsent(reset: PasswordReset, failure: MailFailed) -> None:
    """A link that never left is deleted; the log names the user by id only, because
    the request's answer must not depend on whether the address exists."""
    user = reset.user
    reason = type(failure.__cause__ or failure).__name__
    db.session.delete(reset)
    record_event(Action.RESET_MAIL_FAILED, user=user, subject=user.email, detail={"reason": reason})
    log.warning("mejlet för nytt lösenord till användare %s kunde inte skickas (%s)",
                user.id, reason)


def _expire_other_resets(user: User, *, keep: PasswordReset | None, now: dt.datetime) -> None:
    others = [PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
              PasswordReset.expires_at > now]
    if keep is not None:
        others.append(PasswordReset.id != keep.id)
    db.session.execute(update(PasswordReset).where(*others).values(expires_at=now),
                       execution_options={"synchronize_session": "fetch"})


def find_reset(token: str, *, now: dt.datetime | None = None) -> ResetLink:
    """What the token opens. It is looked up by its hash, so the database compares
    digests and never the secret; compare_digest guards the fetched row as well."""
    now = now or utcnow()
    digest = hash_token(token)
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest))
    if reset is None or not hmac.compare_digest(reset.token_hash, digest):
        return ResetLink("unknown")
    if reset.used_at is not None:
        return ResetLink("used", reset)
    if reset.expires_at <= now or not reset.user.active:
        return ResetLink("expired", reset)
    return ResetLink("valid", reset)


def check_new_password(user: User, password: str) -> None:
    """Raise UnacceptablePassword, saying why in Swedish, unless the password passes
    the policy (`passwords.password_problem`)."""
    problem = password_problem(password, email=user.email, name=user.display_name)
    if problem:
        raise UnacceptablePassword(problem)


def complete_password_reset(reset: PasswordReset, password: str, *,
                            now: dt.datetime | None = None) -> User:
    """Use the link once: set the new password, end every other link and every session
    of the user, audit.

    The link is claimed with one conditional UPDATE, so of two requests racing with the
    same link exactly one succeeds; the other raises ResetLinkInvalid.
    """
    now = now or utcnow()
    user = reset.user
    check_new_password(user, password)
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    if claimed.rowcount != 1 or not user.active:
        raise ResetLinkInvalid("länken har redan använts eller har gått ut")
    user.password_hash = hash_password(password)
    _expire_other_resets(user, keep=None, now=now)
    sign_ins.end_all(user, now=now)  # whoever used the old password is signed out
    record_event(Action.RESET_DONE, user=user, subject=user.email, at=now)
    return user
