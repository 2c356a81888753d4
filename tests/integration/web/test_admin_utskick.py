"""Utskick in the förbund's workspace: created from pasted or uploaded addresses, mailed
through a real SMTP server on loopback, answered through the mailed links, reminded,
failures shown and sent again, closed; who may see and do what."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlsplit

import pytest
from flask import current_app
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.jobs.mailing import resume_mailing
from enkat.jobs.queue import queue_of
from enkat.models import (
    AuditEvent,
    Campaign,
    CampaignRecipient,
    Invitation,
    Response,
    Role,
    utcnow,
)
from enkat.services.answering.responses import answers_of
from enkat.services.people.users import create_user, grant_role
from enkat.services.utskick import campaigns, mailing

from .test_auth import sign_in

#: Mail is configured here (the loopback SMTP server); test_no_mail.py covers a setup without.
pytestmark = pytest.mark.usefixtures("mailbox", "jobs")

LINK = re.compile(r"https?://\S+")
STYRELSE = ["anna@example.se", "bo@example.se", "cecilia@example.se"]


def form(**fields):
    data = {"instrument": "nns-styrelse", "insats": "", "timepoint": "", "title": "Styrelsen 2025",
            "closes_on": (campaigns.local_today() + dt.timedelta(days=14)).isoformat(),
            "addresses": "\n".join(STYRELSE)}
    data.update(fields)
    return data


def create(client, **fields) -> Campaign:
    response = client.post("/forbund/utskick/nytt", data=form(**fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(Campaign, campaign_id)


def worked(response):
    """The answer to a request, once the worker has run the jobs it queued (here, as the
    worker would)."""
    queue_of(current_app).run_pending()
    return response


def page(response) -> str:
    return response.get_data(as_text=True)


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Campaign, CampaignRecipient, Invitation, AuditEvent))


def link_path(mailbox, address: str, index: int = -1) -> str:
    [link] = LINK.findall(mailbox.text(mailbox.to(address)[index]))
    return urlsplit(link).path


def answer_to_the_end(client, link: str, value: str = "3") -> None:
    """Open the mailed link and answer every question (`value` to the rated ones), as a
    board member would."""
    start = client.get(link)
    assert start.status_code == 200 and "Samordningsförbundet Test" in page(start)
    location = re.search(rf'href="({re.escape(link)}/fraga/[^"]+)"', page(start)).group(1)
    while "/fraga/" in location:
        key = location.rsplit("/", 1)[1]
        assert client.get(location).status_code == 200
        answer = "Bra samverkan." if key == "synpunkter" else value
        saved = client.post(location, data={"go_to": "next", f"answer-{key}": answer})
        assert saved.status_code == 303
        location = saved.headers["Location"]
    assert location == f"{link}/granska"
    sent = client.post(location)
    assert (sent.status_code, sent.headers["Location"]) == (303, f"{link}/tack")


# --- access ------------------------------------------------------------------------------


def routes(campaign_id: int) -> list[tuple[str, str]]:
    return [("get", "/forbund/utskick/nytt"), ("post", "/forbund/utskick/nytt"),
            ("get", f"/forbund/utskick/{campaign_id}"),
            ("get", f"/forbund/utskick/{campaign_id}/skicka"),
            ("post", f"/forbund/utskick/{campaign_id}/skicka"),
            ("get", f"/forbund/utskick/{campaign_id}/paminn"),
            ("post", f"/forbund/utskick/{campaign_id}/paminn"),
            ("get", f"/forbund/utskick/{campaign_id}/stang"),
            ("post", f"/forbund/utskick/{campaign_id}/stang")]


def test_signed_out_visitors_are_sent_to_sign_in(client, as_admin):
    campaign = create(as_admin)
    client.post("/logout")
    for method, url in [("get", "/forbund/utskick"), *routes(campaign.id)]:
        response = client.open(method=method, path=url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_personal_may_not_see_utskick(app, as_admin, make_user):
    campaign = create(as_admin)
    staff = app.test_client()
    sign_in(staff, make_user(Role.STAFF).email)
    for method, url in [("get", "/forbund/utskick"), *routes(campaign.id)]:
        assert staff.open(method=method, path=url).status_code == 403, url


def test_analysts_see_the_list_rates_and_results_but_change_nothing(app, as_admin, make_user,
                                                                    mailbox):
    campaign = create(as_admin)
    mailbox.refuse = True
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    assert STYRELSE[0] in page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    analyst = app.test_client()
    sign_in(analyst, make_user(Role.ANALYST).email)
    listing = page(analyst.get("/forbund/utskick"))
    assert "Styrelsen 2025" in listing and "Nytt utskick" not in listing
    detail = page(analyst.get(f"/forbund/utskick/{campaign.id}"))
    assert "Svarsfrekvens" in detail and "Inga svar än." in detail
    assert not any(address in detail for address in STYRELSE)
    assert not any(f"/{campaign.id}/{action}" in detail for action in ("skicka", "paminn", "stang"))
    for method, url in [route for route in routes(campaign.id) if route[0] == "post"
                        or route[1] != f"/forbund/utskick/{campaign.id}"]:
        assert analyst.open(method=method, path=url).status_code == 403, url
    assert mailbox.messages == []


def test_an_utskick_of_another_forbund_is_not_found(app, as_admin, make_forbund):


    campaign = create(as_admin)
    other = make_forbund()
    stranger = create_user("admin@annat.example", "lösenord-123", "Annan Admin")
    grant_role(stranger, other, Role.ADMIN)
    outsider = app.test_client()
    sign_in(outsider, stranger.email)
    for method, url in routes(campaign.id)[2:]:
        assert outsider.open(method=method, path=url).status_code == 404, url
    assert "Styrelsen 2025" not in page(outsider.get("/forbund/utskick"))
    assert campaign.closed_at is None


# --- creating ----------------------------------------------------------------------------


def test_an_utskick_is_created_from_pasted_addresses(as_admin, admin, mailbox):
    assert as_admin.get("/forbund/utskick/nytt").status_code == 200
    campaign = create(as_admin,
                      addresses="Anna@Example.se; bo@example.se\nCecilia Ek <cecilia@example.se>")
    assert [r.email for r in campaign.recipients] == STYRELSE
    assert (campaign.insats_id, campaign.timepoint) == (None, "arlig")
    assert campaign.created_by_id == admin.id
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert "Utskicket är skapat med 3 adresser." in detail and ">Skicka</a>" in detail
    assert mailbox.messages == []  # nothing leaves before "Skicka"


def test_an_utskick_is_created_from_an_uploaded_file(as_admin, insats):
    upload = io.BytesIO("\ufeffkim@example.se\r\nLo@Example.se\r\n".encode())  # Excel's UTF-8 CSV
    response = as_admin.post("/forbund/utskick/nytt", content_type="multipart/form-data", data=form(
        addresses="", instrument="nns-personal", insats=str(insats.id),
        addresses_file=(upload, "personal.csv")))
    assert response.status_code == 303
    campaign = db.session.scalars(select(Campaign)).one()
    assert [r.email for r in campaign.recipients] == ["kim@example.se", "lo@example.se"]
    assert campaign.insats_id == insats.id


@pytest.mark.parametrize(("fields", "message"), [
    ({"addresses": "anna@example.se\nbo@example\ncecilia@example.se"},
     "Rad 2: ”bo@example” är ingen e-postadress."),
    ({"addresses": "  \n"}, "Skriv in minst en e-postadress."),
    ({"addresses": "\n".join(f"p{n}@example.se" for n in range(2001))},
     "Listan har 2\u00a0001 adresser. Ett utskick kan ha högst 2\u00a0000"),
    ({"instrument": "nns-deltagare-avslut", "timepoint": "avslut"},
     "skickas inte ut med e-post. Ett utskick är för anonyma enkäter"),
    ({"instrument": ""}, "Välj en enkät i listan."),
    ({"timepoint": "start"}, "har inte mätpunkten ”Vid start”. Välj: Årlig."),
    ({"closes_on": "2020-01-01"}, "Sista svarsdagen har redan varit."),
    ({"closes_on": "31/3"}, "Skriv datumet som år-månad-dag"),
    ({"closes_on": ""}, "Välj sista svarsdag"),
    ({"title": ""}, "Skriv en rubrik för utskicket."),
    ({"insats": "999999"}, "Välj en insats i listan."),
])
def test_bad_input_is_refused_with_its_reason_and_nothing_is_written(as_admin, fields, message):
    before = counts()
    response = as_admin.post("/forbund/utskick/nytt", data=form(**fields))
    assert response.status_code == 422
    assert "Utskicket kunde inte skapas" in page(response)
    assert message in page(response)
    assert counts() == before


def test_an_empty_form_is_refused_with_every_problem_at_once(as_admin):
    before = counts()
    empty = {name: "" for name in form()} | {"remind_after_days": ""}
    response = as_admin.post("/forbund/utskick/nytt", data=empty)
    assert response.status_code == 422 and counts() == before
    for message in ("Välj en enkät i listan.", "Skriv en rubrik för utskicket.",
                    "Välj sista svarsdag", "Skriv in minst en e-postadress."):
        assert message in page(response)


def test_a_date_the_form_cannot_read_is_said_beside_every_other_problem(as_admin):
    response = as_admin.post("/forbund/utskick/nytt", data=form(
        closes_on="31/3", title="", remind_after_days="sju", addresses="bo@example"))
    assert response.status_code == 422
    shown = page(response)
    for message in ("Skriv datumet som år-månad-dag", "Skriv en rubrik för utskicket.",
                    "Skriv antalet dagar med siffror", "”bo@example” är ingen e-postadress."):
        assert shown.count(message) == 2, message  # in the summary and at its field
    assert "Välj sista svarsdag" not in shown and "Not a valid" not in shown


def test_an_insats_that_is_not_the_forbunds_is_refused(as_admin, make_forbund, make_insats):
    stranger = make_insats(of=make_forbund())
    before = counts()
    response = as_admin.post("/forbund/utskick/nytt", data=form(insats=str(stranger.id)))
    assert response.status_code == 422 and counts() == before
    assert "Välj en insats i listan." in page(response)


@pytest.mark.parametrize(("upload", "name", "message"), [
    (b"anna@example.se\n\xff\xfeb\x00o\x00", "lista.csv", "går inte att läsa som text i UTF-8"),
    (b"anna@example.se\n", "lista.xlsx", "Välj en textfil (.txt) eller en CSV-fil (.csv)."),
])
def test_a_file_that_cannot_be_read_is_refused(as_admin, upload, name, message):
    before = counts()
    response = as_admin.post("/forbund/utskick/nytt", content_type="multipart/form-data",
                             data=form(addresses="", addresses_file=(io.BytesIO(upload), name)))
    assert response.status_code == 422 and message in page(response)
    assert counts() == before


def test_pasted_addresses_and_a_file_at_once_are_refused(as_admin):
    before = counts()
    response = as_admin.post("/forbund/utskick/nytt", content_type="multipart/form-data",
                             data=form(addresses_file=(io.BytesIO(b"kim@example.se\n"), "a.txt")))
    assert response.status_code == 422
    assert "Klistra in adresserna eller välj en fil, inte båda." in page(response)
    assert counts() == before


def test_the_form_labels_every_field(as_admin):
    form_page = page(as_admin.get("/forbund/utskick/nytt"))
    for field in ("instrument", "insats", "timepoint", "title", "closes_on", "addresses",
                  "addresses_file"):
        assert f'<label for="{field}"' in form_page and f'id="{field}"' in form_page
    assert form_page.count("<h1>") == 1 and 'enctype="multipart/form-data"' in form_page


# --- the whole way -----------------------------------------------------------------------


def test_mailed_links_are_answered_to_the_end_and_then_forget_the_address(
        app, as_admin, mailbox):
    campaign = create(as_admin)
    sent = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    assert sent.status_code == 303
    detail = page(as_admin.get(sent.headers["Location"]))
    assert "3 mejl skickas nu. Sidan visar hur det går." in detail
    assert '<th scope="row">Skickade</th><td class="num">3</td>' in detail
    assert 'http-equiv="refresh"' not in detail  # the job is done: the page stays still
    for address in STYRELSE:
        [message] = mailbox.to(address)
        body = mailbox.text(message)
        assert message.get_content_type() == "text/plain" and message["Content-Language"] == "sv"
        assert "<img" not in body and "<a " not in body
        [link] = LINK.findall(body)
        assert link.startswith("http://localhost/s/") and "?" not in link and "utm_" not in link

    respondent = app.test_client()
    link = link_path(mailbox, "bo@example.se")
    answer_to_the_end(respondent, link)
    assert "Tack för dina svar!" in page(respondent.get(f"{link}/tack"))

    db.session.expire_all()
    response = db.session.scalars(select(Response).where(Response.submitted_at.is_not(None))).one()
    assert response.insats_id is None and answers_of(response)["synpunkter"] == ("Bra samverkan.",)
    bo = db.session.scalar(select(CampaignRecipient)
                           .where(CampaignRecipient.email == "bo@example.se"))
    assert bo.answered and bo.invitation_id is None
    assert db.session.scalar(select(func.count()).select_from(CampaignRecipient).where(
        CampaignRecipient.invitation_id == response.invitation_id)) == 0
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert "33 %" in detail and "bo@example.se" not in detail


def test_sending_asks_first_with_the_number_of_mails_and_sends_only_when_confirmed(
        as_admin, mailbox):
    campaign = create(as_admin)
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert f'href="/forbund/utskick/{campaign.id}/skicka"' in detail
    asked = as_admin.get(f"/forbund/utskick/{campaign.id}/skicka")
    assert asked.status_code == 200
    assert "<h1>Skicka 3 mejl nu?</h1>" in page(asked)
    assert "Ja, skicka 3 mejl" in page(asked) and "går inte att ta tillbaka" in page(asked)
    assert mailbox.messages == [] and not any(r.sent_at for r in campaign.recipients)

    sent = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    assert sent.status_code == 303 and len(mailbox.messages) == 3
    assert "Inget att skicka" in page(as_admin.get(f"/forbund/utskick/{campaign.id}/skicka"))


def test_a_reminder_asks_first_with_the_number_of_reminders(as_admin, mailbox):
    campaign = create(as_admin)
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    assert "<h1>Inget att skicka</h1>" in page(
        as_admin.get(f"/forbund/utskick/{campaign.id}/paminn"))  # mailed just now
    for recipient in campaign.recipients:
        recipient.sent_at = utcnow() - dt.timedelta(days=3)
    db.session.commit()
    asked = page(as_admin.get(f"/forbund/utskick/{campaign.id}/paminn"))
    assert "<h1>Skicka 3 påminnelser nu?</h1>" in asked
    assert len(mailbox.messages) == 3


def test_remind_is_offered_only_when_it_would_mail_someone_and_else_says_why(as_admin):
    campaign = create(as_admin)
    remind = f'href="/forbund/utskick/{campaign.id}/paminn"'
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert remind not in detail  # all three were mailed a moment ago
    assert "kan väljas en timme efter det senaste mejlet" in detail

    for recipient in campaign.recipients:
        recipient.sent_at = utcnow() - dt.timedelta(days=3)
    db.session.commit()
    assert remind in page(as_admin.get(f"/forbund/utskick/{campaign.id}"))

    as_admin.post(f"/forbund/utskick/{campaign.id}/paminn")  # the worker has not run
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert remind not in detail and "kan väljas när mejlen i kön är skickade" in detail


def test_a_reminder_reaches_only_those_who_have_not_answered(app, as_admin, mailbox):
    campaign = create(as_admin)
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    answer_to_the_end(app.test_client(), link_path(mailbox, "anna@example.se"))
    first = link_path(mailbox, "bo@example.se")
    respondent = app.test_client()
    respondent.get(first)
    respondent.post(f"{first}/fraga/gemensamma-mal", data={"go_to": "next",
                                                           "answer-gemensamma-mal": "4"})
    for recipient in campaign.recipients:  # mailed three days ago
        recipient.sent_at = utcnow() - dt.timedelta(days=3)
    db.session.commit()

    reminded = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/paminn"))
    assert reminded.status_code == 303
    assert "2 påminnelser skickas nu." in page(as_admin.get(reminded.headers["Location"]))
    assert len(mailbox.to("anna@example.se")) == 1
    assert [m["Subject"] for m in mailbox.to("bo@example.se")] == [
        "Styrelsen 2025: en enkät från Samordningsförbundet Test", "Påminnelse: Styrelsen 2025"]
    superseded = respondent.get(first)
    assert superseded.status_code == 404  # the reminder's link replaced it, as it says
    assert ("Har du fått en påminnelse eller ett nyare mejl om samma enkät? Då fungerar bara "
            "länken i det senaste mejlet, så länge enkäten är öppen för svar, och det du redan "
            "har svarat finns kvar där.") in page(superseded)
    assert "Fråga personalen" not in page(superseded)
    second = link_path(mailbox, "bo@example.se")
    resumed = page(respondent.get(second))
    assert "Du fortsätter där du slutade." in resumed
    assert 'value="4" checked' in page(respondent.get(f"{second}/fraga/gemensamma-mal"))

    again = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/paminn"))
    assert "får ingen ny påminnelse nu" in page(as_admin.get(again.headers["Location"]))
    assert len(mailbox.to("bo@example.se")) == 2


def test_a_refused_mail_is_shown_and_sent_again_once_the_server_accepts(as_admin, mailbox):
    campaign = create(as_admin)
    mailbox.refuse = True
    sent = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    detail = page(as_admin.get(sent.headers["Location"]))
    assert '<th scope="row">Misslyckade</th><td class="num">3</td>' in detail
    assert detail.count("E-postservern svarade 550 mailbox unavailable.") == 3
    assert all(address in detail for address in STYRELSE)
    assert "Skicka igen till misslyckade" in detail

    mailbox.refuse = False
    retried = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    detail = page(as_admin.get(retried.headers["Location"]))
    assert "3 mejl skickas nu." in detail and "550" not in detail
    assert '<th scope="row">Skickade</th><td class="num">3</td>' in detail
    assert sorted(message["To"] for message in mailbox.messages) == STYRELSE


def test_a_server_that_is_down_is_shown(app, as_admin, mailbox, monkeypatch):
    campaign = create(as_admin)
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://127.0.0.1:1")
    detail = page(as_admin.get(worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
                               .headers["Location"]))
    assert ("Mejlen väntar: E-postservern gick inte att nå. Utskicket försöker igen "
            "automatiskt.") in detail
    assert '<th scope="row">I kö att skickas</th><td class="num">3</td>' in detail
    assert (f'<meta http-equiv="refresh" content="10; url=/forbund/utskick/{campaign.id}">'
            in detail)  # until the mails are out


def test_a_send_the_queue_cannot_take_is_kept_and_taken_up_by_the_worker(
        app, as_admin, mailbox, monkeypatch, caplog):
    """The queue is out of reach when "Skicka" has committed: the page says the mails are
    queued, as they are, and the worker's minute round sends them (`resume_mailing`)."""
    campaign = create(as_admin)
    with monkeypatch.context() as unreachable:
        unreachable.setitem(app.config, "QUEUE_URL", "postgresql://enkat@127.0.0.1:1/enkat")
        unreachable.delitem(app.extensions, "enkat_queue")
        sent = as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")
    assert sent.status_code == 303, page(sent)
    detail = page(as_admin.get(sent.headers["Location"]))
    assert "3 mejl skickas nu." in detail
    assert '<th scope="row">I kö att skickas</th><td class="num">3</td>' in detail
    assert ("jobbet enkat.jobs.mailing.send_utskick" in caplog.text
            and "kunde inte läggas i kön. Det som begärdes är sparat" in caplog.text)
    assert queue_of(current_app).run_pending() == 0 and mailbox.messages == []

    campaign.worked_on_at -= mailing.lease()  # a lease has passed with nobody sending
    db.session.commit()
    resume_mailing.enqueue()  # as the worker does every minute
    queue_of(current_app).run_pending()
    assert sorted(message["To"] for message in mailbox.messages) == STYRELSE


