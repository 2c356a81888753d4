"""The data the access tests walk: two förbund with everything a URL can name.

Förbund "Norrvik" has insatser A and B, a deltagare in each (with an inskrivning, ORS and
SRS), a staff draft and a personal link in each, its own instrument (version 1 published,
version 2 a preview), an utskick, a password reset link and one user of each role.
Förbund "Hemlig-B" has the same kinds of things, each named with the marker HEMLIG-B,
which no page shown to Norrvik's users may ever contain.

`build_world` returns plain values (ids, slugs, codes, tokens, e-mail addresses), never
ORM objects, so tests that roll back their own work may share one world.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, replace

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import (
    Forbund,
    Insats,
    InsatsStaff,
    Invitation,
    Participant,
    PasswordReset,
    Response,
    ResponseSource,
    Role,
    ScheduleEntry,
    ScheduleTrigger,
    User,
    utcnow,
)
from enkat.reports.period import Period
from enkat.services.answering import entry, responses
from enkat.services.answering.drafts import local_today
from enkat.services.answering.invitations import create_invitation
from enkat.services.deltagare import participants
from enkat.services.documents import create_document
from enkat.services.instruments.uploads import publish_instrument, upload_instrument
from enkat.services.instruments.versions import resolve_instrument
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.people.accounts import hash_token
from enkat.services.people.users import create_user, grant_role
from enkat.services.results import prepared_downloads
from enkat.services.results.reports import DEFAULT_ASSUMPTIONS
from enkat.services.samhallsnytta import set_insats_cost
from enkat.services.tokens import hash_token as hash_link_token
from enkat.services.utskick import campaigns
from tests.integration.services.instruments.test_uploads import instrument_data

PASSWORD = "lösenord-123"
#: Everything of the second förbund carries this; no page of the first may show it.
SECRET_MARKER = "hemlig-b"
#: Names of the first förbund, which no page of the second may show.
OWN_MARKER = "norrvik"

ORS_ITEMS = ("individuellt", "nara-relationer", "socialt", "allmant")
SRS_ITEMS = ("relation", "mal-och-amnen", "metod", "allmant")
RATED_ON = dt.date(2025, 3, 1)
REPORT_YEAR = "2025"


@dataclass(frozen=True)
class ForbundIds:
    """What the URLs of one förbund can name."""

    slug: str
    insats: str  # the slug of insats A (of the förbund's only insats, for Hemlig-B)
    code: str  # a deltagare enrolled in that insats
    draft: int  # a staff draft in that insats
    response: int  # a sent response of that deltagare (the SRS of their second session)
    instrument: str  # an instrument the förbund uploaded, version 1 published
    campaign: int
    user: int  # a personal of that insats
    token: str  # a working personal link in that insats
    invitation: int  # that link's id
    document: int  # a kvartalsrapport of that insats, a draft
    cost: int  # a cost of that insats, for 2025
    prepared: int  # a prepared download, ready: the administrator's PDF of that insats


@dataclass(frozen=True)
class World:
    norrvik: ForbundIds
    hemlig: ForbundIds
    #: Insats B of Norrvik: what of it an address can name (the förbund's own things
    #: besides, the same as `norrvik`'s).
    insats_b: ForbundIds
    insats_a_id: int
    insats_a_name: str
    insats_b_name: str
    #: A preview (unpublished) version of Norrvik's instrument.
    preview_version: int
    reset_token: str  # a working password reset link of Norrvik's personal of insats A
    #: The e-mail address each visitor signs in with, by visitor name.
    emails: dict[str, str]


def build_world() -> World:
    norrvik = create_forbund("norrvik", "Samordningsförbundet Norrvik")
    hemlig = create_forbund("hemlig-b", "HEMLIG-B Samordningsförbundet")
    insats_a = _insats(norrvik, "norrvik-steget", "Norrvik Steget")
    insats_b = _insats(norrvik, "norrvik-lotsen", "Norrvik Lotsen")
    secret_insats = _insats(hemlig, "hemlig-b-insats", "HEMLIG-B Insatsen")

    staff_a = _user(norrvik, Role.STAFF, "personal-a@norrvik.example", insats_a)
    staff_b = _user(norrvik, Role.STAFF, "personal-b@norrvik.example", insats_b)
    analyst = _user(norrvik, Role.ANALYST, "analytiker@norrvik.example")
    admin = _user(norrvik, Role.ADMIN, "admin@norrvik.example")
    other_admin = _user(hemlig, Role.ADMIN, "admin@hemlig-b.example")
    secret_staff = _user(hemlig, Role.STAFF, "personal@hemlig-b.example", secret_insats)

    code_a = _rated_deltagare(norrvik, insats_a, "NV-A1")
    _record(insats_a, None, "nns-deltagare-pagaende", "pagaende", {"q1": "5"}, RATED_ON)
    code_b = _rated_deltagare(norrvik, insats_b, "NV-B1")
    secret_code = _rated_deltagare(hemlig, secret_insats, "HEMLIG-B1")

    norrvik_kurs = _own_instrument(norrvik, admin, "norrvik-kurs", "Norrvik kursdag")
    preview = upload_instrument(norrvik, admin, json.dumps(instrument_data(
        id="norrvik-kurs", version=2, title={"sv": "Norrvik kursdag", "en": "Norrvik day"})))
    secret_kurs = _own_instrument(hemlig, other_admin, "hemlig-b-kurs", "HEMLIG-B kursdag")

    own = ForbundIds(
        slug=norrvik.slug, insats=insats_a.slug, code=code_a,
        draft=_staff_draft(insats_a, code_a), response=_sent(insats_a, code_a),
        instrument=norrvik_kurs,
        campaign=_campaign(norrvik, admin, "Norrvik styrelse 2025"), user=staff_a.id,
        token=(token_a := _link(insats_a, code_a)), invitation=_invitation_id(token_a),
        document=_document(insats_a, staff_a), cost=_cost(insats_a),
        prepared=_prepared(admin, insats_a))
    world = World(
        norrvik=own,
        hemlig=ForbundIds(
            slug=hemlig.slug, insats=secret_insats.slug, code=secret_code,
            draft=_staff_draft(secret_insats, secret_code),
            response=_sent(secret_insats, secret_code), instrument=secret_kurs,
            campaign=_campaign(hemlig, other_admin, "HEMLIG-B styrelse"),
            user=secret_staff.id, token=(secret_token := _link(secret_insats, secret_code)),
            invitation=_invitation_id(secret_token),
            document=_document(secret_insats, secret_staff), cost=_cost(secret_insats),
            prepared=_prepared(other_admin, secret_insats)),
        insats_b=replace(own, insats=insats_b.slug, code=code_b,
                         draft=_staff_draft(insats_b, code_b),
                         response=_sent(insats_b, code_b), user=staff_b.id,
                         token=(token_b := _link(insats_b, code_b)),
                         invitation=_invitation_id(token_b),
                         document=_document(insats_b, staff_b),
                         cost=_cost(insats_b)),
        insats_a_id=insats_a.id, insats_a_name=insats_a.name, insats_b_name=insats_b.name,
        preview_version=preview.version,
        reset_token=_reset_token(staff_a),
        emails={"staff_a": staff_a.email, "staff_b": staff_b.email, "analyst": analyst.email,
                "admin": admin.email, "other_admin": other_admin.email},
    )
    db.session.flush()
    return world


def _insats(forbund: Forbund, slug: str, name: str) -> Insats:
    """An individinriktad insats whose schedule has ORS every session and the anonymous
    NNS survey, so a kiosk of it has something to offer with and without a code."""
    insats = create_insats(forbund, slug, name, starts_on=dt.date(2025, 1, 1))
    insats.schedule = [
        ScheduleEntry(instrument_id="ors", timepoint="session-{n}",
                      trigger=ScheduleTrigger.EVERY_SESSION),
        ScheduleEntry(instrument_id="nns-deltagare-pagaende", timepoint="pagaende",
                      trigger=ScheduleTrigger.AFTER_DAYS, days=0),
    ]
    return insats


def _user(forbund: Forbund, role: Role, email: str, insats: Insats | None = None) -> User:
    name = "HEMLIG-B användare" if SECRET_MARKER in forbund.slug else "Norrvik användare"
    user = create_user(email, PASSWORD, name)
    grant_role(user, forbund, role)
    if insats is not None:
        db.session.add(InsatsStaff(insats_id=insats.id, user_id=user.id))
        db.session.flush()
    return user


def _record(insats: Insats, participant: Participant | None, instrument_id: str, timepoint: str,
            answers: dict[str, str], on: dt.date) -> None:
    context = responses.ResponseContext(
        forbund=insats.forbund, instrument=resolve_instrument(instrument_id), insats=insats,
        participant=participant, timepoint=timepoint, answered_on=on)
    responses.record_response(context, {key: [value] for key, value in answers.items()},
                              source=ResponseSource.STAFF)


def _enrolled(forbund: Forbund, insats: Insats, code: str) -> Participant:
    participant = participants.get_or_create_participant(forbund, code)
    _record(insats, participant, "finsam-inskrivning", "start", {"kon": "man"},
            dt.date(2025, 2, 1))
    return participant


def _rated_deltagare(forbund: Forbund, insats: Insats, code: str) -> str:
    """A deltagare with an inskrivning and two sessions of ORS and SRS, and an anonymous
    NNS answer: a chart to draw (a report leaves out a table with nothing in it)."""
    participant = _enrolled(forbund, insats, code)
    _record(insats, None, "nns-deltagare-pagaende", "pagaende", {"q1": "5"}, RATED_ON)
    for session, value in ((1, "4.0"), (2, "6.0")):
        on = RATED_ON + dt.timedelta(days=7 * (session - 1))
        _record(insats, participant, "ors", f"session-{session}",
                dict.fromkeys(ORS_ITEMS, value), on)
        _record(insats, participant, "srs", f"session-{session}",
                dict.fromkeys(SRS_ITEMS, "9.5"), on)
    return participant.code


def _document(insats: Insats, writer: User) -> int:
    """A kvartalsrapport of the insats' first quarter of 2025, a draft."""
    return create_document(insats.forbund, insats, "kvartalsrapport",
                           Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)), writer).id


