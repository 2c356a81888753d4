"""The lists of an insats, as personal work through them: what is due (overdue apart and
first), the deltagare and the responses, each searched, filtered, sorted and paged by
its address; an address the list does not understand still shows the list."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from enkat.models import ResponseSource, Role
from enkat.services.answering.drafts import local_today
from enkat.services.deltagare.participants import start_enrolment
from enkat.services.listing import PAGE_SIZE

from .test_auth import sign_in
from .test_respond import html
from .test_staff_entry import another_browser
from .test_staff_insatser import (
    deltagare_page,
    due_page,
    due_rows,
    inline_text,
    insats_page,
    with_schedule,
)

ORS_ITEMS = ("individuellt", "nara-relationer", "socialt", "allmant")


@pytest.fixture(autouse=True)
def scheduled(insats):
    return with_schedule(insats)


@pytest.fixture
def many(scheduled, make_participant):
    """PAGE_SIZE + 5 deltagare, P000 to P029: the even ones enrolled a month ago without
    an inskrivning (overdue), the odd ones today (due now); P001 to P009 ended."""
    today = local_today()
    for number in range(PAGE_SIZE + 5):
        participant = make_participant(f"P{number:03d}")
        started = today - dt.timedelta(days=30 if number % 2 == 0 else 0)
        enrolment = start_enrolment(participant, scheduled, started)
        if number in range(1, 10):
            enrolment.ended_on = today
    return scheduled


def codes_in(page: str) -> list[str]:
    """The deltagare codes the page links to, in order."""
    return re.findall(r'href="/deltagare/([A-Z0-9-]+)"', page)


def sections(page: str) -> list[str]:
    return re.findall(r'<h2 id="due-(?:late|now)">([^<]+)</h2>', page)


# --- the insats page ---------------------------------------------------------------------


def test_the_insats_page_has_its_actions_first_and_counts(signed_in, many):
    page = html(signed_in.get(insats_page(many)))
    main = page.split("<main")[1]
    actions = [inline_text(link) for link in re.findall(
        r'<a class="button [a-z]+" href="[^"]*">[^<]+</a>', main)][:4]
    assert actions == ["Skriv in ny deltagare", "Registrera svar", "Skapa länk", "Öppna kiosken"]
    assert main.index("Öppna kiosken") < main.index("Skriv in en ny deltagare</h2>")
    counts = inline_text(main.split('id="summary-heading"')[1].split("</section>")[0])
    # 30 deltagare, 9 of them ended (due their avslut); the 11 ongoing even ones lack an
    # inskrivning for a month; every ongoing one is due a session
    assert "21 pågående" in counts and "9 avslutade" in counts
    assert "19 med något att göra nu" in counts and "11 med försenade mätningar" in counts
    assert "/insatser/steget/att-gora?status=forsenade" in main
    assert 'href="/insatser/steget/deltagare?status=avslutade"' in main


# --- what is due ---------------------------------------------------------------------------


def test_overdue_comes_apart_and_first_with_how_long(signed_in, many):
    page = html(signed_in.get(due_page(many)))
    assert sections(page) == ["Försenade", "Att göra nu"]
    overdue, now = page.split('<h2 id="due-now">')
    assert codes_in(overdue) == [f"P{number:03d}" for number in (0, *range(10, 30, 2))]
    rows = due_rows(overdue)  # with the rest they are due for, not overdue
    assert rows[0].startswith("P000 Inskrivning") and "(30 dagar)" in rows[0]
    assert rows[1].startswith("ORS") and "Samtal 1" in rows[1] and "dagar)" not in rows[1]
    assert len(codes_in(now)) == 14 and "dagar)" not in now
    assert "Visar 1–25 av 30 deltagare" in page
    last = html(signed_in.get(f"{due_page(many)}?sida=2"))
    assert sections(last) == ["Att göra nu"] and "Visar 26–30 av 30 deltagare" in last


def test_the_due_list_is_grouped_by_deltagare(signed_in, many):
    page = html(signed_in.get(f"{due_page(many)}?sok=p000"))
    assert sections(page) == ["Försenade"] and codes_in(page) == ["P000"]
    assert 'rowspan="2"' in page and len(due_rows(page)) == 2
    ors = html(signed_in.get(f"{due_page(many)}?sok=p000&enkat=ors"))
    assert sections(ors) == ["Att göra nu"] and len(due_rows(ors)) == 1
    assert "Ingen mätning att göra passar" in html(signed_in.get(
        f"{due_page(many)}?sok=p000&status=nu"))


def test_the_due_list_filters_by_instrument_and_state_and_sorts_by_code(signed_in, many):
    now = html(signed_in.get(f"{due_page(many)}?status=nu&sortera=kod&ordning=fallande"))
    assert sections(now) == ["Att göra nu"]
    assert codes_in(now)[:2] == ["P029", "P027"]  # the even ones are overdue
    inskrivning = html(signed_in.get(f"{due_page(many)}?enkat=finsam-inskrivning"))
    assert all("Inskrivning" in row for row in due_rows(inskrivning))
    assert 'aria-sort="ascending"' in inskrivning  # by the date it fell due


@pytest.mark.parametrize("query", [
    "sortera=nonsens", "ordning=uppochner", "status=igar", "enkat=finns-inte", "sida=tre",
    "sida=-4", "sida=9999", "sok=" + "x" * 500, "sok=%25_%27", "sida=99999999999999999999",
])
def test_a_due_list_address_it_does_not_understand_still_shows_a_list(signed_in, many,
                                                                       query):
    response = signed_in.get(f"{due_page(many)}?{query}")
    assert response.status_code == 200
    assert "<h1>Att göra i Steget vidare</h1>" in html(response)


def test_a_search_that_finds_nothing_says_so(signed_in, many):
    page = html(signed_in.get(f"{due_page(many)}?sok=ZZZ"))
    assert "Ingen mätning att göra passar sökningen." in page and "Visa alla" in page


# --- the deltagare -------------------------------------------------------------------------


def test_the_deltagare_list_pages_by_code(signed_in, many):
    first = html(signed_in.get(deltagare_page(many)))
    assert codes_in(first) == [f"P{number:03d}" for number in range(PAGE_SIZE)]
    assert "Visar 1–25 av 30 deltagare" in first
    assert 'href="/insatser/steget/deltagare?sida=2" rel="next"' in first
    last = html(signed_in.get(f"{deltagare_page(many)}?sida=2"))
    assert codes_in(last) == [f"P{number:03d}" for number in range(PAGE_SIZE, 30)]
    past_the_end = html(signed_in.get(f"{deltagare_page(many)}?sida=40"))
    assert codes_in(past_the_end) == codes_in(last) and "Visar 26–30 av 30" in past_the_end


def test_the_deltagare_list_filters_by_status_and_searches(signed_in, many):
    ended = html(signed_in.get(f"{deltagare_page(many)}?status=avslutade"))
    assert codes_in(ended) == [f"P{number:03d}" for number in range(1, 10)]
    assert "9 deltagare" in ended
    ongoing = html(signed_in.get(f"{deltagare_page(many)}?status=pagaende&sok=p01"))
    assert codes_in(ongoing) == [f"P{number:03d}" for number in range(10, 20)]
    flagged = html(signed_in.get(f"{deltagare_page(many)}?flaggor=med"))
    assert "Ingen deltagare passar sökningen." in flagged


def test_the_deltagare_list_sorts_by_start_and_latest_ors(signed_in, many, make_response):
    from enkat.services.deltagare.participants import find_participant
    for code, value in (("P003", "2.0"), ("P004", "8.0")):
        make_response("ors", dict.fromkeys(ORS_ITEMS, value),
                      participant=find_participant(many.forbund, code), timepoint="session-1",
                      answered_on=local_today())
    by_ors = codes_in(html(signed_in.get(f"{deltagare_page(many)}?sortera=senaste-ors")))
    assert by_ors[:2] == ["P003", "P004"]  # the lowest first; those without ORS last
    by_ors = codes_in(html(signed_in.get(
        f"{deltagare_page(many)}?sortera=senaste-ors&ordning=fallande")))
    assert by_ors[:2] == ["P004", "P003"]
    newest = codes_in(html(signed_in.get(f"{deltagare_page(many)}?sortera=start")))
    assert newest[0] == "P001"  # started today (the newest first), then by code


@pytest.mark.parametrize("query", ["status=alla", "flaggor=kanske", "sortera=namn",
                                   "sida=x", "sida=0"])
def test_a_deltagare_list_address_it_does_not_understand_still_shows_a_list(
        signed_in, many, query):
    response = signed_in.get(f"{deltagare_page(many)}?{query}")
    assert response.status_code == 200 and "P000" in html(response)


# --- the responses -------------------------------------------------------------------------


@pytest.fixture
def answered(scheduled, make_participant, make_response):
    participant = make_participant("SVAR01")
    make_response("finsam-inskrivning", {"kon": "man"}, participant=participant,
                  timepoint="start", answered_on=dt.date(2025, 2, 1))
    for session in (1, 2):
        make_response("ors", dict.fromkeys(ORS_ITEMS, "5.0"), participant=participant,
                      timepoint=f"session-{session}", answered_on=dt.date(2025, 2, session + 1),
                      source=ResponseSource.PAPER)
    return scheduled


def response_lines(page: str) -> list[str]:
    body = page.split("</thead>")[1].split("</table>")[0]
    return [inline_text(re.sub(r"</td>", " |", row)) for row in body.split("<tr>")[1:]]


def test_the_responses_list_shows_the_latest_first_and_filters(signed_in, answered):
    path = f"/insatser/{answered.slug}/svar"
    lines = response_lines(html(signed_in.get(path)))
    assert [line.split(" |")[0].split(":")[0] for line in lines] == [
        "2025-02-03", "2025-02-02", "2025-02-01"]
    opened = re.findall(r'<a href="/svar/(\d+)">', html(signed_in.get(path)))
    assert len(opened) == 3  # each sent response opens its own page
    assert "Samtal 2 | Papper | Inskickat" in lines[0]
    oldest = response_lines(html(signed_in.get(f"{path}?ordning=stigande")))
    assert oldest[0].startswith("2025-02-01")
    ors = response_lines(html(signed_in.get(f"{path}?enkat=ors&matpunkt=session-1")))
    assert len(ors) == 1 and "Samtal 1" in ors[0]
    staff = response_lines(html(signed_in.get(f"{path}?kalla=personal")))
    assert len(staff) == 1 and "Inskrivning" in staff[0]
    drafts = html(signed_in.get(f"{path}?status=utkast"))
    assert "Inget svar passar sökningen." in drafts


@pytest.mark.parametrize("query", ["kalla=brevduva", "matpunkt=igar", "status=klar",
                                   "sortera=kod", "sida=zz", "enkat=<script>"])
def test_a_responses_list_address_it_does_not_understand_still_shows_a_list(
        signed_in, answered, query):
    response = signed_in.get(f"/insatser/{answered.slug}/svar?{query}")
    assert response.status_code == 200 and len(response_lines(html(response))) == 3


# --- access --------------------------------------------------------------------------------


def test_the_lists_are_for_those_who_see_the_insats(client, scheduled, make_insats, make_user):
    from enkat.models import InsatsKind, Role

    from .test_auth import sign_in
    from .test_staff_entry import add_staff

    other = make_insats("annan", name="Annan insats")
    struktur = make_insats("samverkan", name="Samverkan", kind=InsatsKind.STRUKTUR)
    user = make_user(Role.STAFF)
    add_staff(user, other)
    add_staff(user, struktur)
    sign_in(client, user.email)
    for tail in ("att-gora", "deltagare", "svar"):
        assert client.get(f"/insatser/{scheduled.slug}/{tail}").status_code == 404
        assert client.get(f"/insatser/{struktur.slug}/{tail}").status_code == 404
        assert client.get(f"/insatser/{other.slug}/{tail}").status_code == 200


def test_analysts_read_the_insats_pages_without_the_actions_of_personal(app, many, make_user):
    """An analyst reads an insats but acts in none: no button on these pages leads to
    "Du har inte behörighet"."""
    reader = another_browser(app)
    sign_in(reader, make_user(Role.ANALYST).email)
    overview = html(reader.get(insats_page(many)))
    assert "Läget i dag" in overview
    for action in ("Skriv in ny deltagare", "Registrera svar", "Skapa länk", "Öppna kiosken"):
        assert action not in overview, action
    due = html(reader.get(due_page(many)))
    assert "Försenade" in due and "Åtgärd" not in due and "Skapa länk" not in due
    listed = html(reader.get(deltagare_page(many)))
    assert "P000" in listed and "Åtgärd" not in listed and ">Avsluta<" not in listed
