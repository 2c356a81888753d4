"""The links an insats has issued (/insatser/<slug>/lankar): their state, filtered by code
and state, paged; revoking one after a confirmation, audited, after which the deltagare
who opens it sees that it no longer works and a begun draft stays in the database. And
the link form on its own page, where the mätpunkt is chosen in words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, Invitation, Response, Role, utcnow
from enkat.services.answering.invitations import create_invitation

from .test_auth import sign_in
from .test_respond import html, post_step
from .test_staff_entry import add_staff, another_browser
from .test_staff_insatser import answer_ors, create_link, link_in, with_schedule

pytestmark = pytest.mark.usefixtures("mailbox")


@pytest.fixture(autouse=True)
def scheduled(insats):
    return with_schedule(insats)


def links_page(insats, query: str = "") -> str:
    return f"/insatser/{insats.slug}/lankar{query}"


def rows(page: str) -> list[str]:
    """The links list's rows as text without tags."""
    table = page.split('<table class="links')[1].split("</table>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.split(r"<tr[^>]*>", table)[2:]]


def the_invitation() -> Invitation:
    db.session.expire_all()
    return db.session.scalars(select(Invitation)).one()


def revoke_url(insats, invitation: Invitation) -> str:
    return f"/insatser/{insats.slug}/lankar/{invitation.id}/aterkalla"


# --- the list ------------------------------------------------------------------------------


def test_each_link_is_listed_with_its_state_in_words(app, signed_in, scheduled, deltagare,
                                                    make_participant):
    answered = link_in(create_link(signed_in, scheduled, code="ABC123"))
    answer_ors(app, answered)
    started = link_in(create_link(signed_in, scheduled, code="ABC123", timepoint="session-2"))
    path = started.removeprefix("http://localhost")
    assert post_step(another_browser(app), path, "individuellt", "4.0").status_code == 303
    link_in(create_link(signed_in, scheduled, instrument="nns-deltagare-avslut",
                        timepoint="avslut"))
    expired, _ = create_invitation(scheduled, "ors", "session-3", participant=deltagare,
                                   now=utcnow() - dt.timedelta(days=40))
    db.session.commit()

    listed = rows(html(signed_in.get(links_page(scheduled))))
    assert len(listed) == 4
    assert any(row.startswith("anonym") and "Vid avslut" in row and "Oanvänd" in row
               and "Återkalla" in row for row in listed), listed
    assert any("Samtal 2" in row and "Påbörjad" in row and "Återkalla" in row for row in listed)
    assert any("Samtal 1" in row and "Besvarad" in row and "Återkalla" not in row
               for row in listed)
    assert any("Samtal 3" in row and "Utgången" in row and "Återkalla" not in row
               for row in listed)
    assert not any("session-" in row for row in listed)


def test_the_list_is_filtered_by_code_and_state_and_paged(signed_in, scheduled, deltagare,
                                                         make_participant):
    from enkat.services.deltagare.participants import start_enrolment
    other = make_participant("XYZ789")
    start_enrolment(other, scheduled, dt.date(2025, 2, 1))
    for number in range(1, 28):
        create_invitation(scheduled, "ors", f"session-{number}", participant=deltagare)
    create_invitation(scheduled, "ors", "session-1", participant=other)
    db.session.commit()

    first = html(signed_in.get(links_page(scheduled)))
    assert len(rows(first)) == 25 and "Visar 1–25 av 28 länkar" in first
    assert 'href="/insatser/steget/lankar?sida=2"' in first
    assert len(rows(html(signed_in.get(links_page(scheduled, "?sida=2"))))) == 3

    only = rows(html(signed_in.get(links_page(scheduled, "?sok=xyz"))))
    assert len(only) == 1 and only[0].startswith("XYZ789")
    assert rows(html(signed_in.get(links_page(scheduled, "?status=besvarad")))) == [
        "Inga länkar som passar sökningen."]
    assert len(rows(html(signed_in.get(links_page(scheduled, "?status=oanvand&sok=ABC"))))) == 25
    # a state, sort or page the list does not know is ignored, never a 500
    page = signed_in.get(links_page(scheduled, "?status=nagot&sortera=x&sida=99"))
    assert page.status_code == 200 and "Visar 26–28 av 28 länkar" in html(page)


def test_personal_of_another_insats_and_analysts_cannot_list_or_revoke(
        app, signed_in, scheduled, deltagare, make_insats, make_user):
    link_in(create_link(signed_in, scheduled, code="ABC123"))
    invitation = the_invitation()
    other = make_insats("annan", name="Annan insats")
    outsider, analyst = make_user(Role.STAFF), make_user(Role.ANALYST)
    add_staff(outsider, other)
    db.session.commit()
    for user, status in ((outsider, 404), (analyst, 403)):
        browser = another_browser(app)
        sign_in(browser, user.email)
        assert browser.get(links_page(scheduled)).status_code == status
        assert browser.post(revoke_url(scheduled, invitation)).status_code == status
    # nor through their own insats: the link is not one of theirs
    browser = another_browser(app)
    sign_in(browser, outsider.email)
    assert browser.post(revoke_url(other, invitation)).status_code == 404
    assert the_invitation().revoked_at is None


# --- revoking ------------------------------------------------------------------------------


def test_revoking_asks_first_then_the_deltagare_finds_the_link_no_longer_valid(
        app, signed_in, scheduled, deltagare, personal):
    link = link_in(create_link(signed_in, scheduled, code="ABC123"))
    path = link.removeprefix("http://localhost")
    respondent = another_browser(app)
    assert post_step(respondent, path, "individuellt", "4.0").status_code == 303
    invitation = the_invitation()
    listed = html(signed_in.get(links_page(scheduled)))
    assert f'href="{revoke_url(scheduled, invitation)}"' in listed

    asked = signed_in.get(revoke_url(scheduled, invitation))
    assert asked.status_code == 200
    assert "Återkalla länken till ORS" in html(asked) and "Det går inte att ångra." in html(asked)
    assert "svaren som är sparade finns kvar" in html(asked)
    assert the_invitation().revoked_at is None  # asking changes nothing

    revoked = signed_in.post(revoke_url(scheduled, invitation))
    assert revoked.status_code == 303
    assert revoked.headers["Location"] == links_page(scheduled)
    after = html(signed_in.get(links_page(scheduled)))
    assert "är återkallad. Den går inte längre att öppna." in after
    assert "Återkallad" in rows(after)[0] and "Återkalla " not in rows(after)[0]
    invitation = the_invitation()
    assert invitation.revoked_at is not None and invitation.revoked_by_id == personal.id

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "link-revoked")).one()
    assert event.user_id == personal.id and event.subject == "ABC123"
    assert event.detail["invitation"] == invitation.id and event.detail["started"] is True

    for opened in (respondent.get(path), another_browser(app).get(path),
                   respondent.get(f"{path}/fraga/nara-relationer")):
        assert opened.status_code == 410
        assert "Länken gäller inte längre" in html(opened)
        assert "Personalen har dragit tillbaka länken." in html(opened)
    assert post_step(respondent, path, "nara-relationer", "5.0").status_code == 410
    draft = db.session.scalars(select(Response).where(
        Response.invitation_id == invitation.id)).one()  # kept, never submitted
    assert draft.submitted_at is None

    twice = signed_in.post(revoke_url(scheduled, invitation))  # a second click
    assert twice.status_code == 303
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "link-revoked")).all() == [event]