def test_closing_asks_first_then_deletes_every_address(app, as_admin, mailbox):
    campaign = create(as_admin)
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    unused = link_path(mailbox, "cecilia@example.se")
    confirm = as_admin.get(f"/forbund/utskick/{campaign.id}/stang")
    assert confirm.status_code == 200 and "Ja, stäng utskicket" in page(confirm)
    assert campaign.closed_at is None

    closed = as_admin.post(f"/forbund/utskick/{campaign.id}/stang")
    assert closed.status_code == 303
    detail = page(as_admin.get(closed.headers["Location"]))
    assert "Utskicket är stängt. Adresserna är raderade" in detail
    assert "<button" not in detail.split("</header>")[1] and "Stäng utskicket</a>" not in detail
    db.session.expire_all()
    assert all(r.email is None for r in db.session.scalars(select(CampaignRecipient)))
    assert app.test_client().get(unused).status_code == 410
    events = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("campaign-%")).order_by(AuditEvent.id))
    assert list(events) == ["campaign-created", "campaign-sent", "campaign-closed"]
    refused = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    refusal = page(as_admin.get(refused.headers["Location"]))
    assert "Utskicket är stängt. Inget skickades." in refusal
    for action in ("skicka", "paminn"):  # from an old tab, a bookmark, the Back button
        asked = as_admin.get(f"/forbund/utskick/{campaign.id}/{action}")
        assert asked.status_code == 303, action
        said = page(as_admin.get(asked.headers["Location"]))
        assert "Utskicket är stängt, så inga fler mejl skickas." in said
        assert "Inget att skicka" not in said


