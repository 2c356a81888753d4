"""The staff pages of a förbund at real size (`tests/scale.py`: 2,000 deltagare in 15
insatser, 40 staff) stay light: the insats page and its lists are pages, not every row."""

from __future__ import annotations

import re

import pytest

from enkat.services.answering.drafts import local_today
from tests import scale

from .test_auth import sign_in
from .test_respond import html

#: Issue 17: the staff insats page and the due list render under 200 KB of HTML.
MAX_BYTES = 200 * 1024


@pytest.fixture
def scale_forbund(db_session) -> scale.ScaleForbund:
    return scale.build(local_today())


@pytest.fixture
def staff_member(client, scale_forbund):
    sign_in(client, scale.STAFF_EMAIL, scale.STAFF_PASSWORD)
    return client


def test_the_insats_page_and_its_lists_stay_light_and_agree(staff_member, scale_forbund):
    """One test, for the förbund takes seconds to build."""
    slug = scale_forbund.insatser[0].slug
    for tail in ("", "/att-gora", "/att-gora?sida=9999",
                 "/att-gora?status=forsenade&enkat=skapa", "/deltagare",
                 "/deltagare?status=avslutade&sortera=senaste-ors", "/deltagare?sida=9999",
                 "/svar", "/svar?sida=9999"):
        response = staff_member.get(f"/insatser/{slug}{tail}")
        assert response.status_code == 200, tail
        assert len(response.data) < MAX_BYTES, (tail, len(response.data))

    counts = dict((label, int(number)) for number, label in re.findall(
        r"<strong>(\d+)</strong> ([a-zåäö ]+)</a>", html(staff_member.get(f"/insatser/{slug}"))))
    assert counts["pågående"] + counts["avslutade"] == pytest.approx(
        scale.DELTAGARE / scale.INSATSER, abs=1)
    for tail, label in (("att-gora?status=forsenade", "med försenade mätningar"),
                        ("att-gora?status=nu", "med något att göra nu"),
                        ("deltagare?status=avslutade", "avslutade")):
        page = html(staff_member.get(f"/insatser/{slug}/{tail}"))
        assert re.search(rf"[ >]{counts[label]} deltagare</p>", page), (label, counts)

    overview = html(staff_member.get("/"))
    theirs = scale_forbund.insatser[:scale.STAFF_INSATSER]
    for insats in scale_forbund.insatser:
        assert (f'href="/insatser/{insats.slug}"' in overview) is (insats in theirs)