def test_an_answered_link_cannot_be_revoked(app, signed_in, scheduled, deltagare):
    answer_ors(app, link_in(create_link(signed_in, scheduled, code="ABC123")))
    invitation = the_invitation()
    asked = signed_in.get(revoke_url(scheduled, invitation))
    assert asked.status_code == 200 and "den är redan besvarad" in html(asked)
    assert "<button" not in html(asked).split("<main")[1]
    refused = signed_in.post(revoke_url(scheduled, invitation))
    assert refused.status_code == 409 and the_invitation().revoked_at is None


def test_an_unknown_link_id_is_not_found(signed_in, scheduled):
    assert signed_in.get(f"/insatser/{scheduled.slug}/lankar/999999/aterkalla"
                         ).status_code == 404


# --- the link form -------------------------------------------------------------------------


def timepoint_options(page: str) -> list[tuple[str, str]]:
    select_ = re.search(r'<select [^>]*name="timepoint".*?</select>', page, re.S).group(0)
    return re.findall(r'<option (?:selected )?value="([^"]*)">([^<]*)</option>', select_)


def test_the_link_form_offers_the_mätpunkter_of_the_chosen_enkät_in_words(
        signed_in, scheduled, deltagare, make_response):
    new = f"/insatser/{scheduled.slug}/lankar/ny"
    page = html(signed_in.get(new))
    assert 'name="timepoint"' not in page and "Visa mätpunkter" in page

    make_response("ors", dict.fromkeys(("individuellt", "nara-relationer", "socialt",
                                        "allmant"), "5.0"),
                  participant=deltagare, timepoint="session-1")
    chosen = html(signed_in.post(f"/insatser/{scheduled.slug}/lankar", data={
        "instrument": "ors", "code": "ABC123", "visa-matpunkter": "1"}))
    assert timepoint_options(chosen) == [("", "Välj mätpunkt"), ("session-2", "Samtal 2"),
                                         ("session-3", "Samtal 3"), ("session-4", "Samtal 4")]
    assert db.session.scalars(select(Invitation)).all() == []  # choosing makes no link

    prefilled = html(signed_in.get(f"{new}?instrument=ors&code=ABC123&timepoint=session-2"))
    assert '<option selected value="session-2">Samtal 2</option>' in prefilled

    single = html(signed_in.get(f"{new}?instrument=nns-deltagare-avslut"))
    assert timepoint_options(single) == [("avslut", "Vid avslut")]
    assert '<option selected value="avslut">Vid avslut</option>' in single


