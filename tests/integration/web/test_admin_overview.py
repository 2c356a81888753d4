"""The förbund's overview, /forbund/: the insatser with what is due, the data warnings
with links to where each is fixed, and the open utskick with their response rates."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from enkat.extensions import db
from enkat.models import Enrolment, Role, ScheduleEntry, ScheduleTrigger
from enkat.services.answering.drafts import local_today
from enkat.services.utskick import campaigns

from ..services.mailed import addresses, answer, mail_campaign
from .test_auth import sign_in

T = ScheduleTrigger
ORS = {"individuellt": "5.5", "nara-relationer": "6.0", "socialt": "7.0", "allmant": "6.5"}


@pytest.fixture
def scheduled(insats):
    insats.schedule = [
        ScheduleEntry(instrument_id="finsam-inskrivning", timepoint="start", trigger=T.AT_START),
        ScheduleEntry(instrument_id="finsam-avslut", timepoint="avslut", trigger=T.AT_EXIT),
        ScheduleEntry(instrument_id="finsam-uppfoljning", timepoint="uppfoljning-6m",
                      trigger=T.AFTER_EXIT_DAYS, days=180),
    ]
    db.session.flush()
    return insats


def page_of(client) -> str:
    response = client.get("/forbund/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def warning(page: str, title: str) -> str:
    """The section of one warning, from its heading to the next section."""
    start = page.index(f">{title}: ")
    return page[start:page.index("</section>", start)]


def days_ago(days: int) -> dt.date:
    return local_today() - dt.timedelta(days=days)


def test_each_warning_is_counted_and_links_where_it_is_fixed(
        client, admin, scheduled, make_participant, make_response):
    late = make_participant("LATE01")
    make_response("finsam-inskrivning", {"kon": "man"}, participant=late, timepoint="start",
                  answered_on=days_ago(400))
    make_response("finsam-avslut", {"avslutsanledning": "arbete"}, participant=late,
                  timepoint="avslut", answered_on=days_ago(300))
    make_response("ors", ORS, participant=make_participant("NOENR1"), timepoint="session-1",
                  answered_on=days_ago(10))
    sign_in(client, admin.email)
    page = page_of(client)

    overdue = warning(page, "Försenade uppföljningar")
    assert ">Försenade uppföljningar: 1<" in page
    assert f'<a href="/insatser/{scheduled.slug}">Steget vidare</a>: 1' in overdue
    assert '<a href="/deltagare/LATE01">LATE01</a>' in overdue
    without = warning(page, "Deltagare med svar men ingen inskrivning")
    # no deltagare page yet: the inskrivning, filled in, is where it is fixed
    assert (f'<a href="/insatser/{scheduled.slug}/registrera?instrument=finsam-inskrivning'
            '&amp;code=NOENR1&amp;timepoint=start">NOENR1</a>') in without
    assert ">Avslutade inskrivningar utan avslutsformulär: 0<" in page

    make_response("finsam-uppfoljning", {"lage": "arbete-studier-arbetssokande"},
                  participant=late, timepoint="uppfoljning-6m", answered_on=days_ago(5))
    assert ">Försenade uppföljningar: 0<" in page_of(client)


def test_the_insatser_show_their_deltagare_and_what_is_due(
        client, admin, scheduled, make_participant, make_response):
    for code, started in (("NEW001", 3), ("OLD001", 60)):
        db.session.add(Enrolment(participant_id=make_participant(code).id,
                                 insats_id=scheduled.id, started_on=days_ago(started)))
    db.session.flush()
    sign_in(client, admin.email)
    page = page_of(client)
    row = re.search(r"<tr><th scope=\"row\"><a href=\"/insatser/steget\">Steget vidare</a>.*?</tr>",
                    page, re.S).group(0)
    # two ongoing; both inskrivningar are due, the one of 60 days ago is overdue
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["2", "1", "1"]
    assert f'href="/forbund/insatser/{scheduled.slug}/schema"' in row
    assert "2 pågående deltagare i 1 insatser." in page


def test_open_utskick_show_their_response_rate_and_closed_ones_do_not(
        client, admin, forbund, mailbox, jobs):
    opened, tokens = mail_campaign(mailbox, forbund, admin, addresses(4), title="Styrelsen 2026")
    answer(tokens[0])
    closed, _ = mail_campaign(mailbox, forbund, admin, addresses(2, "gamla"), title="Förra året")
    campaigns.close_campaign(closed, admin)
    sign_in(client, admin.email)
    page = page_of(client)
    section = page[page.index("<h2>Öppna utskick</h2>"):]
    assert f'<a href="/forbund/utskick/{opened.id}">Styrelsen 2026</a>' in section
    assert "25 % (1 av 4)" in section
    assert "Förra året" not in section


def test_analysts_read_the_overview_without_the_administrators_parts(
        client, make_user, scheduled, make_participant, make_response):
    make_response("ors", ORS, participant=make_participant("NOENR1"), timepoint="session-1",
                  answered_on=days_ago(10))
    analyst = make_user(Role.ANALYST)
    sign_in(client, analyst.email)
    page = page_of(client)
    assert "Steget vidare" in page and "<h2>Att rätta</h2>" in page
    assert 'href="/forbund/logg"' not in page
    # analysts only read: the code is named, not offered for registering
    without = warning(page, "Deltagare med svar men ingen inskrivning")
    assert "(NOENR1)" in without and "registrera" not in without
