"""The insats page of personal: its deltagare and their status, who is due for what now,
enrolling a new deltagare, ending and following up, and who may see it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import InsatsKind, Participant, Role, ScheduleEntry, ScheduleTrigger
from enkat.services.answering.drafts import local_today
from enkat.services.deltagare.participants import CODE_ALPHABET, find_participant, open_enrolment

from .test_auth import sign_in
from .test_respond import html, post_step
from .test_staff_entry import add_staff, another_browser

ORS_ITEMS = ("individuellt", "nara-relationer", "socialt", "allmant")
LINK = re.compile(r"http://localhost/s/[A-Za-z0-9_-]{43}")


# --- helpers (test_staff_links.py and test_staff_deltagare.py use them too) --------------


def insats_page(insats) -> str:
    return f"/insatser/{insats.slug}"


def due_page(insats) -> str:
    return f"/insatser/{insats.slug}/att-gora"


def deltagare_page(insats) -> str:
    return f"/insatser/{insats.slug}/deltagare"


def with_schedule(insats):
    insats.schedule = [
        ScheduleEntry(instrument_id="finsam-inskrivning", timepoint="start",
                      trigger=ScheduleTrigger.AT_START),
        ScheduleEntry(instrument_id="ors", timepoint="session-{n}",
                      trigger=ScheduleTrigger.EVERY_SESSION),
        ScheduleEntry(instrument_id="finsam-avslut", timepoint="avslut",
                      trigger=ScheduleTrigger.AT_EXIT),
    ]
    db.session.flush()
    return insats


def create_link(client, insats, **fields):
    data = {"code": "", "instrument": "ors", "timepoint": "session-1",
            "expires_in_days": "14", **fields}
    return client.post(f"{insats_page(insats)}/lankar", data=data)


def link_in(response) -> str:
    assert response.status_code == 200, html(response)
    return LINK.search(html(response)).group(0)


def answer_ors(app, link: str, value: str = "5.0") -> None:
    """Answer the ORS of a link in another browser, the deltagare's, and send it."""
    path = link.removeprefix("http://localhost")
    deltagare = another_browser(app)
    assert deltagare.get(path).status_code == 200
    for item in ORS_ITEMS:
        assert post_step(deltagare, path, item, value).status_code == 303
    assert deltagare.post(f"{path}/granska").status_code == 303


def due_rows(page: str) -> list[str]:
    """The due list's rows (overdue and due now), as text without tags; the first row
    of each deltagare's group starts with the code."""
    rows = []
    for table in page.split('<table class="due stacked">')[1:]:
        body = table.split("</thead>")[1].split("</table>")[0]
        rows += [text_of(row) for row in body.split("<tr>")[1:]]
    return rows


def text_of(markup: str) -> str:
    """The text of markup, each tag a space (cells apart)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def inline_text(markup: str) -> str:
    """The text of markup as read: tags left out ("Avslutad <time>…</time>: Arbete")."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", markup)).strip()


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def scheduled(insats):
    """The insats of every test here has the measurement schedule."""
    return with_schedule(insats)


# --- the page -----------------------------------------------------------------------------


def test_the_overview_links_to_each_insats_page(signed_in, scheduled):
    assert f'href="{insats_page(scheduled)}"' in html(signed_in.get("/"))


def test_the_page_lists_deltagare_with_status_latest_ors_and_the_kiosk(
        signed_in, scheduled, deltagare, make_response):
    for session, value in ((1, "3.0"), (2, "4.5")):
        make_response("ors", dict.fromkeys(ORS_ITEMS, value), participant=deltagare,
                      timepoint=f"session-{session}", answered_on=dt.date(2025, 2, session + 1))
    page = html(signed_in.get(insats_page(scheduled)))
    assert "<h1>Steget vidare</h1>" in page
    assert f'href="/kiosk/starta?insats={scheduled.id}"' in page
    page = html(signed_in.get(deltagare_page(scheduled)))
    row = page.split('href="/deltagare/ABC123">ABC123</a></th>')[1].split("</tr>")[0]
    assert "Pågående sedan" in row and 'datetime="2025-02-01"' in row and "18,0</td>" in row
    assert "Avsluta" in row