def test_a_closed_utskicks_links_say_the_forbund_closed_it_and_to_ask_the_forbund(
        app, as_admin, mailbox):
    """Closed before its last day: the link says the förbund closed the survey (not that
    time ran out) and names the förbund to ask, since an utskick's recipients have no
    personal; a link a reminder replaced no longer promises that the newer one works."""
    campaign = create(as_admin)
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    answer_to_the_end(app.test_client(), link_path(mailbox, "anna@example.se"))
    for recipient in campaign.recipients:  # mailed three days ago
        recipient.sent_at = utcnow() - dt.timedelta(days=3)
    db.session.commit()
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/paminn"))
    replaced, reminded = link_path(mailbox, "bo@example.se", 0), link_path(mailbox, "bo@example.se")
    as_admin.post(f"/forbund/utskick/{campaign.id}/stang")

    respondent = app.test_client()
    closed = respondent.get(reminded)
    assert closed.status_code == 410
    said = page(closed)
    assert "<h1>Enkäten är stängd</h1>" in said
    assert ("Samordningsförbundet Test har stängt enkäten, så det går inte längre att svara. "
            "Har du frågor om enkäten kan du kontakta Samordningsförbundet Test.") in said
    assert "gått ut" not in said and "personalen" not in said.lower()
    assert respondent.get(f"{reminded}/fraga/gemensamma-mal").status_code == 410
    old = page(respondent.get(replaced))
    assert "så länge enkäten är öppen för svar" in old and "personalen" not in old.lower()
    assert "Svaren har skickats" in page(respondent.get(link_path(mailbox, "anna@example.se")))


