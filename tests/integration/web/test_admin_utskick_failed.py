"""The failed mails of an utskick, the only addresses it shows: paged, searched by
address and filtered by which mail failed; an address the list does not understand still
shows it."""

from __future__ import annotations

import pytest

from .test_admin_utskick import create, page, worked

pytestmark = pytest.mark.usefixtures("mailbox", "jobs")

ADDRESSES = [f"person{number:02d}@example.se" for number in range(30)]


@pytest.fixture
def failed(as_admin, mailbox):  # noqa: F811
    campaign = create(as_admin, addresses="\n".join(ADDRESSES))
    mailbox.refuse = True
    worked(as_admin.post(f"/forbund/utskick/{campaign.id}/skicka"))
    return f"/forbund/utskick/{campaign.id}"


def addresses_in(detail: str) -> list[str]:
    return [address for address in ADDRESSES if f'<th scope="row">{address}</th>' in detail]


def test_the_failed_mails_are_paged_by_address(as_admin, failed):  # noqa: F811
    first = page(as_admin.get(failed))
    assert addresses_in(first) == ADDRESSES[:25]
    assert "Visar 1–25 av 30 misslyckade mejl" in first
    second = page(as_admin.get(f"{failed}?sida=2"))
    assert addresses_in(second) == ADDRESSES[25:]
    assert "Skicka igen till misslyckade" in second  # the actions stay on every page


def test_the_failed_mails_are_searched_and_filtered(as_admin, failed):  # noqa: F811
    found = page(as_admin.get(f"{failed}?sok=PERSON1"))
    assert addresses_in(found) == ADDRESSES[10:20] and "10 misslyckade mejl" in found
    first = page(as_admin.get(f"{failed}?mejl=forsta"))
    assert len(addresses_in(first)) == 25
    reminders = page(as_admin.get(f"{failed}?mejl=paminnelse"))
    assert addresses_in(reminders) == []
    assert "Inget misslyckat mejl passar sökningen." in reminders


@pytest.mark.parametrize("query", ["sida=sista", "sida=-1", "sida=400", "mejl=brevduva",
                                   "sortera=namn", "sok=%25"])
def test_an_address_the_list_does_not_understand_still_shows_it(as_admin, failed,  # noqa: F811
                                                                  query):
    response = as_admin.get(f"{failed}?{query}")
    assert response.status_code == 200 and "Misslyckade</h2>" in page(response)
