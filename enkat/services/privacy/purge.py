"""What enkat keeps, and for how long: `purge` deletes what has served its purpose
(docs/privacy.md says why each period):
- drafts nobody has touched for `DRAFT_RETENTION_DAYS` (a link or kiosk session given up);
- links used or expired more than `LINK_RETENTION_DAYS` ago: until then a used link still
  says "the answers have arrived"; afterwards it is simply unknown;
- ended kiosks, used or expired password-reset links and sessions unused (so ended)
  for `SHORT_RETENTION_DAYS`;
- utskick past their closing day are closed, which deletes their addresses;
- prepared downloads (report PDFs and Word files, SPSS files built on the worker) and
  their files a day after they were asked for (`prepared_downloads.RETENTION`).
Submitted responses are the förbund's records and are never purged here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, or_, select

from enkat.extensions import db
from enkat.models import (
    Invitation,
    Kiosk,
    PasswordReset,
    Response,
    SignIn,
    utcnow,
)
from enkat.reports.numbers import counted
from enkat.services.audit.events import Action, record_event
from enkat.services.results import prepared_downloads
from enkat.services.utskick.campaigns import close_due_campaigns


@dataclass(frozen=True)
class Purged:
    drafts: int
    links: int
    kiosks: int
    password_resets: int
    sign_ins: int
    utskick_closed: int
    prepared_downloads: int

    def __str__(self) -> str:
        """What was done, in Swedish: `enkat purge` prints it, the nightly purge logs it."""
        return (f"raderade {counted(self.drafts, 'utkast', 'utkast')}, "
                f"{counted(self.links, 'länk', 'länkar')}, "
                f"{counted(self.kiosks, 'kiosk', 'kiosker')}, "
                f"{counted(self.password_resets, 'länk', 'länkar')} för nytt lösenord, "
                f"{counted(self.sign_ins, 'avslutad inloggning', 'avslutade inloggningar')}, "
                f"{counted(self.prepared_downloads, 'förberedd fil', 'förberedda filer')}; "
                f"stängde {counted(self.utskick_closed, 'utskick', 'utskick')} och raderade "
                "deras adresser")


def purge(*, now: dt.datetime | None = None) -> Purged:
    now = now or utcnow()
    config = current_app.config
    draft_cutoff = now - dt.timedelta(days=config["DRAFT_RETENTION_DAYS"])
    link_cutoff = now - dt.timedelta(days=config["LINK_RETENTION_DAYS"])
    short_cutoff = now - dt.timedelta(days=config["SHORT_RETENTION_DAYS"])
    purged = Purged(
        utskick_closed=close_due_campaigns(now),
        drafts=_delete_drafts(draft_cutoff),
        links=_delete(Invitation, or_(Invitation.used_at < link_cutoff,
                                      Invitation.expires_at < link_cutoff)),
        kiosks=_delete(Kiosk, Kiosk.ended_at < short_cutoff),
        password_resets=_delete(PasswordReset, or_(PasswordReset.used_at < short_cutoff,
                                                   PasswordReset.expires_at < short_cutoff)),
        sign_ins=_delete(SignIn, SignIn.last_seen_at < short_cutoff),
        prepared_downloads=prepared_downloads.purge_before(now - prepared_downloads.RETENTION),
    )
    record_event(Action.PURGE, detail=purged.__dict__)
    return purged


def _delete_drafts(cutoff: dt.datetime) -> int:
    """Through the ORM, so that each draft's answers go with it on every database."""
    drafts = db.session.scalars(
        select(Response).where(Response.submitted_at.is_(None), Response.started_at < cutoff)
    ).all()
    for draft in drafts:
        db.session.delete(draft)
    db.session.flush()
    return len(drafts)


def _delete(model, condition) -> int:
    return db.session.execute(
        delete(model).where(condition).execution_options(synchronize_session=False)
    ).rowcount