def test_an_utskick_link_past_its_last_day_says_which_day_it_was_and_whom_to_ask(
        app, as_admin, mailbox):
    campaign = create(as_admin)
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    link = link_path(mailbox, "bo@example.se")
    ended = utcnow() - dt.timedelta(minutes=1)  # the last day has just passed
    campaign.closes_at = ended
    for invitation in db.session.scalars(select(Invitation)):
        invitation.expires_at = ended
    db.session.commit()
    respondent = app.test_client()
    for closing in (None, "enkat purge"):
        if closing:
            campaigns.close_due_campaigns()
            db.session.commit()
        said = respondent.get(link)
        assert said.status_code == 410, closing
        assert "<h1>Tiden för att svara har gått ut</h1>" in page(said)
        assert (f"Sista dagen att svara på enkäten var {campaigns.closes_on(campaign)}. Har du "
                "frågor om enkäten kan du kontakta Samordningsförbundet Test, som skickade "
                "den.") in page(said)
        assert "personalen" not in page(said).lower() and "stängt" not in page(said)


def test_sending_again_warns_of_a_mail_that_may_have_arrived(app, as_admin, mailbox):
    """A worker that died while it sent leaves that mail in doubt: "Skicka igen" sends it,
    and the page that asks first says it may be the recipient's second."""
    campaign = create(as_admin)
    as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")
    held = campaign.recipients[0]
    held.claimed_at = utcnow() - mailing.lease()  # claimed by a worker that then died
    db.session.commit()
    mailing.settle_abandoned_claims(campaign.id)
    db.session.commit()
    asked = page(as_admin.get(f"/forbund/utskick/{campaign.id}/skicka"))
    assert "Skicka 1 mejl nu?" in asked  # the other two wait in the queue
    assert "1 av dem kan redan ha fått sitt mejl" in asked