def test_the_due_list_moves_on_after_answering_through_the_link(app, signed_in, scheduled,
                                                                  deltagare):
    rows = due_rows(html(signed_in.get(due_page(scheduled))))
    assert any(row.startswith("ABC123 ORS") and "Samtal 1" in row and "Skapa länk" in row
               for row in rows), rows

    answer_ors(app, link_in(create_link(signed_in, scheduled, code="ABC123")))

    rows = due_rows(html(signed_in.get(due_page(scheduled))))
    ors_rows = [row for row in rows if row.startswith("ABC123 ORS")]
    assert len(ors_rows) == 1 and "Samtal 2" in ors_rows[0] and "Samtal 1" not in ors_rows[0]


def test_staff_rated_forms_in_the_due_list_are_registered_not_linked(signed_in, scheduled,
                                                                     make_participant):
    participant = make_participant("NYKOD-1")
    from enkat.services.deltagare.participants import start_enrolment
    start_enrolment(participant, scheduled, dt.date(2025, 2, 1))  # no inskrivning form yet
    page = html(signed_in.get(due_page(scheduled)))
    row = next(row for row in due_rows(page) if "Inskrivning" in row)
    assert row.startswith("NYKOD-1") and "Registrera" in row and "Skapa länk" not in row
    assert ("/insatser/steget/registrera?instrument=finsam-inskrivning&amp;code=NYKOD-1"
            "&amp;timepoint=start") in page


def test_a_new_deltagare_gets_a_generated_code_and_shows_as_pagaende(signed_in, scheduled):
    opened = signed_in.post(f"{insats_page(scheduled)}/ny-deltagare",
                            data={"ny-source": "staff", "ny-answered_on": "2025-03-03"})
    assert opened.status_code == 303
    start_page = opened.headers["Location"]
    assert re.fullmatch(r"/svar/\d+/inmatning", start_page)  # it shows the new code
    draft = start_page.removesuffix("/inmatning")
    start = html(signed_in.get(start_page))
    code = re.search(r"<dt>Deltagare</dt><dd>([A-Z0-9]+)</dd>", start).group(1)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert post_step(signed_in, draft, "kon", "kvinna").status_code == 303
    assert signed_in.post(f"{draft}/granska").status_code == 303

    page = html(signed_in.get(deltagare_page(scheduled)))
    row = page.split(f'href="/deltagare/{code}">{code}</a></th>')[-1].split("</tr>")[0]
    assert "Pågående sedan" in row and 'datetime="2025-03-03"' in row
    enrolment = open_enrolment(find_participant(scheduled.forbund, code), scheduled)
    assert enrolment.started_on == dt.date(2025, 3, 3)


def test_a_new_deltagare_with_a_bad_date_is_refused_and_nothing_is_kept(signed_in, scheduled):
    before = db.session.scalar(select(func.count()).select_from(Participant))
    refused = signed_in.post(f"{insats_page(scheduled)}/ny-deltagare",
                             data={"ny-source": "staff", "ny-answered_on": "3 mars"})
    assert refused.status_code == 422
    assert "Skriv datumet som år-månad-dag, till exempel 2025-03-14." in html(refused)
    future = (local_today() + dt.timedelta(days=1)).isoformat()
    refused = signed_in.post(f"{insats_page(scheduled)}/ny-deltagare",
                             data={"ny-source": "staff", "ny-answered_on": future})
    assert "Datumet kan inte vara senare än i dag." in html(refused)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Participant)) == before


