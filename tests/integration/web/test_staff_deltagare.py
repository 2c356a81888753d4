"""A deltagare's page: enrolments, the samtalsunderlag, flags of a hand-made course, SKAPA
first and latest, the responses with their source, the audit log, and who may see it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, ResponseSource, Role
from enkat.services.answering.drafts import open_draft_for
from enkat.services.answering.responses import ResponseContext
from enkat.services.deltagare.participants import start_enrolment
from enkat.services.instruments.versions import resolve_instrument

from .test_auth import sign_in
from .test_respond import html
from .test_staff_entry import add_staff, another_browser
from .test_staff_insatser import ORS_ITEMS

SRS_ITEMS = ("relation", "mal-och-amnen", "metod", "allmant")
SKAPA_ITEMS = ("jobbsokning", "kunskap-arbetsmarknad", "halsa", "samarbete", "malmedvetenhet",
               "tro-pa-egen-formaga", "arbetsidentitet", "socialt-stod", "vardagsstruktur")
PAGE = "/deltagare/ABC123"


@pytest.fixture
def rate(make_response, deltagare):
    """Session n of ORS or SRS on 2025-03-n, with one value for every item unless given."""

    def rate(instrument_id: str, session: int, value: str, **items: str):
        names = ORS_ITEMS if instrument_id == "ors" else SRS_ITEMS
        answers = {name: items.get(name.replace("-", "_"), value) for name in names}
        make_response(instrument_id, answers, participant=deltagare,
                      timepoint=f"session-{session}", answered_on=dt.date(2025, 3, session))

    return rate


def flags(page: str) -> list[str]:
    section = page.split('id="flags-heading"')[1].split("</section>")[0]
    return [item.split("</li>")[0] for item in section.split("<li>")[1:]]


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_enrolments_the_chart_and_is_audited(signed_in, personal, insats,
                                                            deltagare, rate, make_response):
    rate("ors", 1, "4.0")
    rate("srs", 1, "9.5")
    make_response("finsam-avslut", {"avslutsanledning": "arbete"}, participant=deltagare,
                  timepoint="avslut", answered_on=dt.date(2025, 4, 1))
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = html(response)
    assert "<h1>Deltagare ABC123</h1>" in page
    assert "Avslutad 2025-04-01 (inskriven 2025-02-01). Avslutsanledning: Arbete" in page
    assert '<img src="/deltagare/ABC123/diagram.svg"' in page
    assert "ORS: 16,0 den 1 mar 2025 (gränsvärde 25)." in page  # the chart in words

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "participant-viewed")).one()
    assert (event.user_id, event.subject, event.forbund_id) == (
        personal.id, "ABC123", deltagare.forbund_id)


def test_the_chart_is_an_svg_with_its_labels_and_flagged_sessions(signed_in, rate):
    rate("ors", 1, "4.0")
    rate("ors", 2, "5.0")
    rate("srs", 1, "9.5")
    rate("srs", 2, "9.0", metod="8.0")
    chart = signed_in.get(f"{PAGE}/diagram.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert chart.headers["Cache-Control"] == "private, no-store"
    svg = chart.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for label in ("Samtalsunderlag för ABC123", "ORS totalt", "SRS totalt", "Gränsvärde 25",
                  "Gränsvärde 36", "Datum", "Flaggat samtal"):
        assert label in svg, label
    assert "under 36, fråga under 9, lägre än förra" in svg
    assert "under 25" not in svg  # an ORS in the clinical range is no flag


def test_no_ratings_no_chart(signed_in, deltagare):
    page = html(signed_in.get(PAGE))
    assert "Inga ORS- eller SRS-skattningar ännu." in page and "diagram.svg" not in page
    assert signed_in.get(f"{PAGE}/diagram.svg").status_code == 404


# --- flags ---------------------------------------------------------------------------------


def test_flags_of_a_hand_made_course(signed_in, insats, rate):
    for session, value in enumerate(("4.0", "4.2", "4.4", "4.6"), start=1):
        rate("ors", session, value)  # 16.0 to 18.4: +2.4, less than the RCI of 5
    rate("srs", 1, "9.5")  # 38
    rate("srs", 2, "9.0", metod="8.0")  # 35: below 36, Metod below 9, 3 lower than before
    page = html(signed_in.get(PAGE))
    assert flags(page) == [
        "SRS 35,0 i senaste samtalet, under 36",
        "SRS under 9 på: Sätt att arbeta eller metod",
        "SRS lägre än i samtalet före (−3,0)",
        "Ingen tillförlitlig förändring av ORS efter 4 samtal (+2,4, behöver minst 5)",
    ]
    insats_page = html(signed_in.get(f"/insatser/{insats.slug}/deltagare"))
    assert "18,4</td>" in insats_page
    assert "<li>SRS 35,0 i senaste samtalet, under 36</li>" in insats_page


def test_only_the_latest_srs_session_and_enough_ors_sessions_flag(signed_in, rate):
    for session, value in enumerate(("4.0", "4.2", "4.4"), start=1):
        rate("ors", session, value)  # three sessions: too early to call it no change
    rate("srs", 1, "8.0")  # flagged then
    rate("srs", 2, "9.5")  # fine now
    page = html(signed_in.get(PAGE))
    assert flags(page) == [] and "Inga flaggor." in page


def test_a_reliable_deterioration_of_the_ors_flags(signed_in, rate):
    rate("ors", 1, "5.0")  # 20
    rate("ors", 2, "3.5")  # 14
    assert flags(html(signed_in.get(PAGE))) == ["ORS försämrad: −6,0 sedan första samtalet"]


def test_a_small_srs_drop_above_the_cut_off_still_flags(signed_in, rate):
    rate("srs", 1, "10.0")  # 40
    rate("srs", 2, "9.7")  # 38.8: above 36, every item at least 9, but 1.2 lower
    assert flags(html(signed_in.get(PAGE))) == ["SRS lägre än i samtalet före (−1,2)"]


# --- SKAPA and responses ------------------------------------------------------------------


def test_skapa_first_and_latest_per_area(signed_in, deltagare, make_response):
    make_response("skapa", dict.fromkeys(SKAPA_ITEMS, "3"), participant=deltagare,
                  timepoint="start", answered_on=dt.date(2025, 2, 1))
    make_response("skapa", {**dict.fromkeys(SKAPA_ITEMS, "3"), "jobbsokning": "6"},
                  participant=deltagare, timepoint="avslut", answered_on=dt.date(2025, 6, 1))
    page = html(signed_in.get(PAGE))
    section = page.split('id="progression-1"')[1].split("</section>")[0]
    assert "SKAPA – Din väg mot arbete eller studier" in section
    jobb = resolve_instrument("skapa").item("jobbsokning").text.get("sv")
    row = section.split(f"<th scope=\"row\">{jobb}</th>")[1].split("</tr>")[0]
    assert "3,0" in row and "(2025-02-01)" in row and "6,0" in row and "(2025-06-01)" in row
    assert "+3,0" in row and "Steg framåt" in row
    overall = section.split('<tr class="overall">')[1].split("</tr>")[0]
    assert "Medelvärde, alla områden" in overall and "+0,3" in overall and "Inget steg" in overall


def test_responses_are_listed_with_their_source_and_state(signed_in, insats, deltagare,
                                                          make_response):
    make_response("ors", dict.fromkeys(ORS_ITEMS, "5.0"), participant=deltagare,
                  timepoint="session-1", source=ResponseSource.LINK,
                  answered_on=dt.date(2025, 3, 1))
    make_response("srs", dict.fromkeys(SRS_ITEMS, "9.0"), participant=deltagare,
                  timepoint="session-1", source=ResponseSource.PAPER,
                  answered_on=dt.date(2025, 3, 2))
    draft = open_draft_for(ResponseContext(
        forbund=insats.forbund, instrument=resolve_instrument("processtrappan"), insats=insats,
        participant=deltagare, timepoint="start", answered_on=dt.date(2025, 3, 3),
    ), ResponseSource.STAFF, "sv")
    page = html(signed_in.get(PAGE))
    section = page.split('id="responses-heading"')[1].split("</section>")[0]
    tables = {table.split("<caption>")[1].split("</caption>")[0]: table.split("<tbody>")[1]
              for table in section.split("</table>")[:-1]}
    titles = list(tables)  # by instrument, the one answered latest first
    assert [title.split(" ")[0] for title in titles] == ["Processtrappan", "SRS", "ORS",
                                                         "Inskrivning"]
    draft_row, srs_row, ors_row, inskrivning_row = tables.values()
    assert "utkast, inte skickat" in draft_row and "<td>personal</td>" in draft_row
    assert f'href="/svar/{draft.id}/inmatning"' in draft_row
    assert "<td>papper</td>" in srs_row and 'href="/svar/' in srs_row
    assert "<td>länk</td>" in ors_row
    assert re.search(r'<a href="/svar/\d+">Samtal 1<span', ors_row)
    assert "Vid start" in inskrivning_row and "2025-02-01" in inskrivning_row


def test_each_enrolment_offers_what_staff_do_next_and_analysts_only_read(
        signed_in, client, insats, deltagare, make_user):
    page = html(signed_in.get(PAGE))
    section = page.split('id="enrolments-heading"')[1].split("</section>")[0]
    slug = insats.slug
    for label, address in (
            ("Skapa enkätlänk", f"/insatser/{slug}/lankar/ny?code=ABC123"),
            ("Länkar som har skapats", f"/insatser/{slug}/lankar?sok=ABC123"),
            ("Registrera formulär", f"/insatser/{slug}/registrera?code=ABC123&amp;source=staff"),
            ("För in svar från papper",
             f"/insatser/{slug}/registrera?code=ABC123&amp;source=paper"),
            ("Avsluta inskrivningen (avslutsformulär)",
             f"/insatser/{slug}/registrera?code=ABC123&amp;source=staff&amp;"
             "instrument=finsam-avslut&amp;timepoint=avslut")):
        assert f'href="{address}">{label}</a>' in section, label
    analyst = make_user(Role.ANALYST)
    reader = another_browser(client.application)
    sign_in(reader, analyst.email)
    read = html(reader.get(PAGE)).split('id="enrolments-heading"')[1].split("</section>")[0]
    assert "Pågående sedan 2025-02-01" in read and "registrera" not in read


# --- access -------------------------------------------------------------------------------


def test_only_what_belongs_to_the_users_insatser_is_shown(signed_in, deltagare, make_insats,
                                                          make_response):
    other = make_insats("annan", name="Annan insats")
    start_enrolment(deltagare, other, dt.date(2025, 1, 1))
    make_response("ors", dict.fromkeys(ORS_ITEMS, "1.0"), participant=deltagare,
                  timepoint="session-1", of_insats=other, answered_on=dt.date(2025, 1, 2))
    page = html(signed_in.get(PAGE))
    assert "Annan insats" not in page and "ORS" not in page.split('id="responses-heading"')[1]
    assert "Inga ORS- eller SRS-skattningar ännu." in page


def test_personal_of_another_insats_get_404_for_page_and_chart(client, deltagare, rate,
                                                               make_insats, make_user):
    rate("ors", 1, "4.0")
    other = make_insats("annan", name="Annan insats")
    outsider = make_user(Role.STAFF)
    add_staff(outsider, other)
    sign_in(client, outsider.email)
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}/diagram.svg").status_code == 404
    assert client.get("/deltagare/FINNS-INTE").status_code == 404
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "participant-viewed")).all() == []


def test_administrators_see_every_deltagare_of_their_forbund(client, deltagare, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin.email)
    assert client.get(PAGE.lower()).status_code == 200  # a code is found whatever its case


def test_signed_out_visitors_are_sent_to_sign_in(client, deltagare):
    for path in (PAGE, f"{PAGE}/diagram.svg"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