def test_closing_says_which_mails_will_never_go_and_the_closed_page_says_so(
        app, as_admin, mailbox):
    campaign = create(as_admin)
    as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")  # queued; the worker has not run
    confirm = page(as_admin.get(f"/forbund/utskick/{campaign.id}/stang"))
    assert "3 mejl står i kö och har inte skickats. De skickas inte om du stänger nu." in confirm
    assert "3 av adresserna har inte fått någon länk och får ingen." in confirm

    closed = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/stang"))
    detail = page(as_admin.get(closed.headers["Location"]))
    assert mailbox.messages == []
    assert "Inte skickade än" not in detail and "Misslyckade" not in detail
    assert ('<th scope="row">Fick aldrig någon länk (utskicket stängdes först)</th>'
            '<td class="num">3</td>') in detail


def test_the_list_shows_each_utskick_with_its_response_rate(app, as_admin, mailbox):
    first = create(as_admin, title="Chefer 2025", instrument="nns-chefer")
    create(as_admin, title="Remittenter 2025", instrument="nns-remittent",
           addresses="kim@example.se")
    worked(as_admin.post(f"/forbund/utskick/{first.id}/skicka"))
    answer_to_the_end(app.test_client(), link_path(mailbox, "anna@example.se"))
    answer_to_the_end(app.test_client(), link_path(mailbox, "bo@example.se"))
    listing = page(as_admin.get("/forbund/utskick"))
    assert listing.index("Remittenter 2025") < listing.index("Chefer 2025")
    assert "67 %" in listing and "Inte skickat" in listing and "Pågår" in listing
    assert '<th scope="col">Svarsfrekvens' in listing.replace(' class="num"', "")