def test_ending_an_enrolment_shows_avslutad_with_its_reason(signed_in, scheduled, deltagare):
    page = html(signed_in.get(deltagare_page(scheduled)))
    avsluta = "/insatser/steget/registrera?instrument=finsam-avslut&code=ABC123&timepoint=avslut"
    assert avsluta.replace("&", "&amp;") in page

    form = html(signed_in.get(avsluta))  # the registrera page, filled in
    assert '<option selected value="finsam-avslut">' in form
    assert 'value="ABC123"' in form and 'value="avslut"' in form

    opened = signed_in.post("/insatser/steget/registrera", data={
        "source": "staff", "instrument": "finsam-avslut", "timepoint": "avslut",
        "code": "ABC123", "answered_on": "2025-04-30"})
    draft = opened.headers["Location"].split("/fraga/")[0]
    assert post_step(signed_in, draft, "avslutsanledning", "arbete").status_code == 303
    assert signed_in.post(f"{draft}/granska").status_code == 303

    page = html(signed_in.get(deltagare_page(scheduled)))
    row = page.split('href="/deltagare/ABC123">ABC123</a></th>')[-1].split("</tr>")[0]
    assert "Avslutad 2025-04-30: Arbete" in inline_text(row)
    assert "instrument=finsam-avslut" not in row
    follow_up = ("/insatser/steget/registrera?instrument=finsam-uppfoljning&amp;code=ABC123"
                 "&amp;timepoint=uppfoljning-6m")
    assert follow_up in row and "Uppföljning" in row


def test_after_the_first_follow_up_the_next_one_is_offered(signed_in, scheduled, deltagare,
                                                         make_response):
    make_response("finsam-avslut", {"avslutsanledning": "studier"}, participant=deltagare,
                  timepoint="avslut", answered_on=dt.date(2025, 4, 1))
    make_response("finsam-uppfoljning", {"lage": "sjukdom"}, participant=deltagare,
                  timepoint="uppfoljning-6m",
                  answered_on=dt.date(2025, 10, 1))
    page = html(signed_in.get(deltagare_page(scheduled)))
    assert "Avslutad 2025-04-01: Studier" in inline_text(page)
    assert "timepoint=uppfoljning-18m" in page and "timepoint=uppfoljning-6m" not in page


def test_a_strukturinriktad_insats_has_no_deltagare_to_handle(client, make_insats, make_user):
    struktur = make_insats("samverkan", name="Samverkan i länet", kind=InsatsKind.STRUKTUR)
    user = make_user(Role.STAFF)
    add_staff(user, struktur)
    sign_in(client, user.email)
    page = html(client.get(insats_page(struktur)))
    assert "strukturinriktad insats" in page and "Skapa länk" not in page


# --- access -------------------------------------------------------------------------------


def test_personal_of_another_insats_get_404(client, scheduled, make_insats, make_user):
    other = make_insats("annan", name="Annan insats")
    user = make_user(Role.STAFF)
    add_staff(user, other)
    sign_in(client, user.email)
    assert client.get(insats_page(scheduled)).status_code == 404
    assert client.post(f"{insats_page(scheduled)}/ny-deltagare",
                       data={"ny-source": "staff",
                             "ny-answered_on": "2025-03-03"}).status_code == 404
    assert client.get(insats_page(other)).status_code == 200


def test_administrators_see_every_insats_of_their_forbund(client, scheduled, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin.email)
    assert client.get(insats_page(scheduled)).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, scheduled):
    for response in (client.get(insats_page(scheduled)),
                     client.post(f"{insats_page(scheduled)}/ny-deltagare", data={})):
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_analysts_read_an_insats_but_do_not_act_in_it(client, scheduled, deltagare, make_user):
    analyst = make_user(Role.ANALYST)
    sign_in(client, analyst.email)
    assert client.get(insats_page(scheduled)).status_code == 200
    assert client.get(f"/deltagare/{deltagare.code}").status_code == 200
    assert client.post(f"/insatser/{scheduled.slug}/ny-deltagare").status_code == 403
    assert client.post(f"/insatser/{scheduled.slug}/lankar", data={
        "instrument": "ors", "code": deltagare.code, "timepoint": "session-1",
        "expires_in_days": "14"}).status_code == 403
    assert client.get(f"/insatser/{scheduled.slug}/registrera").status_code == 403
    assert "Du arbetar inte i någon insats" in client.get("/kiosk/starta").get_data(as_text=True)
