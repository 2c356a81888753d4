"""Links from the insats page: the page that shows a link once (copy, QR code, downloads),
the letter, e-mail that keeps no address, bad input and who may make links."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import pytest
import segno
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, Invitation, Role

from .test_admin_utskick import cookie_also_for_the_forged_host
from .test_auth import sign_in
from .test_respond import html
from .test_staff_entry import add_staff, another_browser
from .test_staff_insatser import answer_ors, create_link, link_in, with_schedule

#: Mail is configured here (the loopback SMTP server); test_no_mail.py covers a setup without.
pytestmark = pytest.mark.usefixtures("mailbox")

ADDRESS = "deltagare.privat@example.net"


@pytest.fixture(autouse=True)
def scheduled(insats):
    """The insats of every test here has the measurement schedule."""
    return with_schedule(insats)


@pytest.fixture
def made(signed_in, scheduled, deltagare):
    """A link just made for ABC123's first ORS: the response and the link in it."""
    response = create_link(signed_in, scheduled, code="ABC123")
    return response, link_in(response)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def invitation_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Invitation))


def data_uri(page: str, extension: str) -> str:
    return re.search(rf'href="(data:[^"]+)" download="qr-ABC123-ors-session-1\.{extension}"',
                     page).group(1)


# --- the page that shows the link -------------------------------------------------------


def test_the_link_is_shown_once_in_a_page_no_one_keeps(made):
    response, link = made
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = html(response)
    assert f'id="link-url" type="text" value="{link}" readonly' in page  # selectable
    assert 'data-copy="link-url" hidden' in page  # staff.js shows the button
    assert re.search(r'<script src="/static/staff\.js\?v=[0-9a-f]{12}" defer></script>', page)
    assert "<script>" not in page
    assert "ABC123" in page and "session-1" in page and "Gäller till" in page