def states(client, campaign) -> tuple[str, str]:
    """"Läge" as the list and the utskick's own page say it."""
    [listed] = re.findall(r"</time></td>\s*<td>(.*?)</td>", page(client.get("/forbund/utskick")))
    shown = re.search(r"<dt>Läge</dt><dd>(.*?)</dd>",
                      page(client.get(f"/forbund/utskick/{campaign.id}"))).group(1)
    return listed, shown


def test_the_list_and_the_utskick_page_name_its_state_in_the_same_words(as_admin):
    campaign = create(as_admin)
    assert states(as_admin, campaign) == ("Inte skickat", "Inte skickat")
    as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")
    assert states(as_admin, campaign) == ("Skickas (3 i kö)", "Skickas (3 i kö)")
    queue_of(current_app).run_pending()
    assert states(as_admin, campaign) == ("Pågår", "Pågår")
    as_admin.post(f"/forbund/utskick/{campaign.id}/stang")
    listed, shown = states(as_admin, campaign)
    assert listed == "Stängt" and shown.startswith("Stängt 20")
    assert shown.endswith("; adresserna är raderade")


def test_a_closed_utskick_does_not_show_its_automatic_reminder_as_coming(as_admin):
    campaign = create(as_admin, remind_after_days="7")
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    coming = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert "<dt>Automatisk påminnelse</dt><dd>7 dagar efter första utskicket</dd>" in coming
    as_admin.post(f"/forbund/utskick/{campaign.id}/stang")
    closed = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert ("<dt>Automatisk påminnelse</dt><dd>Skickades inte: utskicket stängdes först</dd>"
            in closed)
    assert "dagar efter första utskicket" not in closed


