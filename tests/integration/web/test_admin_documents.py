"""The förbund and the reports filed with it: the list (sent ones first, filters), the
review page (comment, return with a comment, approve after a confirmation), refused steps
said in Swedish with nothing changed, the helårsrapport written on the same pages as
personal's, the adaptation of a template, and beviljat medel on the insats form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import DocumentComment, Role

from .test_auth import sign_in
from .test_respond import html
from .test_staff_documents import autosave, create, document, page_of, send, stored_texts
from .test_staff_entry import add_staff, another_browser

#: Every test here works in the test förbund's insats.
pytestmark = pytest.mark.usefixtures("insats")


@pytest.fixture
def personal(app, make_user, insats):
    """A browser signed in as personal of the insats (the writers)."""
    user = make_user(Role.STAFF)
    add_staff(user, insats)
    db.session.commit()
    browser = another_browser(app)
    sign_in(browser, user.email)
    return browser


@pytest.fixture
def sent(personal, insats) -> int:
    """A kvartalsrapport with a text, sent by personal."""
    document_id = create(personal, insats)
    autosave(personal, insats, document_id, "aktiviteter", "Vi har träffat 12 deltagare.", 0)
    assert send(personal, insats, document_id).status_code == 303
    return document_id


def review(document_id: int) -> str:
    return f"/forbund/rapporter/{document_id}"


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(DocumentComment))


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_sent_reports_first_and_filters(as_admin, personal, insats, sent):
    draft_id = create(personal, insats, kind="delrapport", starts_on="2025-01-01",
                      ends_on="2025-06-30")
    page = html(as_admin.get("/forbund/rapporter"))
    assert page.index(review(sent)) < page.index(review(draft_id))
    assert "Skickad till förbundet" in page and "Utkast" in page
    only_drafts = html(as_admin.get("/forbund/rapporter?status=draft"))
    assert review(draft_id) in only_drafts and review(sent) not in only_drafts
    assert review(sent) in html(as_admin.get(f"/forbund/rapporter?insats={insats.slug}"))
    assert as_admin.get("/forbund/rapporter?insats=finns-inte").status_code == 404
    assert 'href="/forbund/rapporter"' in html(as_admin.get("/forbund/"))


# --- reviewing -------------------------------------------------------------------------------


def test_the_review_page_shows_the_report_as_sent_and_its_history(as_admin, sent):
    page = html(as_admin.get(review(sent)))
    assert "Vi har träffat 12 deltagare." in page
    assert "Återsänd för komplettering" in page and "Godkänn" in page
    assert "Händelser" in page and "Ladda ner Word" in page and "Ladda ner PDF" in page


def test_a_comment_is_kept_and_shown(as_admin, sent):
    response = as_admin.post(f"{review(sent)}/kommentar", data={"text": "Bra skrivet."})
    assert response.status_code == 303
    assert "Bra skrivet." in html(as_admin.get(review(sent)))
    assert document(sent).status == "sent"


def test_returning_needs_a_comment_then_the_writers_see_it_and_send_again(
        as_admin, personal, insats, sent):
    refused = as_admin.post(f"{review(sent)}/aterstall", data={"text": "  "})
    assert refused.status_code == 422
    assert "Skriv vad som ska kompletteras" in html(refused)
    assert document(sent).status == "sent" and comment_count() == 0

    returned = as_admin.post(f"{review(sent)}/aterstall",
                             data={"text": "Beskriv brukarmedverkan."})
    assert returned.status_code == 303
    assert document(sent).status == "returned"
    page = html(personal.get(page_of(insats, sent)))
    assert "Beskriv brukarmedverkan." in page and "<textarea" in page
    saved = autosave(personal, insats, sent, "brukarmedverkan", "Deltagarrådet har träffats.", 0)
    assert saved.status_code == 200
    assert send(personal, insats, sent).status_code == 303
    assert document(sent).status == "sent"


def test_approving_asks_first_then_the_report_is_a_record(as_admin, personal, insats, sent):
    confirm = html(as_admin.get(f"{review(sent)}/godkann"))
    assert "ändras inte efter detta" in confirm
    assert f"<h1>Godkänn kvartalsrapport för {insats.name}</h1>" in confirm  # name as written
    assert document(sent).status == "sent"
    assert as_admin.post(f"{review(sent)}/godkann").status_code == 303
    approved = document(sent)
    assert approved.status == "approved" and approved.approved_at is not None
    page = html(personal.get(page_of(insats, sent)))
    assert "Godkänd" in page and "<textarea" not in page and "Gör en ny version" in page


@pytest.mark.parametrize(("step", "data", "message"), [
    ("godkann", {}, "Bara en skickad rapport kan godkännas"),
    ("aterstall", {"text": "Igen."}, "Bara en skickad rapport kan återsändas"),
])
def test_a_step_the_status_does_not_allow_is_refused_in_swedish(as_admin, personal, insats,
                                                                step, data, message):
    draft_id = create(personal, insats)
    response = as_admin.post(f"{review(draft_id)}/{step}", data=data)
    assert response.status_code == 409
    assert message in html(response)
    assert document(draft_id).status == "draft" and comment_count() == 0


def test_an_analyst_reads_but_does_not_review(app, make_user, sent):
    analyst = make_user(Role.ANALYST)
    db.session.commit()
    browser = another_browser(app)
    sign_in(browser, analyst.email)
    page = html(browser.get(review(sent)))
    assert "Vi har träffat 12 deltagare." in page and "Återsänd för komplettering" not in page
    assert browser.post(f"{review(sent)}/aterstall", data={"text": "Nej."}).status_code == 403
    assert browser.post(f"{review(sent)}/godkann").status_code == 403
    assert document(sent).status == "sent"


def test_another_forbunds_report_is_not_found(as_admin, make_forbund, make_insats, sent):
    from enkat.services.people.users import create_user, grant_role

    other = make_forbund("annat", "Annat förbund")
    stranger = create_user("annan@example.org", "lösenord-123", "Annan Administratör")
    grant_role(stranger, other, Role.ADMIN)
    db.session.commit()
    as_admin.post("/logout")
    sign_in(as_admin, "annan@example.org")
    assert as_admin.get(review(sent)).status_code == 404
    assert as_admin.post(f"{review(sent)}/godkann").status_code == 404
    assert document(sent).status == "sent"


# --- the helårsrapport -----------------------------------------------------------------------


def test_the_forbund_writes_its_helarsrapport_on_the_writing_page(as_admin):
    form = html(as_admin.get("/forbund/rapporter/ny"))
    assert ">Helårsrapport</option>" in form and "Kvartalsrapport" not in form
    response = as_admin.post("/forbund/rapporter/ny", data={
        "kind": "helarsrapport", "starts_on": "2025-01-01", "ends_on": "2025-12-31"})
    assert response.status_code == 303, html(response)
    document_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = html(as_admin.get(review(document_id)))
    assert "<textarea" in page and "data-autosave=" in page
    section = _first_text_key(page)
    saved = as_admin.post(f"{review(document_id)}/text",
                          json={"section": section, "text": "Ett bra år.", "revision": 0})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert stored_texts(document_id)[section][0] == "Ett bra år."


def _first_text_key(page: str) -> str:
    start = page.index('data-section="') + len('data-section="')
    return page[start:page.index('"', start)]


# --- the templates ---------------------------------------------------------------------------


def test_an_adapted_template_renames_reorders_and_leaves_out(as_admin, personal, insats):
    from .browser_form import form_values

    values = form_values(html(as_admin.get("/forbund/rapportmallar/kvartalsrapport")))
    rows = {values[name]: name.removesuffix("-key") for name in values
            if name.startswith("sections-") and name.endswith("-key")}
    values[f"{rows['aktiviteter']}-heading"] = "Vad vi har gjort"
    values[f"{rows['uppgiftslamnare']}-position"] = "0"
    values.pop(f"{rows['styrgruppens-analys']}-included")
    response = as_admin.post("/forbund/rapportmallar/kvartalsrapport", data=values)
    assert response.status_code == 303, html(response)

    page = html(personal.get(page_of(insats, create(personal, insats))))
    assert "Vad vi har gjort" in page and "Styrgruppens analys" not in page
    assert page.index("Uppgiftslämnare") < page.index("Allmänna uppgifter")


def test_a_template_with_an_empty_heading_is_refused(as_admin):
    from .browser_form import form_values

    values = form_values(html(as_admin.get("/forbund/rapportmallar/kvartalsrapport")))
    values["sections-0-heading"] = " "
    response = as_admin.post("/forbund/rapportmallar/kvartalsrapport", data=values)
    assert response.status_code == 422
    assert "skriv en rubrik" in html(response)
    assert as_admin.get("/forbund/rapportmallar/okand").status_code == 404


# --- beviljat medel --------------------------------------------------------------------------


def test_beviljat_medel_is_set_on_the_insats_form(as_admin, insats):
    from .test_admin_insatser import insats_data

    path = f"/forbund/insatser/{insats.slug}/andra"
    response = as_admin.post(path, data=insats_data(granted_kronor="1 250 000"))
    assert response.status_code == 303, html(response)
    db.session.expire_all()
    assert insats.granted_kronor == 1_250_000
    assert "1\u00a0250\u00a0000" in html(as_admin.get(path))
    refused = as_admin.post(path, data=insats_data(granted_kronor="mycket"))
    assert refused.status_code == 422 and "i hela kronor" in html(refused)
    db.session.expire_all()
    assert insats.granted_kronor == 1_250_000
