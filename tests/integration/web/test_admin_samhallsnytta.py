"""Samhällsnytta's inputs in the förbund's workspace: the price list per year,
/forbund/prislista (administrators only), and an insats' costs per period,
/forbund/insatser/<slug>/kostnader (analysts read, administrators add and remove). Bad
input is said at its field and in the summary, with nothing saved."""

from __future__ import annotations

import datetime as dt
import html as entities
import re

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsCost, PriceList, Role
from enkat.services.audit.events import Action
from enkat.services.samhallsnytta import (
    find_price_list,
    insats_costs,
    prices_of,
    save_price_list,
    set_insats_cost,
)

from ..services.samhallsnytta.prices_data import entries, price_form
from .test_admin_audit import shown
from .test_auth import sign_in
from .test_respond import html

LISTS = "/forbund/prislista"
COSTS = "/forbund/insatser/steget/kostnader"


def text(response) -> str:
    return entities.unescape(html(response))


def lists() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PriceList))


# --- the price lists -----------------------------------------------------------------


def test_the_price_list_is_linked_from_the_overview_and_the_settings(as_admin):
    assert f'href="{LISTS}">Prislista för samhällsnytta</a>' in html(as_admin.get("/forbund/"))
    assert f'href="{LISTS}">prislistan för samhällsnytta</a>' in \
        html(as_admin.get("/forbund/installningar"))
    page = text(as_admin.get(LISTS))
    assert "<h1>Prislista för samhällsnytta</h1>" in page
    assert "Förbundet har ingen prislista ännu." in page


def test_a_new_years_list_is_begun_empty_and_saved_whole(as_admin, admin, forbund):
    begun = as_admin.post(LISTS, data={"year": "2026", "copy_from": ""})
    assert begun.status_code == 303 and begun.headers["Location"] == f"{LISTS}/2026"
    assert lists() == 0  # nothing saved until the list is whole

    page = text(as_admin.get(f"{LISTS}/2026"))
    assert "Prislistan för 2026 är inte sparad än." in page
    assert "<legend>Sjukpenning/rehabiliteringspenning</legend>" in page
    assert '<option value="forsakringskassan">Försäkringskassan</option>' in page
    assert "Ej prissatt" in page

    saved = as_admin.post(f"{LISTS}/2026", data=price_form(forsorjningsstod=("10 500",
                                                                             "kommunen")))

    assert saved.status_code == 303
    prices = prices_of(find_price_list(forbund, 2026))
    assert prices["forsorjningsstod"].kronor == 10500
    assert prices["annan"] is None
    after = text(as_admin.get(f"{LISTS}/2026"))
    assert "Prislistan för 2026 är sparad." in after
    assert 'value="10500"' in after
    listed = text(as_admin.get(LISTS))
    assert f'href="{LISTS}/2026">Prislista 2026</a>' in listed
    (row,) = [row for row in shown(as_admin) if row[2] == "Sparad prislista för samhällsnytta"]
    assert row[1] == admin.email and row[3] == "2026"
    assert row[4].startswith("år: 2026; exempelsiffror: nej; ändrat: a-kassa, ")


def test_a_new_year_is_offered_as_a_copy_of_the_latest(as_admin, forbund):
    save_price_list(forbund, 2025, entries(), None, example=True)
    db.session.commit()

    page = text(as_admin.get(LISTS))
    assert re.search(r'<input [^>]*name="year"[^>]* value="2026"', page)
    assert '<option selected value="2025">En kopia av prislistan för 2025</option>' in page
    assert "Exempelsiffror" in page

    copied = as_admin.post(LISTS, data={"year": "2026", "copy_from": "2025"})

    assert copied.status_code == 303
    assert prices_of(find_price_list(forbund, 2026)) == prices_of(find_price_list(forbund,
                                                                                  2025))
    assert "Prislistan för 2026 är sparad som en kopia av den för 2025." in text(
        as_admin.get(f"{LISTS}/2026"))


@pytest.mark.parametrize(("year", "message"), [
    ("tjugo", "”tjugo” är inget år. Skriv året med fyra siffror, till exempel 2026."),
    ("", "Året saknas. Skriv ett år från 2000 till 2100, till exempel 2025."),
    ("1999", "Året 1999 går inte. Skriv ett år från 2000 till 2100, till exempel 2025."),
    ("2025", "Det finns redan en prislista för 2025. Välj den i listan för att ändra den."),
])
def test_a_bad_or_taken_year_is_said_at_its_field(as_admin, forbund, year, message):
    save_price_list(forbund, 2025, entries(), None)
    db.session.commit()

    response = as_admin.post(LISTS, data={"year": year, "copy_from": ""})

    page = text(response)
    assert response.status_code == 422
    assert "Prislistan kunde inte påbörjas" in page
    assert f'<a href="#year">{message}</a>' in page
    assert f'<p class="error">{message}</p>' in page
    assert lists() == 1