def test_the_automatic_reminder_says_whom_it_went_to_even_when_nobody_was_due(
        as_admin, mailbox):
    """A manual reminder just before the automatic one leaves nobody due: the page does
    not claim a mail went, only whom the reminder was for."""
    campaign = create(as_admin, remind_after_days="2")
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    campaign.first_sent_at -= dt.timedelta(days=2)
    db.session.commit()
    assert mailing.queue_scheduled_reminders() == []  # everyone was mailed just now
    db.session.commit()
    worked(as_admin.get("/"))
    assert len(mailbox.messages) == len(STYRELSE)
    shown = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert re.search(r"<dt>Automatisk påminnelse</dt><dd>Gick ut \d{4}-\d\d-\d\d \d\d:\d\d "
                     r"till dem som inte hade svarat och inte hade fått ett mejl den senaste "
                     r"timmen</dd>", shown)
    assert "<dd>Skickad " not in shown


def test_a_reminder_after_one_day_says_one_day(as_admin):
    campaign = create(as_admin, remind_after_days="1")
    shown = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert "<dt>Automatisk påminnelse</dt><dd>1 dag efter första utskicket</dd>" in shown


def test_an_utskick_past_its_last_day_is_closed_on_every_page_before_the_purge(
        as_admin, mailbox):
    """Until the nightly purge closes it, an utskick whose last day has passed is still
    over: its pages say "Stängt", offer no more mails, and say when the addresses go."""
    campaign = create(as_admin, remind_after_days="7")
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    campaign.closes_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert ("<dt>Läge</dt><dd>Stängt: sista svarsdagen har passerat, och adresserna "
            "raderas i natt</dd>") in detail
    assert ("<dt>Automatisk påminnelse</dt><dd>Skickades inte: utskicket stängdes först"
            "</dd>") in detail
    assert "Påminn de som inte har svarat</a>" not in detail
    assert "Spara påminnelsen" not in detail
    assert "Sista svarsdagen har passerat, så inga fler mejl skickas." in detail
    assert "Stäng utskicket</a>" in detail
    listed = page(as_admin.get("/forbund/utskick"))
    assert "<td>Stängt</td>" in listed and "Pågår" not in listed
    assert campaign.title not in page(as_admin.get("/forbund/"))  # not among the open ones
    asked = as_admin.get(f"/forbund/utskick/{campaign.id}/paminn", follow_redirects=True)
    assert "Utskicket är stängt, så inga fler mejl skickas." in page(asked)
    assert len(mailbox.messages) == len(STYRELSE)  # the first mails, no reminder


def test_the_limit_of_addresses_is_written_with_swedish_thousands_everywhere(as_admin):
    assert "Högst 2\u00a0000 adresser." in page(as_admin.get("/forbund/utskick/nytt"))
    too_many = page(as_admin.post("/forbund/utskick/nytt", data=form(
        addresses="\n".join(f"p{n}@example.se" for n in range(2001)))))
    assert ("Klistra in adresserna: Listan har 2\u00a0001 adresser. Ett utskick kan ha högst "
            "2\u00a0000; dela upp listan på flera utskick.</a></li>") in too_many
    wrong = page(as_admin.post("/forbund/utskick/nytt", data=form(
        addresses="\n".join(f"person {n}" for n in range(40)))))
    assert "Klistra in adresserna: Ytterligare 15 felaktiga adresser.</a></li>" in wrong


# --- links only on the configured address ----------------------------------------------

ATTACKER = {"Host": "attacker.example"}


def cookie_also_for_the_forged_host(app, client) -> None:
    """The browser's session cookie sent along with a forged Host header as well (the
    test client picks cookies by the Host header)."""
    name = app.config["SESSION_COOKIE_NAME"]
    client.set_cookie(name, client.get_cookie(name).value, domain="attacker.example")


