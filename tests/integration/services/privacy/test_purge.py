"""The purge deletes what has served its purpose and keeps the rest."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    Answer,
    AuditEvent,
    Invitation,
    Kiosk,
    PreparedDownload,
    Response,
    SignIn,
    utcnow,
)
from enkat.services.answering.drafts import open_draft, save_page
from enkat.services.answering.invitations import create_invitation
from enkat.services.people import sign_ins
from enkat.services.privacy.purge import purge
from enkat.services.results import prepared_downloads

NOW = utcnow()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def draft_started(insats, days_ago: int) -> Response:
    invitation, _ = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    draft = open_draft(invitation)
    save_page(draft, {"q1": ["4"]}, ["q1"])
    draft.started_at = NOW - dt.timedelta(days=days_ago)
    db.session.flush()
    return draft


def test_purge_deletes_old_drafts_with_their_answers_and_keeps_the_rest(insats, make_response):
    old, recent = draft_started(insats, 91), draft_started(insats, 89)
    submitted = make_response("nns-deltagare-avslut", {"q1": "5"}, timepoint="avslut")
    submitted.started_at = NOW - dt.timedelta(days=400)
    purged = purge(now=NOW)
    assert purged.drafts == 1
    remaining = set(db.session.scalars(select(Response.id)))
    assert old.id not in remaining and {recent.id, submitted.id} <= remaining
    assert db.session.scalar(select(func.count()).select_from(Answer)
                             .where(Answer.response_id == old.id)) == 0


def test_purge_deletes_links_long_used_or_expired(insats, make_participant):
    long_used, _ = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    answered = open_draft(long_used)
    long_used.used_at = answered.submitted_at = NOW - dt.timedelta(days=181)
    long_expired, _ = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    long_expired.expires_at = NOW - dt.timedelta(days=181)
    recently_used, _ = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    recently_used.used_at = NOW - dt.timedelta(days=10)
    db.session.flush()
    assert purge(now=NOW).links == 2
    db.session.expire_all()
    assert set(db.session.scalars(select(Invitation.id))) == {recently_used.id}
    assert db.session.get(Response, answered.id).invitation_id is None  # the answer stays


def test_purge_deletes_long_ended_kiosks_and_is_audited(insats, make_user):
    user = make_user()
    for ended_days_ago in (31, 29, None):
        db.session.add(Kiosk(insats_id=insats.id, started_by_id=user.id, pin_hash="x",
                             wrong_pins=0,
                             ended_at=NOW - dt.timedelta(days=ended_days_ago)
                             if ended_days_ago else None))
    db.session.flush()
    assert purge(now=NOW).kiosks == 1
    assert count(Kiosk) == 2
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).one()
    assert event.detail["kiosks"] == 1


def test_purge_deletes_sessions_unused_for_a_month(make_user):
    user = make_user()
    for days_ago in (31, 29):
        sign_ins.open_sign_in(user, now=NOW - dt.timedelta(days=days_ago))
    assert purge(now=NOW).sign_ins == 1
    assert count(SignIn) == 1


def test_purge_closes_utskick_past_their_day_and_deletes_their_addresses(forbund, make_user):
    from enkat.models import CampaignRecipient
    from enkat.services.utskick.campaigns import CampaignRequest, create_campaign

    # The förbund's day, not the machine's: from 23:00 UTC it is already tomorrow in Sweden.
    today = NOW.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    campaign = create_campaign(CampaignRequest(
        forbund=forbund, instrument_id="nns-styrelse", timepoint="", title="Styrelsen 2025",
        addresses_text="a@example.org\nb@example.org", closes_on=today, today=today),
        make_user())
    assert purge(now=NOW).utskick_closed == 0
    purged = purge(now=NOW + dt.timedelta(days=2))
    assert purged.utskick_closed == 1 and campaign.closed_at is not None
    assert db.session.scalars(select(CampaignRecipient.email)).all() == [None, None]


def test_purge_deletes_prepared_downloads_a_day_after_they_were_asked_for(forbund, make_user):
    user = make_user()
    asked = {}
    for name, hours_ago in (("gammal", 25), ("ny", 23)):
        download, _ = prepared_downloads.ask(
            user, forbund, kind="rapport", file_format="pdf", file_name=f"{name}.pdf",
            spec={}, audit_detail={}, back_to="/forbund/resultat")
        download.asked_at = NOW - dt.timedelta(hours=hours_ago)
        download.content = b"%PDF"
        asked[name] = download.id
    db.session.flush()
    assert purge(now=NOW).prepared_downloads == 1
    assert set(db.session.scalars(select(PreparedDownload.id))) == {asked["ny"]}