def test_the_qr_code_is_the_link_inline_and_as_svg_and_png(made):
    response, link = made
    page = html(response)
    expected = segno.make(link, error="m", micro=False)
    path = re.search(r'<svg role="img"[^>]*>.*?<path [^>]*d="([^"]+)"', page).group(1)
    assert path == re.search(r' d="([^"]+)"', expected.svg_inline(border=4)).group(1)

    svg = unquote(data_uri(page, "svg").removeprefix("data:image/svg+xml;charset=utf-8,"))
    assert svg.startswith("<svg") and "segno" in svg
    assert re.search(r" d=.([^'\"]+)", svg).group(1) == path

    png = base64.b64decode(data_uri(page, "png").removeprefix("data:image/png;base64,"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == base64.b64decode(expected.png_data_uri(scale=10, border=4).split(",")[1])


def test_the_link_opens_the_survey_in_another_browser(app, made):
    _, link = made
    response = another_browser(app).get(link.removeprefix("http://localhost"))
    assert response.status_code == 200 and "ORS" in html(response)


def test_making_a_link_is_audited_without_its_token(made, personal):
    _, link = made
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link-created")).one()
    assert event.user_id == personal.id and event.subject == "ABC123"
    assert event.detail["instrument"] == "ors" and event.detail["timepoint"] == "session-1"
    assert token_of(link) not in str(event.detail) and token_of(link) not in event.subject


def test_the_link_goes_to_base_url_when_one_is_set(app, signed_in, scheduled, deltagare,
                                                    monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://enkat.forbund.example/")
    page = html(create_link(signed_in, scheduled, code="ABC123"))
    assert re.search(r'value="https://enkat\.forbund\.example/s/[\w-]{43}"', page)


def test_an_anonymous_survey_gets_a_link_without_a_code(signed_in, scheduled):
    response = create_link(signed_in, scheduled, instrument="nns-deltagare-avslut",
                           timepoint="avslut")
    link_in(response)
    assert "Du svarar anonymt" not in html(response)  # that is the letter's and mail's
    assert "<dd>anonym</dd>" in html(response)
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.participant_id is None


# --- the letter -------------------------------------------------------------------------


def test_the_letter_has_the_link_its_qr_code_and_plain_swedish(signed_in, scheduled, made):
    _, link = made
    letter = signed_in.post(f"/insatser/{scheduled.slug}/lankar/brev",
                            data={"token": token_of(link)})
    assert letter.status_code == 200
    assert letter.headers["Cache-Control"] == "no-store"
    assert letter.headers["Referrer-Policy"] == "no-referrer"
    page = html(letter)
    assert f'<p class="letter-link">{link}</p>' in page
    qr_path = re.search(r' d="([^"]+)"',
                        segno.make(link, error="m").svg_inline(border=4)).group(1)
    assert f'd="{qr_path}"' in page
    assert "Steget vidare" in page and "En enkät till dig" in page
    assert "Dina svar sparas med en kod, inte med ditt namn" in page
    assert "Den fungerar en gång, fram till" in page
    assert "data-print hidden" in page


def test_the_letter_needs_a_working_link_of_the_insats(app, signed_in, scheduled, made,
                                                       make_insats):
    _, link = made
    letter = f"/insatser/{scheduled.slug}/lankar/brev"
    assert signed_in.post(letter, data={"token": "x" * 43}).status_code == 404
    assert signed_in.post(letter, data={}).status_code == 404
    answer_ors(app, link)  # used: it cannot be handed over any more
    assert signed_in.post(letter, data={"token": token_of(link)}).status_code == 404


# --- e-mail -----------------------------------------------------------------------------


def everything_stored() -> str:
    """Every value of every table, as text: what a copy of the database would hold."""
    db.session.flush()
    dump = []
    for table in db.metadata.sorted_tables:
        dump.extend(str(row) for row in db.session.execute(select(table)))
    return "\n".join(dump)


def test_a_mailed_link_arrives_and_the_address_is_kept_nowhere(signed_in, scheduled, made,
                                                               mailbox):
    _, link = made
    sent = signed_in.post(f"/insatser/{scheduled.slug}/lankar/epost",
                          data={"token": token_of(link), "address": ADDRESS})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/insatser/{scheduled.slug}"
    (mail,) = mailbox.to(ADDRESS)
    body = mailbox.text(mail)
    assert mail["Subject"] == "En enkät från Steget vidare"
    assert link in body and "Hej!" in body and "Den fungerar en gång" in body
    assert "Dina svar sparas med en kod" in body
    assert "är skickad med e-post" in html(signed_in.get(f"/insatser/{scheduled.slug}"))

    assert ADDRESS not in everything_stored()
    assert "deltagare.privat" not in everything_stored()
    mailed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link-mailed")).one()
    assert mailed.subject == "ABC123" and ADDRESS not in str(mailed.detail)


def test_a_refused_mail_says_why_and_can_be_sent_again(signed_in, scheduled, made, mailbox):
    _, link = made
    mailbox.refuse = True
    data = {"token": token_of(link), "address": ADDRESS}
    refused = signed_in.post(f"/insatser/{scheduled.slug}/lankar/epost", data=data)
    assert refused.status_code == 502
    assert refused.headers["Cache-Control"] == "no-store"
    page = html(refused)
    assert "Mejlet kunde inte skickas" in page and "550" in page and "mailbox unavailable" in page
    assert f'value="{link}"' in page and f'value="{ADDRESS}"' in page  # the same page, again
    assert mailbox.messages == []
    assert ADDRESS not in everything_stored()

    mailbox.refuse = False
    sent = signed_in.post(f"/insatser/{scheduled.slug}/lankar/epost", data=data)
    assert sent.status_code == 303 and len(mailbox.to(ADDRESS)) == 1
    assert ADDRESS not in everything_stored()


@pytest.mark.parametrize(("address", "message"), [
    ("", "Skriv e-postadressen som länken ska skickas till."),
    ("deltagare.example.net", "Skriv en hel e-postadress, till exempel namn@exempel.se."),
    ("a@b", "Skriv en hel e-postadress, till exempel namn@exempel.se."),
])
def test_a_bad_address_is_refused_on_the_link_page(signed_in, scheduled, made, mailbox, address,
                                                   message):
    _, link = made
    refused = signed_in.post(f"/insatser/{scheduled.slug}/lankar/epost",
                             data={"token": token_of(link), "address": address})
    assert refused.status_code == 422
    page = html(refused)
    assert message in page and 'aria-invalid="true"' in page and link in page
    assert mailbox.messages == []


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "message"), [
    ({"code": "OKAND1"}, "Det finns ingen deltagare med koden OKAND1 i Steget vidare."),
    ({"code": "19800101-1234"}, "Det ser ut som ett personnummer."),
    ({"code": "", "instrument": "ors"}, "Skriv deltagarens kod. ORS"),
    ({"code": "ABC123", "instrument": "nns-deltagare-avslut", "timepoint": "avslut"},
     "besvaras anonymt. Lämna deltagarens kod tom."),
    ({"code": "ABC123", "instrument": "processtrappan", "timepoint": "start"},
     "Processtrappan – steg mot arbete fylls i av personal och besvaras inte via en länk."),
    ({"code": "ABC123", "instrument": "finns-inte"}, "Välj en enkät i listan."),
    ({"code": "ABC123", "timepoint": "start"},
     "Välj en av mätpunkterna för ORS – Hur har du haft det den senaste veckan? i listan: "
     "Samtal 1, Samtal 2, Samtal 3."),
    ({"code": "ABC123", "timepoint": "session-7"}, "Välj en av mätpunkterna för ORS"),
    ({"code": "ABC123", "timepoint": ""}, "Välj mätpunkt för ORS"),
    ({"code": "ABC123", "expires_in_days": "0"}, "Länken kan gälla i 1 till 365 dagar."),
    ({"code": "ABC123", "expires_in_days": "366"}, "Länken kan gälla i 1 till 365 dagar."),
    ({"code": "ABC123", "expires_in_days": "två"}, "Skriv hur många dagar länken ska gälla"),
])
def test_bad_input_makes_no_link_and_says_what_is_wrong(signed_in, scheduled, deltagare,
                                                        fields, message):
    refused = create_link(signed_in, scheduled, **fields)
    assert refused.status_code == 422
    page = html(refused)
    assert message in page, page.split("<main")[1]
    assert 'aria-invalid="true"' in page and "19800101-1234" not in page
    assert invitation_count() == 0
    assert "/s/" not in page


def test_a_code_of_another_insats_gets_no_link(signed_in, scheduled, make_insats,
                                               make_participant):
    other = make_insats("annan", name="Annan insats")
    from enkat.services.deltagare.participants import start_enrolment
    start_enrolment(make_participant("ANNAN1"), other, scheduled.starts_on)
    refused = create_link(signed_in, scheduled, code="ANNAN1")
    assert refused.status_code == 422
    assert "Det finns ingen deltagare med koden ANNAN1 i Steget vidare." in html(refused)
    assert invitation_count() == 0


# --- access -----------------------------------------------------------------------------


def test_personal_of_another_insats_cannot_make_or_hand_over_links(app, client, scheduled, made,
                                                                   make_insats, make_user):
    _, link = made
    other = make_insats("annan", name="Annan insats")
    outsider = make_user(Role.STAFF)
    add_staff(outsider, other)
    browser = another_browser(app)
    sign_in(browser, outsider.email)
    assert create_link(browser, scheduled, code="ABC123").status_code == 404
    for part in ("brev", "epost"):
        assert browser.post(f"/insatser/{scheduled.slug}/lankar/{part}",
                            data={"token": token_of(link), "address": ADDRESS}
                            ).status_code == 404
        # nor through their own insats: the link is not one of theirs
        assert browser.post(f"/insatser/{other.slug}/lankar/{part}",
                            data={"token": token_of(link), "address": ADDRESS}
                            ).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, scheduled):
    for part in ("", "/brev", "/epost"):
        response = client.post(f"/insatser/{scheduled.slug}/lankar{part}", data={})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_form_without_its_fields_is_refused_not_a_crash(signed_in, scheduled, deltagare):
    refused = signed_in.post(f"/insatser/{scheduled.slug}/lankar",
                             data={"code": "ABC123", "instrument": "ors"})
    assert refused.status_code == 422 and "Välj mätpunkt för ORS" in html(refused)
    refused = signed_in.post(f"/insatser/{scheduled.slug}/lankar", data={})
    assert refused.status_code == 422 and "Välj en enkät i listan." in html(refused)
    assert invitation_count() == 0