def _cost(insats: Insats) -> int:
    """What the insats cost in 2025."""
    return set_insats_cost(insats, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 500_000,
                           by=None).id


def _prepared(admin: User, insats: Insats) -> int:
    """The administrator's PDF of the insats' report, asked for and built as the worker
    builds it."""
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    download, _ = prepared_downloads.ask(
        admin, insats.forbund, kind=prepared_downloads.REPORT, file_format="pdf",
        file_name=f"rapport-{insats.forbund.slug}-{insats.slug}-2025.pdf",
        spec=prepared_downloads.report_spec(insats, period, DEFAULT_ASSUMPTIONS),
        audit_detail={"format": "pdf"}, back_to="/forbund/resultat")
    prepared_downloads.build(prepared_downloads.take(download.id),
                             prepared_downloads.report_or_answers)
    return download.id


def _staff_draft(insats: Insats, code: str) -> int:
    """A finsam-avslut being filled in by personal, not yet sent."""
    wanted = entry.Entry(insats=insats, instrument=resolve_instrument("finsam-avslut"),
                         source=ResponseSource.STAFF, timepoint="avslut", code=code,
                         answered_on=local_today())
    return entry.open_entry(entry.entry_context(wanted), ResponseSource.STAFF).id


def _sent(insats: Insats, code: str) -> int:
    """The deltagare's latest sent response in the insats (`_rated_deltagare`'s SRS)."""
    return db.session.scalar(
        select(Response.id).join(Participant, Participant.id == Response.participant_id)
        .where(Response.insats_id == insats.id, Participant.code == code,
               Response.submitted_at.is_not(None))
        .order_by(Response.id.desc()).limit(1))


def _own_instrument(forbund: Forbund, admin: User, instrument_id: str, title: str) -> str:
    text = json.dumps(instrument_data(id=instrument_id, title={"sv": title, "en": title}))
    publish_instrument(upload_instrument(forbund, admin, text), admin)
    return instrument_id


def _campaign(forbund: Forbund, admin: User, title: str) -> int:
    slug = forbund.slug
    addresses = f"ordforande@{slug}.example\nledamot@{slug}.example"
    return campaigns.create_campaign(campaigns.CampaignRequest(
        forbund=forbund, instrument_id="nns-styrelse", timepoint="", title=title,
        addresses_text=addresses, closes_on=local_today() + dt.timedelta(days=14)), admin).id


def _link(insats: Insats, code: str) -> str:
    """A working personal link to the next ORS of the deltagare."""
    participant = participants.find_participant(insats.forbund, code)
    _invitation, token = create_invitation(insats, "ors", "session-3", participant=participant)
    return token


def _invitation_id(token: str) -> int:
    return db.session.scalar(select(Invitation.id).where(
        Invitation.token_hash == hash_link_token(token)))


def _reset_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=user.id, token_hash=hash_token(token),
                                 expires_at=utcnow() + dt.timedelta(hours=1)))
    return token