@pytest.mark.parametrize(("changed", "field", "message"), [
    ({"forsorjningsstod": ("tiotusen", "kommunen")}, "rows-3-kronor",
     "”tiotusen” för Försörjningsstöd är inget belopp. Skriv hela kronor i månaden, från 0 "
     "till 10 000 000, med siffror, till exempel 10000."),
    ({"forsorjningsstod": ("-100", "kommunen")}, "rows-3-kronor",
     "”-100” för Försörjningsstöd är inget belopp."),
    ({"forsorjningsstod": ("10000,50", "kommunen")}, "rows-3-kronor",
     "”10000,50” för Försörjningsstöd är inget belopp."),
    ({"lon": ("", "ingen")}, "rows-8-kronor",
     "Skriv vad Lön kostar i kronor i månaden, eller markera den som ej prissatt."),
    ({"studiestod": ("11000", "")}, "rows-7-payer", "Välj vem som betalar Studiestöd."),
    ({"studiestod": ("11000", "banken")}, "rows-7-payer",
     "Okänd betalare ”banken” för Studiestöd."),
])
def test_each_bad_price_is_said_at_its_field_and_nothing_saved(as_admin, forbund, changed,
                                                               field, message):
    save_price_list(forbund, 2025, entries(), None, example=True)
    db.session.commit()

    response = as_admin.post(f"{LISTS}/2025", data=price_form(**changed))

    page = text(response)
    assert response.status_code == 422
    assert "Prislistan kunde inte sparas" in page and "Inget har sparats." in page
    assert f'<a href="#{field}">{message}' in page
    assert f'<div id="{field}-error"><p class="error">{message}' in page
    db.session.expire_all()
    stored = find_price_list(forbund, 2025)
    assert stored.example is True
    assert prices_of(stored)["forsorjningsstod"].kronor == 10000


def test_a_source_marked_not_priced_with_kronor_is_refused(as_admin, forbund):
    form = price_form()
    form["rows-0-not_priced"] = "y"

    response = as_admin.post(f"{LISTS}/2025", data=form)

    assert response.status_code == 422
    assert ('<a href="#rows-0-kronor">A-kassa är markerad ej prissatt men har kronor eller '
            'betalare.') in text(response)
    assert lists() == 0


def test_an_unknown_source_posted_is_refused(as_admin):
    form = price_form()
    form["rows-10-source"], form["rows-10-kronor"], form["rows-10-payer"] = \
        "pension", "1", "kommunen"

    response = as_admin.post(f"{LISTS}/2025", data=form)

    assert response.status_code == 422
    assert "Okänd försörjningskälla ”pension”." in text(response)
    assert lists() == 0


def test_the_example_mark_is_shown_as_a_notice_and_cleared_by_the_administrator(as_admin,
                                                                                  forbund):
    save_price_list(forbund, 2025, entries(), None, example=True)
    db.session.commit()
    page = text(as_admin.get(f"{LISTS}/2025"))
    assert "<strong>Exempelsiffror.</strong>" in page
    assert 'id="example" name="example" type="checkbox" value="y"' in page

    as_admin.post(f"{LISTS}/2025", data=price_form())

    db.session.expire_all()
    assert find_price_list(forbund, 2025).example is False
    assert "<strong>Exempelsiffror.</strong>" not in text(as_admin.get(f"{LISTS}/2025"))


def test_a_year_out_of_range_in_the_address_is_not_found(as_admin):
    assert as_admin.get(f"{LISTS}/1999").status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.ANALYST])
def test_personal_and_analysts_may_neither_see_nor_change_a_price_list(client, make_user,
                                                                     role):
    sign_in(client, make_user(role).email)
    assert client.get(LISTS).status_code == 403
    assert client.get(f"{LISTS}/2025").status_code == 403
    assert client.post(f"{LISTS}/2025", data=price_form()).status_code == 403
    assert client.post(LISTS, data={"year": "2025"}).status_code == 403
    assert lists() == 0


# --- an insats' costs ------------------------------------------------------------------


def costs() -> list[tuple]:
    db.session.expire_all()
    return [(c.starts_on.isoformat(), c.ends_on.isoformat(), c.granted_kronor, c.spent_kronor)
            for c in db.session.scalars(select(InsatsCost).order_by(InsatsCost.starts_on))]


