"""An utskick's results on its page: the indicator table and its chart once the förbund's
threshold of answers is reached, a plain sentence before; for administrators and
analysts of the förbund only. The links are mailed through the loopback SMTP server and
answered through the respondent pages."""

from __future__ import annotations

import re

import pytest

from enkat.models import Role
from enkat.services.people.users import create_user, grant_role

from .test_admin_utskick import answer_to_the_end, create, link_path, page, worked
from .test_auth import sign_in

pytestmark = pytest.mark.usefixtures("mailbox", "jobs")

BOARD = [f"ledamot{number}@example.se" for number in range(6)]
TOO_FEW = "Färre än 5 svar: resultaten visas när fler har svarat."


@pytest.fixture
def mailed(app, as_admin, mailbox):
    """An utskick to six board members, mailed; `answer(n)` has the next n answer."""
    campaign = create(as_admin, addresses="\n".join(BOARD))
    assert worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka")).status_code == 303
    waiting = list(BOARD)

    def answer(count: int, value: str = "3") -> None:
        for _ in range(count):
            answer_to_the_end(app.test_client(), link_path(mailbox, waiting.pop(0)), value)

    return campaign, answer


def detail(client, campaign) -> str:
    response = client.get(f"/forbund/utskick/{campaign.id}")
    assert response.status_code == 200
    return page(response)


def results_section(html: str) -> str:
    """From the heading "Resultat" to the administrators' actions."""
    return html.split('id="results-heading"', 1)[1].split("<h2>Åtgärder", 1)[0]


def chart(client, campaign, table_id="nns-styrelse"):
    return client.get(f"/forbund/utskick/{campaign.id}/diagram/{table_id}.svg")


def test_without_answers_the_page_says_so_and_has_no_chart(as_admin, mailed):
    campaign, _ = mailed
    section = results_section(detail(as_admin, campaign))
    assert "Inga svar än." in section and "<table" not in section
    assert chart(as_admin, campaign).status_code == 404


def test_below_the_threshold_the_answers_are_too_few_to_show(as_admin, mailed):
    campaign, answer = mailed
    answer(4)
    section = results_section(detail(as_admin, campaign))
    assert TOO_FEW in section
    assert "<table" not in section and "Andel positiva" not in section and "<img" not in section
    assert chart(as_admin, campaign).status_code == 404


def test_from_the_threshold_the_table_and_chart_are_shown(as_admin, mailed):
    campaign, answer = mailed
    answer(3, "4")
    answer(2, "1")
    section = results_section(detail(as_admin, campaign))
    assert TOO_FEW not in section and "5 svar." in section
    caption = re.search(r"<caption>(.*?)</caption>", section, re.S).group(1)
    assert "NNS indikatorenkät för styrelseledamöter" in caption
    assert '<th scope="col"' in section and "Andel positiva" in section
    assert "60,0" in section  # 3 of 5 positive, in Swedish
    assert "Tabell-id: <code>nns-styrelse</code>" in section
    assert "Det finns inget tidigare utskick av enkäten med svar att jämföra med." in section
    image = re.search(r"<img ([^>]*)>", section).group(1)
    assert f'src="/forbund/utskick/{campaign.id}/diagram/nns-styrelse.svg"' in image
    assert 'alt="Diagram: andel positiva svar per fråga, NNS indikatorenkät för ' in image
    drawn = chart(as_admin, campaign)
    assert drawn.status_code == 200 and drawn.mimetype == "image/svg+xml"
    assert b"<svg" in drawn.data and b"Andel positiva svar" in drawn.data
    assert chart(as_admin, campaign, "nns-personal").status_code == 404  # not its table


def test_analysts_see_the_results(app, as_admin, mailed, make_user):
    campaign, answer = mailed
    answer(5)
    analyst = app.test_client()
    sign_in(analyst, make_user(Role.ANALYST).email)
    assert "Andel positiva" in results_section(detail(analyst, campaign))
    assert chart(analyst, campaign).status_code == 200


def test_personal_and_another_forbund_see_no_results(app, as_admin, mailed, make_user,
                                                      make_forbund):
    campaign, answer = mailed
    answer(5)
    staff = app.test_client()
    sign_in(staff, make_user(Role.STAFF).email)
    assert chart(staff, campaign).status_code == 403
    stranger = create_user("analytiker@annat.example", "lösenord-123", "Annan Analytiker")
    grant_role(stranger, make_forbund(), Role.ANALYST)
    outsider = app.test_client()
    sign_in(outsider, stranger.email)
    assert chart(outsider, campaign).status_code == 404
    assert outsider.get(f"/forbund/utskick/{campaign.id}").status_code == 404


def test_the_previous_utskick_to_the_same_group_is_compared(app, as_admin, mailbox):
    earlier = create(as_admin, title="Styrelsen 2024", addresses="\n".join(BOARD))
    worked(as_admin.post(f"/forbund/utskick/{earlier.id}/skicka"))
    for address in BOARD[:5]:
        answer_to_the_end(app.test_client(), link_path(mailbox, address), "1")
    later = create(as_admin, title="Styrelsen 2025", addresses="\n".join(BOARD))
    worked(as_admin.post(f"/forbund/utskick/{later.id}/skicka"))
    for address in BOARD[:5]:
        answer_to_the_end(app.test_client(), link_path(mailbox, address), "4")
    section = results_section(detail(as_admin, later))
    assert "Föregående period: utskicket ”Styrelsen 2024”" in section
    assert "jämfört med föregående utskick" in section
    assert chart(as_admin, later).status_code == 200
