"""The förbund's settings, /forbund/installningar: an administrator sets the suppression
threshold; a threshold below 5 is asked about first and then needs a confirmation and a
reason; bad input is said at its field with nothing saved; analysts and personal get 403."""

from __future__ import annotations

import html as entities

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, Forbund, Role
from enkat.services.audit.events import Action

from .test_admin_audit import shown
from .test_auth import sign_in
from .test_respond import html

PAGE = "/forbund/installningar"


def threshold(forbund: Forbund) -> int:
    db.session.expire_all()
    return forbund.suppression_threshold


def changes() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == Action.SUPPRESSION_THRESHOLD_CHANGED))


def text(response) -> str:
    return entities.unescape(html(response))


def test_the_page_shows_the_threshold_and_is_linked_from_the_overview(as_admin):
    page = text(as_admin.get(PAGE))
    assert "<h1>Inställningar</h1>" in page
    assert 'name="threshold"' in page and 'value="5"' in page
    assert 'name="confirm"' not in page  # asked only for a lower threshold
    assert f'href="{PAGE}">Inställningar</a>' in html(as_admin.get("/forbund/"))


def test_a_threshold_of_5_or_more_is_saved_at_once(as_admin, forbund):
    response = as_admin.post(PAGE, data={"threshold": " 8 "})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert threshold(forbund) == 8
    page = text(as_admin.get(PAGE))
    assert "Gränsen för små antal är ändrad från 5 till 8." in page
    assert "<dd>8</dd>" in page


def test_a_lower_threshold_is_first_explained_then_saved_when_confirmed_with_a_reason(
        as_admin, forbund):
    asked = as_admin.post(PAGE, data={"threshold": "3"})
    page = text(asked)
    assert asked.status_code == 200
    assert "Gränsen är inte ändrad ännu. Tabellerna visar då antal från 3 och uppåt." in page
    assert "Grupper med färre än 5 personer kan bli möjliga att känna igen" in page
    assert 'name="confirm"' in page and 'name="asked" type="hidden" value="1"' in page
    assert 'class="error"' not in page
    assert threshold(forbund) == 5 and changes() == 0

    saved = as_admin.post(PAGE, data={"threshold": "3", "asked": "1", "confirm": "y",
                                      "reason": "Små insatser, beslut i styrelsen"})
    assert saved.status_code == 303
    assert threshold(forbund) == 3 and changes() == 1
    after = text(as_admin.get(PAGE))
    assert "ändrad från 5 till 3" in after and 'name="confirm"' not in after  # asked no more


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"asked": "1", "reason": "Skäl"}, "confirm", "Bekräfta att gränsen ska vara 3, lägre än 5."),
    ({"asked": "1", "confirm": "y"}, "reason",
     "Skriv varför gränsen ska vara lägre än 5. Skälet sparas i loggen."),
    ({"asked": "1", "confirm": "y", "reason": "x" * 501}, "reason",
     "Skälet får vara högst 500 tecken."),
])
def test_a_lower_threshold_without_confirmation_or_reason_is_refused_at_the_field(
        as_admin, forbund, data, field, message):
    response = as_admin.post(PAGE, data={"threshold": "3", **data})
    page = text(response)
    assert response.status_code == 422
    assert "Inställningarna kunde inte sparas" in page and "Inget har sparats." in page
    assert f'<a href="#{field}">{message}' in page
    assert threshold(forbund) == 5 and changes() == 0


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Skriv gränsen som ett heltal från 1 till 50."),
    ("fem", "”fem” är inget heltal. Skriv gränsen med siffror, ett heltal från 1 till 50, "
            "till exempel 5."),
    ("4,5", "”4,5” är inget heltal."),
    ("0", "Gränsen 0 går inte. Skriv ett heltal från 1 till 50."),
    ("51", "Gränsen 51 går inte. Skriv ett heltal från 1 till 50."),
    ("-3", "Gränsen -3 går inte. Skriv ett heltal från 1 till 50."),
])
def test_a_threshold_that_is_not_1_to_50_is_refused_in_swedish(as_admin, forbund, typed,
                                                               message):
    response = as_admin.post(PAGE, data={"threshold": typed, "asked": "1", "confirm": "y",
                                         "reason": "Skäl"})
    page = text(response)
    assert response.status_code == 422
    assert '<a href="#threshold">' + message in page
    assert f'value="{typed}"' in page  # what was typed stays to be corrected
    assert threshold(forbund) == 5 and changes() == 0


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STAFF])
def test_analysts_and_personal_may_neither_see_nor_change_the_settings(client, make_user,
                                                                      forbund, role):
    sign_in(client, make_user(role).email)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"threshold": "10"}).status_code == 403
    assert threshold(forbund) == 5
    if role is Role.ANALYST:
        assert f'href="{PAGE}"' not in html(client.get("/forbund/"))


def test_the_change_is_in_the_audit_log_in_words(as_admin, admin):
    as_admin.post(PAGE, data={"threshold": "3", "asked": "1", "confirm": "y",
                              "reason": "Små insatser"})
    (row,) = [row for row in shown(as_admin) if row[2] == "Ändrad gräns för små antal"]
    assert row[1] == admin.email
    assert row[3] == "test"
    assert row[4] == "före: 5; efter: 3; orsak: Små insatser"