def test_a_cost_is_added_listed_and_removed(as_admin, insats):
    assert f'href="{COSTS}">Kostnader' in html(as_admin.get("/forbund/insatser"))
    assert "Insatsen har inga kostnader registrerade." in text(as_admin.get(COSTS))

    added = as_admin.post(COSTS, data={"starts_on": "2025-01-01", "ends_on": "2025-12-31",
                                       "granted_kronor": "1 200 000", "spent_kronor": ""})

    assert added.status_code == 303
    assert costs() == [("2025-01-01", "2025-12-31", 1_200_000, None)]
    page = text(as_admin.get(COSTS))
    assert "Kostnaden för 2025-01-01–2025-12-31 är sparad." in page
    assert '<th scope="row">2025-01-01–2025-12-31</th>' in page
    assert '<td class="num">1 200 000</td>' in page

    cost_id = insats_costs(insats)[0].id
    assert f'href="{COSTS}/{cost_id}/ta-bort"' in html(as_admin.get(COSTS))
    asked = text(as_admin.get(f"{COSTS}/{cost_id}/ta-bort"))
    assert "Ta bort kostnaden för 2025-01-01–2025-12-31?" in asked
    assert "Beviljat medel 1 200 000 kr" in asked and "Det går inte att ångra." in asked
    assert len(costs()) == 1  # asking removes nothing
    removed = as_admin.post(f"{COSTS}/{cost_id}/ta-bort")

    assert removed.status_code == 303
    assert costs() == []
    assert "Kostnaden är borttagen." in text(as_admin.get(COSTS))
    labels = [row[2] for row in shown(as_admin)]
    assert "Sparad kostnad för insats" in labels and "Borttagen kostnad för insats" in labels
    assert as_admin.get(f"{COSTS}/{cost_id}/ta-bort").status_code == 404
    assert as_admin.post(f"{COSTS}/{cost_id}/ta-bort").status_code == 404


GOOD = {"starts_on": "2026-01-01", "ends_on": "2026-12-31", "granted_kronor": "100000"}


@pytest.mark.parametrize(("changed", "field", "message"), [
    ({"starts_on": "1 jan"}, "starts_on", "Skriv datumet som år-månad-dag, till exempel "
                                          "2025-01-01."),
    ({"ends_on": ""}, "ends_on", "Skriv periodens sista dag (ÅÅÅÅ-MM-DD)."),
    ({"ends_on": "2025-12-31"}, "ends_on", "Perioden slutar 2025-12-31, före sin första dag "
                                           "2026-01-01."),
    ({"granted_kronor": "mycket"}, "granted_kronor", "Skriv beloppet i hela kronor, till "
                                                     "exempel 12 000."),
    ({"granted_kronor": ""}, "granted_kronor", "Skriv beviljat medel i hela kronor, från 0 "
                                               "till 1 000 000 000 000."),
    ({"spent_kronor": "-5"}, "spent_kronor", "Beloppet får inte vara negativt."),
    ({"starts_on": "2025-06-01"}, "starts_on", "Perioden 2025-06-01–2026-12-31 överlappar "
                                               "kostnaden för 2025-01-01–2025-12-31."),
])
def test_each_bad_cost_is_said_at_its_field_and_nothing_saved(as_admin, insats, changed,
                                                              field, message):
    set_insats_cost(insats, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 5, by=None)
    db.session.commit()

    response = as_admin.post(COSTS, data={**GOOD, **changed})

    page = text(response)
    assert response.status_code == 422
    assert "Kostnaden kunde inte sparas" in page
    assert f'<a href="#{field}">{message}' in page
    assert f'<div id="{field}-error"><p class="error">{message}' in page
    assert costs() == [("2025-01-01", "2025-12-31", 5, None)]


def test_analysts_read_the_costs_without_the_forms(client, make_user, insats):
    set_insats_cost(insats, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 5, by=None)
    sign_in(client, make_user(Role.ANALYST).email)
    page = text(client.get(COSTS))
    assert "2025-01-01–2025-12-31" in page
    assert "Ta bort" not in page and 'name="granted_kronor"' not in page
    assert client.post(COSTS, data=GOOD).status_code == 403


def test_personal_may_neither_see_nor_change_the_costs(client, make_user, insats):
    cost = set_insats_cost(insats, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 5, by=None)
    sign_in(client, make_user(Role.STAFF).email)
    assert client.get(COSTS).status_code == 403
    assert client.post(COSTS, data=GOOD).status_code == 403
    assert client.post(f"{COSTS}/{cost.id}/ta-bort").status_code == 403
    assert len(costs()) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == Action.INSATS_COST_REMOVED)) == 0
