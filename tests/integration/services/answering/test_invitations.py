"""Enkätlänkar: random tokens stored only as hashes, checked rules, valid/unknown/expired/used."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import Invitation, utcnow
from enkat.services.answering.drafts import open_draft, save_page, submit
from enkat.services.answering.invitations import (
    InvitationRefused,
    InvitationState,
    LinkStatus,
    create_invitation,
    find_invitation,
    invitation_link,
)
from enkat.services.instruments.versions import UnknownInstrument, resolve_instrument


def stored_invitations() -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def test_a_token_has_256_random_bits_and_only_its_hash_is_stored(insats):
    invitation, token = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    assert len(base64.urlsafe_b64decode(token + "=")) * 8 == 256
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(select(Invitation.__table__)).one()
    assert not any(token in str(value) for value in row)


def test_every_token_is_new(insats):
    tokens = {create_invitation(insats, "nns-deltagare-avslut", "avslut")[1] for _ in range(20)}
    assert len(tokens) == 20


def test_a_link_points_at_the_exact_instrument_version_and_its_frame(
    insats, make_participant, make_user
):
    deltagare, creator = make_participant("ABC123"), make_user()
    now = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    invitation, _ = create_invitation(insats, "ors", "session-3", participant=deltagare,
                                      expires_in_days=14, created_by=creator, now=now)
    ors = resolve_instrument("ors")
    assert (invitation.instrument_version.instrument_id, invitation.instrument_version.sha256) == (
        "ors", ors.sha256)
    assert (invitation.insats_id, invitation.participant_id, invitation.timepoint) == (
        insats.id, deltagare.id, "session-3")
    assert (invitation.created_by_id, invitation.created_at, invitation.expires_at) == (
        creator.id, now, dt.datetime(2025, 3, 15, 9, 0, tzinfo=dt.UTC))


def test_the_link_is_the_base_address_and_the_token():
    assert invitation_link("abc-DEF_123", "https://enkat.example.se") == (
        "https://enkat.example.se/s/abc-DEF_123")
    assert invitation_link("abc", "https://enkat.example.se/") == "https://enkat.example.se/s/abc"


def test_an_unknown_instrument_is_refused(insats):
    with pytest.raises(UnknownInstrument, match='^okänt instrument "finns-inte"$'):
        create_invitation(insats, "finns-inte", "avslut")


@pytest.mark.parametrize(
    ("instrument_id", "timepoint", "with_code", "days", "message"),
    [
        ("ors", "avslut", True, 30, '"avslut" är ingen mätpunkt för ors (tillåtna: session-{n})'),
        ("nns-deltagare-avslut", "avslut", True, 30,
         "nns-deltagare-avslut är anonym och tar ingen deltagarkod"),
        ("ors", "session-1", False, 30, "ors gäller en deltagare och behöver en deltagarkod"),
        ("finsam-inskrivning", "start", True, 30,
         "finsam-inskrivning fylls i av personal och besvaras inte genom en länk"),
        ("ors", "session-1", True, 0, "en länk ska gälla i 1 till 365 dagar, inte 0"),
        ("ors", "session-1", True, 366, "en länk ska gälla i 1 till 365 dagar, inte 366"),
    ],
)
def test_a_link_that_breaks_a_rule_is_refused_and_nothing_is_stored(
    insats, make_participant, instrument_id, timepoint, with_code, days, message
):
    participant = make_participant() if with_code else None
    with pytest.raises(InvitationRefused) as refused:
        create_invitation(insats, instrument_id, timepoint, participant=participant,
                          expires_in_days=days)
    assert str(refused.value) == message
    assert stored_invitations() == 0


def test_every_broken_rule_is_named_at_once(insats, make_participant):
    with pytest.raises(InvitationRefused) as refused:
        create_invitation(insats, "nns-deltagare-avslut", "start", participant=make_participant(),
                          expires_in_days=400)
    assert [problem.field for problem in refused.value.problems] == [
        "timepoint", "participant", "expires_in_days"]


def test_a_deltagare_of_another_forbund_is_refused(insats, make_forbund, make_participant):
    stranger = make_participant("XYZ789", of=make_forbund())
    with pytest.raises(InvitationRefused, match="^deltagaren hör till ett annat förbund$"):
        create_invitation(insats, "ors", "session-1", participant=stranger)


def test_a_new_link_is_valid(insats):
    invitation, token = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    assert find_invitation(token) == InvitationState(LinkStatus.VALID, invitation,
                                                     about=insats.name)


def test_an_unknown_token_reveals_nothing(insats):
    create_invitation(insats, "nns-deltagare-avslut", "avslut")
    state = find_invitation(secrets.token_urlsafe(32))
    assert (state.status, state.invitation) == (LinkStatus.UNKNOWN, None)
    assert find_invitation("").status is LinkStatus.UNKNOWN


def test_a_link_expires_at_its_expiry_time(insats):
    created = utcnow() - dt.timedelta(days=31)
    invitation, token = create_invitation(insats, "nns-deltagare-avslut", "avslut", now=created)
    assert find_invitation(token) == InvitationState(LinkStatus.EXPIRED, invitation,
                                                     about=insats.name)
    assert find_invitation(token, now=invitation.expires_at).status is LinkStatus.EXPIRED
    just_before = invitation.expires_at - dt.timedelta(seconds=1)
    assert find_invitation(token, now=just_before).status is LinkStatus.VALID


def test_a_submitted_link_is_used_even_after_it_expires(insats):
    invitation, token = create_invitation(insats, "nns-deltagare-avslut", "avslut")
    draft = open_draft(invitation)
    assert save_page(draft, {"q1": ["6"]}, ["q1"]) == ()
    submit(draft)
    assert find_invitation(token) == InvitationState(LinkStatus.USED, invitation,
                                                     about=insats.name)
    later = invitation.expires_at + dt.timedelta(days=1)
    assert find_invitation(token, now=later).status is LinkStatus.USED


# --- enkat invite ----------------------------------------------------------------------


@pytest.fixture
def enkat(app, db_session):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from enkat.cli import cli

    def run(*args: str):
        db_session.commit()  # what the test set up stays when the command rolls back
        return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))

    return run


def token_of(link: str) -> str:
    return link.rsplit("/s/", 1)[1]


def test_invite_prints_a_working_link_and_its_expiry(enkat, insats, make_participant, app,
                                                    monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)  # no public address: the default
    make_participant("ABC123")
    result = enkat("invite", "--insats", "steget", "--instrument", "ors", "--timepoint",
                   "session-2", "--participant", "abc123", "--expires-in", "7")
    assert result.exit_code == 0, result.output
    link, expiry = result.output.splitlines()
    assert link.startswith("http://127.0.0.1:5000/s/")
    state = find_invitation(token_of(link))
    assert state.status is LinkStatus.VALID
    invitation = state.invitation
    assert (invitation.participant.code, invitation.timepoint) == ("ABC123", "session-2")
    local = invitation.expires_at.astimezone(ZoneInfo("Europe/Stockholm"))
    assert expiry == f"giltig till {local:%Y-%m-%d %H:%M} (Europe/Stockholm)"


def test_invite_uses_the_configured_base_url_unless_one_is_given(enkat, insats, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://enkat.example.se")
    arguments = ("invite", "--insats", "steget", "--instrument", "nns-deltagare-avslut",
                 "--timepoint", "avslut")
    assert enkat(*arguments).output.startswith("https://enkat.example.se/s/")
    given = enkat(*arguments, "--base-url", "https://annan.example.se/")
    assert given.output.startswith("https://annan.example.se/s/")


def test_invite_needs_the_forbund_when_several_have_the_insats(enkat, insats, make_forbund,
                                                               make_insats):
    make_insats("steget", of=make_forbund("norr"))
    arguments = ("invite", "--insats", "steget", "--instrument", "nns-deltagare-avslut",
                 "--timepoint", "avslut")
    result = enkat(*arguments)
    assert result.exit_code == 1
    assert 'Fel: insatsen "steget" finns i flera förbund (norr, test)' in result.output
    result = enkat(*arguments, "--forbund", "norr")
    assert result.exit_code == 0, result.output
    invitation = find_invitation(token_of(result.output.splitlines()[0])).invitation
    assert invitation.insats.forbund.slug == "norr"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--insats", "finns-inte", "--instrument", "ors", "--timepoint", "session-1"),
         'Fel: okänd insats "finns-inte"'),
        (("--insats", "steget", "--instrument", "ors", "--timepoint", "session-1",
          "--participant", "NOPE42"), 'Fel: okänd deltagare "NOPE42" i test'),
        (("--insats", "steget", "--instrument", "ors", "--timepoint", "session-1"),
         "Fel: ors gäller en deltagare och behöver en deltagarkod"),
    ],
)
def test_invite_refuses_in_one_line_and_stores_nothing(enkat, insats, arguments, message):
    result = enkat("invite", *arguments)
    assert result.exit_code == 1
    assert message in result.output
    assert stored_invitations() == 0