def test_a_forged_host_never_gets_into_an_utskick(app, as_admin, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://enkat.forbund.example")
    campaign = create(as_admin)
    cookie_also_for_the_forged_host(app, as_admin)
    sent = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka", headers=ATTACKER))
    assert sent.status_code == 303
    assert len(mailbox.messages) == 3
    for message in mailbox.messages:
        [link] = LINK.findall(mailbox.text(message))
        assert link.startswith("https://enkat.forbund.example/s/")
        assert "attacker" not in mailbox.text(message)


def test_without_a_public_address_an_utskick_is_not_offered_and_not_sent(app, as_admin,
                                                                         mailbox, monkeypatch):
    campaign = create(as_admin)
    monkeypatch.setitem(app.config, "BASE_URL", None)
    shown = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert "ENKAT_BASE_URL" in shown and "Mejl med länkar kan inte skickas" in shown
    assert f"/forbund/utskick/{campaign.id}/skicka" not in shown
    refused = worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    assert refused.status_code == 303
    assert "Inget skickades." in page(as_admin.get(refused.headers["Location"]))
    assert mailbox.messages == []


# --- progress and the automatic reminder ---------------------------------------------------


def test_the_page_refreshes_itself_while_mails_are_queued_and_says_how_many(as_admin):
    campaign = create(as_admin)
    sent = as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")  # the worker has not run
    detail = page(as_admin.get(sent.headers["Location"]))
    assert (f'<meta http-equiv="refresh" content="10; url=/forbund/utskick/{campaign.id}">'
            in detail)
    assert "3 mejl står i kö och skickas nu." in detail
    assert '<th scope="row">I kö att skickas</th><td class="num">3</td>' in detail
    assert "Skickas (3 i kö)" in page(as_admin.get("/forbund/utskick"))
    assert "Inget att skicka" in page(as_admin.get(f"/forbund/utskick/{campaign.id}/skicka"))

    queue_of(current_app).run_pending()  # the worker sends them
    done = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert "i kö" not in done and 'http-equiv="refresh"' not in done
    assert '<th scope="row">Skickade</th><td class="num">3</td>' in done


def test_the_refresh_keeps_the_lists_search_and_can_be_stopped(as_admin):
    """A page that reloads itself every few seconds wipes what is typed into it: one link
    stops it (WCAG 2.2.1), and a reload keeps the search of the failed mails."""
    campaign = create(as_admin)
    as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")
    searched = page(as_admin.get(f"/forbund/utskick/{campaign.id}?sok=anna"))
    assert f'content="10; url=/forbund/utskick/{campaign.id}?sok=anna"' in searched
    stop = f'/forbund/utskick/{campaign.id}?sok=anna&amp;uppdatera=nej'
    assert f'<a href="{stop}">Sluta uppdatera sidan</a>' in searched
    stopped = page(as_admin.get(stop.replace("&amp;", "&")))
    assert 'http-equiv="refresh"' not in stopped
    assert "3 mejl står i kö och skickas nu." in stopped


def test_a_refused_reminder_form_does_not_reload_and_lose_what_was_typed(as_admin):
    campaign = create(as_admin)
    as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")
    refused = as_admin.post(f"/forbund/utskick/{campaign.id}/automatisk-paminnelse",
                            data={"remind_after_days": "abc"})
    assert refused.status_code == 422
    assert 'http-equiv="refresh"' not in page(refused)


def test_an_automatic_reminder_is_set_on_the_form_and_changed_on_the_page(as_admin):
    campaign = create(as_admin, remind_after_days="7")
    assert campaign.remind_after_days == 7
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert "7 dagar efter första utskicket" in detail and 'value="7"' in detail

    changed = as_admin.post(f"/forbund/utskick/{campaign.id}/automatisk-paminnelse",
                            data={"remind_after_days": "3"})
    assert changed.status_code == 303 and campaign.remind_after_days == 3
    cleared = as_admin.post(f"/forbund/utskick/{campaign.id}/automatisk-paminnelse",
                            data={"remind_after_days": ""})
    assert cleared.status_code == 303 and campaign.remind_after_days is None


@pytest.mark.parametrize(("reminded", "message"), [
    (False, "Utskicket är stängt, så den automatiska påminnelsen kan inte ändras."),
    (True, "Den automatiska påminnelsen har redan skickats, så den kan inte ändras."),
])
def test_a_reminder_setting_that_can_no_longer_change_says_why(as_admin, reminded, message):
    """A page opened before the utskick was closed, or before its reminder went, still
    has the form: saving it says why nothing was saved."""
    campaign = create(as_admin, remind_after_days="7")
    if reminded:
        campaign.auto_reminded_at = utcnow()
    else:
        as_admin.post(f"/forbund/utskick/{campaign.id}/stang")
    refused = as_admin.post(f"/forbund/utskick/{campaign.id}/automatisk-paminnelse",
                            data={"remind_after_days": "3"})
    assert refused.status_code == 303
    detail = page(as_admin.get(refused.headers["Location"]))
    assert message in detail and 'role="alert"' in detail
    assert campaign.remind_after_days == 7 and "Spara påminnelsen" not in detail


@pytest.mark.parametrize(("days", "message"), [
    ("sju", "Skriv antalet dagar med siffror, till exempel 7."),
    ("0", "Välj mellan 1 och 60 dagar, eller lämna fältet tomt."),
    ("99999", "Välj mellan 1 och 60 dagar, eller lämna fältet tomt."),
    ("9" * 40, "Välj mellan 1 och 60 dagar, eller lämna fältet tomt."),
    ("30", "Efter 30 dagar har sista svarsdagen"),
])
def test_an_automatic_reminder_that_cannot_be_is_refused_in_swedish(as_admin, days, message):
    campaign = create(as_admin)
    refused = as_admin.post(f"/forbund/utskick/{campaign.id}/automatisk-paminnelse",
                            data={"remind_after_days": days})
    assert refused.status_code == 422 and message in page(refused)
    assert campaign.remind_after_days is None
    made = as_admin.post("/forbund/utskick/nytt", data=form(remind_after_days=days))
    assert made.status_code == 422 and message in page(made)