def test_a_forged_host_never_gets_into_a_mailed_link(app, signed_in, scheduled, deltagare,
                                                     mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://enkat.forbund.example")
    attacker = {"Host": "attacker.example"}
    cookie_also_for_the_forged_host(app, signed_in)
    made = signed_in.post(f"/insatser/{scheduled.slug}/lankar", headers=attacker, data={
        "code": "ABC123", "instrument": "ors", "timepoint": "session-1", "expires_in_days": "14"})
    assert made.status_code == 200
    token = re.search(r"https://enkat\.forbund\.example/s/([\w-]{43})", html(made)).group(1)
    sent = signed_in.post(f"/insatser/{scheduled.slug}/lankar/epost", headers=attacker,
                          data={"token": token, "address": ADDRESS})
    assert sent.status_code == 303
    body = mailbox.text(mailbox.to(ADDRESS)[0])
    assert f"https://enkat.forbund.example/s/{token}" in body and "attacker" not in body


def test_without_a_public_address_a_link_is_not_offered_by_mail(app, signed_in, scheduled, made,
                                                                mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    _, link = made
    data = {"token": token_of(link), "address": ADDRESS}
    refused = signed_in.post(f"/insatser/{scheduled.slug}/lankar/epost", data=data)
    assert refused.status_code == 409
    shown = html(refused)
    assert "Mejl med länkar kan inte skickas" in shown and "ENKAT_BASE_URL" in shown
    assert 'name="address"' not in shown
    assert mailbox.messages == []