def test_a_forged_mätpunkt_is_refused_at_its_field(signed_in, scheduled, deltagare):
    refused = create_link(signed_in, scheduled, code="ABC123", timepoint="session-1'--")
    assert refused.status_code == 422
    page = html(refused)
    field = page.split('for="timepoint"')[1].split("</select>")[0]
    assert "Välj en av mätpunkterna för ORS" in field and 'aria-invalid="true"' in field
    assert db.session.scalars(select(Invitation)).all() == []


def test_the_link_page_says_the_mätpunkt_in_words(signed_in, scheduled, deltagare):
    page = html(create_link(signed_in, scheduled, code="ABC123"))
    assert "<dt>Mätpunkt</dt><dd>Samtal 1</dd>" in page


def test_the_registrera_form_offers_the_mätpunkter_of_the_chosen_form(signed_in, scheduled,
                                                                      deltagare):
    register = f"/insatser/{scheduled.slug}/registrera"
    page = html(signed_in.get(register))
    assert 'name="timepoint"' not in page and "Visa mätpunkter" in page
    chosen = html(signed_in.post(register, data={
        "source": "staff", "instrument": "skapa-personal", "code": "ABC123",
        "visa-matpunkter": "1", "answered_on": "2025-03-01"}))
    assert [words for _, words in timepoint_options(chosen)] == [
        "Välj mätpunkt", "Vid start", "Efter 3 månader", "Efter 6 månader", "Efter 12 månader",
        "Efter 18 månader", "Efter 24 månader", "Vid avslut"]
    single = html(signed_in.get(f"{register}?instrument=finsam-avslut&code=ABC123"))
    assert timepoint_options(single) == [("avslut", "Vid avslut")]
    assert "Inga påbörjade formulär." in single  # choosing opened no draft


def test_an_utskick_to_the_insats_personal_is_not_among_its_links(signed_in, scheduled,
                                                                 make_user, jobs):
    from enkat.services.utskick import campaigns

    from ..services.mailed import mail_round
    admin = make_user(Role.ADMIN)
    campaign = campaigns.create_campaign(campaigns.CampaignRequest(
        forbund=scheduled.forbund, instrument_id="nns-personal", timepoint="",
        title="Personalen 2025", addresses_text="kim@example.se", insats=scheduled,
        closes_on=campaigns.local_today() + dt.timedelta(days=14)), admin)
    mail_round(campaign)
    db.session.commit()
    assert db.session.scalars(select(Invitation)).one().insats_id == scheduled.id
    assert rows(html(signed_in.get(links_page(scheduled)))) == ["Inga länkar har skapats ännu."]
    invitation = the_invitation()
    assert signed_in.get(revoke_url(scheduled, invitation)).status_code == 404


def test_the_same_form_posted_again_makes_no_second_link(signed_in, scheduled, deltagare):
    """The page that shows a link answers the form's POST, so reloading it posts the form
    again; the form's mark is known by then, and the page says where the link is."""
    page = html(signed_in.get(f"/insatser/{scheduled.slug}/lankar/ny?instrument=ors"
                              "&code=ABC123&timepoint=session-1"))
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', page).group(1)
    form = {"instrument": "ors", "code": "ABC123", "timepoint": "session-1",
            "expires_in_days": "14", "once": once}
    first = signed_in.post(f"/insatser/{scheduled.slug}/lankar", data=form)
    assert link_in(first)
    again = signed_in.post(f"/insatser/{scheduled.slug}/lankar", data=form)
    assert again.status_code == 409 and "Länken är redan skapad" in html(again)
    assert len(db.session.scalars(select(Invitation)).all()) == 1
    another = html(again)  # a fresh form on that page makes the next link
    fresh = re.search(r'name="once" type="hidden" value="([^"]+)"', another).group(1)
    assert fresh != once
    assert signed_in.post(f"/insatser/{scheduled.slug}/lankar",
                          data={**form, "once": fresh}).status_code == 200
    assert len(db.session.scalars(select(Invitation)).all()) == 2
