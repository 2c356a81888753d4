"""Personal write the reports of their insats in the browser: create one from the insats
page, write its sections (one at a time as the page's script saves them, or all with
"Spara" without JavaScript), never overwrite what someone else saved in between, send it
with its figures frozen, make a new version, download it; and who may not."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, DocumentText, Goal, ReportDocument, Role
from enkat.services.audit.events import Action
from tests.prepared import fetched

from .browser_form import form_values
from .test_auth import sign_in
from .test_respond import html
from .test_staff_entry import add_staff, another_browser

PERIOD = {"starts_on": "2025-01-01", "ends_on": "2025-03-31"}


# --- helpers (test_admin_documents.py uses them too) ------------------------------------------


def create(client, insats, kind: str = "kvartalsrapport", **period) -> int:
    """Create a report through its form; its id."""
    response = client.post(f"/insatser/{insats.slug}/rapporter/ny",
                           data={"kind": kind, **PERIOD, **period})
    assert response.status_code == 303, html(response)
    return int(re.search(r"/rapporter/(\d+)$", response.headers["Location"]).group(1))


def page_of(insats, document_id: int) -> str:
    return f"/insatser/{insats.slug}/rapporter/{document_id}"


def autosave(client, insats, document_id: int, section: str, text: str, revision: int):
    return client.post(f"{page_of(insats, document_id)}/text",
                       json={"section": section, "text": text, "revision": revision})


def stored_texts(document_id: int) -> dict[str, tuple[str, int]]:
    db.session.expire_all()
    return {text.section_key: (text.text, text.revision) for text in db.session.scalars(
        select(DocumentText).where(DocumentText.document_id == document_id))}


def document(document_id: int) -> ReportDocument:
    db.session.expire_all()
    return db.session.get(ReportDocument, document_id)


def send(client, insats, document_id: int):
    return client.post(f"{page_of(insats, document_id)}/skicka")


def with_goal(insats):
    insats.goals = [Goal(position=0, description="Minst 40 % till arbete eller studier",
                         indicator="arbete-studier", comparison="at_least", target=0.4)]
    db.session.flush()


# --- creating -------------------------------------------------------------------------------


def test_the_insats_page_lists_its_reports_and_offers_to_create_one(signed_in, insats):
    page = html(signed_in.get(f"/insatser/{insats.slug}"))
    assert "Rapporter" in page and "inga rapporter i enkat ännu" in page
    assert f"/insatser/{insats.slug}/rapporter/ny" in page

    form = html(signed_in.get(f"/insatser/{insats.slug}/rapporter/ny"))
    for name in ("Kvartalsrapport", "Delrapport", "Slutrapport"):
        assert f">{name}</option>" in form
    assert "Helårsrapport" not in form  # the förbund's own
    values = form_values(form)
    assert values["kind"] == "kvartalsrapport"
    assert values["starts_on"].endswith(("-01-01", "-04-01", "-07-01", "-10-01"))

    document_id = create(signed_in, insats)
    listed = html(signed_in.get(f"/insatser/{insats.slug}"))
    assert page_of(insats, document_id) in listed
    assert "2025-01-01 – 2025-03-31" in listed and "Utkast" in listed


def test_the_writing_page_shows_every_section_in_order(signed_in, insats):
    with_goal(insats)
    document_id = create(signed_in, insats)
    page = html(signed_in.get(page_of(insats, document_id)))
    headings = ["Allmänna uppgifter", "Aktiviteter", "Deltagare under kvartalet",
                "Avvikelser från planering och åtgärder", "Brukarmedverkan", "Mål och delmål",
                "Sammanfattande bedömning", "Styrgruppens analys", "Uppgiftslämnare"]
    positions = [page.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert 'data-section="aktiviteter"' in page
    assert "Citera antal ur enkat" in page  # the guidance as a hint
    assert "Kommentar till målet ”Minst 40 % till arbete eller studier”" in page
    assert "Infoga nyckeltal" in page
    assert "documents.js" in page


@pytest.mark.parametrize(("period", "message"), [
    ({"starts_on": "2025-03-31", "ends_on": "2025-01-01"}, "före den börjar"),
    ({"starts_on": "i våras"}, "Skriv datumet som år-månad-dag"),
    ({"ends_on": " "}, "Skriv datumet som år-månad-dag"),
])
def test_a_bad_period_is_refused_in_swedish_and_nothing_is_made(signed_in, insats, period,
                                                                message):
    response = signed_in.post(f"/insatser/{insats.slug}/rapporter/ny",
                              data={"kind": "kvartalsrapport", **PERIOD, **period})
    assert response.status_code == 422
    assert message in html(response)
    assert db.session.scalar(select(func.count()).select_from(ReportDocument)) == 0


# --- writing ------------------------------------------------------------------------------


def test_the_script_saves_a_section_with_its_revision(signed_in, insats):
    document_id = create(signed_in, insats)
    first = autosave(signed_in, insats, document_id, "aktiviteter", "Vi har träffats.", 0)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert re.fullmatch(r"\d\d:\d\d", first.json["saved_at"])
    second = autosave(signed_in, insats, document_id, "aktiviteter",
                      "Vi har träffats varje vecka.", first.json["revision"])
    assert second.status_code == 200
    assert stored_texts(document_id)["aktiviteter"] == ("Vi har träffats varje vecka.",
                                                        second.json["revision"])


def test_a_save_on_an_old_revision_gets_the_stored_text_and_overwrites_nothing(
        app, signed_in, insats, make_user):
    document_id = create(signed_in, insats)
    colleague = make_user(Role.STAFF)
    add_staff(colleague, insats)
    other = another_browser(app)
    sign_in(other, colleague.email)
    saved = autosave(other, insats, document_id, "aktiviteter", "Kollegans text.", 0)
    assert saved.status_code == 200

    stale = autosave(signed_in, insats, document_id, "aktiviteter", "Min text.", 0)
    assert stale.status_code == 409
    assert stale.json["stale"] is True and stale.json["text"] == "Kollegans text."
    assert stale.json["revision"] == saved.json["revision"]
    assert stored_texts(document_id)["aktiviteter"][0] == "Kollegans text."
    # choosing "Behåll min text" saves on the stored revision
    kept = autosave(signed_in, insats, document_id, "aktiviteter", "Min text.",
                    stale.json["revision"])
    assert kept.status_code == 200
    assert stored_texts(document_id)["aktiviteter"][0] == "Min text."


def test_the_script_saves_a_goal_comment_with_its_revision(signed_in, insats):
    with_goal(insats)
    document_id = create(signed_in, insats)
    page = html(signed_in.get(page_of(insats, document_id)))
    assert 'data-section="goal-0"' in page and 'data-revision-of="goal-0"' in page
    assert 'id="goals-0-comment-status"' in page
    goal_area = re.search(r'<textarea[^>]*data-section="goal-0"[^>]*>', page).group(0)
    assert "data-markers" not in goal_area and 'data-markers=""' in page  # no Infoga there
    first = autosave(signed_in, insats, document_id, "goal-0", "Prognosen ser god ut.", 0)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert stored_texts(document_id)["goal-0"] == ("Prognosen ser god ut.", 1)
    again = html(signed_in.get(page_of(insats, document_id)))
    assert 'name="goals-0-revision" value="1"' in again
    # a save written on an old revision overwrites nothing
    stale = autosave(signed_in, insats, document_id, "goal-0", "Min kommentar.", 0)
    assert stale.status_code == 409 and stale.json["text"] == "Prognosen ser god ut."
    assert autosave(signed_in, insats, document_id, "goal-1", "Inget mål.", 0).status_code == 400
    assert set(stored_texts(document_id)) == {"goal-0"}


def test_the_script_cannot_write_a_data_section(signed_in, insats):
    document_id = create(signed_in, insats)
    response = autosave(signed_in, insats, document_id, "deltagare", "Påhittat.", 0)
    assert response.status_code == 400
    assert "hör inte till rapporten" in response.json["message"]
    assert stored_texts(document_id) == {}


def test_spara_without_javascript_saves_every_section(signed_in, insats):
    with_goal(insats)
    document_id = create(signed_in, insats)
    page = html(signed_in.get(page_of(insats, document_id)))
    values = form_values(page)
    fields = {values[name]: name.removesuffix("-key") for name in values
              if name.startswith("texts-") and name.endswith("-key")}
    values[f"{fields['aktiviteter']}-text"] = "Aktiviteter utan skript."
    values[f"{fields['bedomning']}-text"] = "Det gick bra."
    values["goals-0-comment"] = "Prognosen ser god ut."
    response = signed_in.post(page_of(insats, document_id), data=values)
    assert response.status_code == 303, html(response)
    texts = stored_texts(document_id)
    assert texts["aktiviteter"][0] == "Aktiviteter utan skript."
    assert texts["bedomning"][0] == "Det gick bra."
    assert texts["goal-0"][0] == "Prognosen ser god ut."
    again = html(signed_in.get(page_of(insats, document_id)))
    assert "Rapporten är sparad." in again and "Aktiviteter utan skript." in again


def test_spara_on_a_section_saved_in_between_shows_both_texts_and_saves_nothing(
        signed_in, insats):
    document_id = create(signed_in, insats)
    values = form_values(html(signed_in.get(page_of(insats, document_id))))
    key = next(name.removesuffix("-key") for name in values
               if name.endswith("-key") and values[name] == "aktiviteter")
    autosave(signed_in, insats, document_id, "aktiviteter", "Sparat under tiden.", 0)
    values[f"{key}-text"] = "Skrivet utan skript."
    response = signed_in.post(page_of(insats, document_id), data=values)
    page = html(response)
    assert response.status_code == 409
    assert "Någon annan har sparat medan du skrev" in page
    assert "Sparat under tiden." in page and "Skrivet utan skript." in page
    assert stored_texts(document_id)["aktiviteter"][0] == "Sparat under tiden."
    # "Spara" again keeps the writer's text, knowingly
    again = form_values(page)
    assert signed_in.post(page_of(insats, document_id), data=again).status_code == 303
    assert stored_texts(document_id)["aktiviteter"][0] == "Skrivet utan skript."


def test_the_figures_of_the_ekonomisk_rapport_are_saved_and_summed(signed_in, insats):
    document_id = create(signed_in, insats, kind="delrapport")
    values = form_values(html(signed_in.get(page_of(insats, document_id))))
    rows = sorted({name.rsplit("-", 1)[0] for name in values if name.startswith("figures-")})
    assert rows, "the delrapport has an ekonomisk rapport"
    values[f"{rows[0]}-budget"] = "120 000"
    values[f"{rows[0]}-utfall"] = "100000"
    values[f"{rows[1]}-budget"] = "30 000"
    response = signed_in.post(page_of(insats, document_id), data=values)
    assert response.status_code == 303, html(response)
    figures = {(figure.budget, figure.utfall) for figure in document(document_id).figures}
    assert {(120000, 100000), (30000, None)} <= figures
    page = html(signed_in.get(page_of(insats, document_id)))
    assert "150\u00a0000" in page  # the Summa
    section = re.search(r'<section[^>]*"section-{}">.*?</section>'.format(
        values[f"{rows[0]}-section"]), page, re.S).group(0)
    assert section.count("<table") == 1, "the writing page shows the figures as a form only"
    assert re.search(r'<div class="report" tabindex="0" role="region" aria-label="[^"]+">\s*'
                     r'<table class="figures">', section), "a phone scrolls it, in its region"


def test_a_refused_save_does_not_add_up_the_refused_figures(signed_in, insats):
    document_id = create(signed_in, insats, kind="delrapport")
    values = form_values(html(signed_in.get(page_of(insats, document_id))))
    rows = sorted({name.rsplit("-", 1)[0] for name in values if name.startswith("figures-")})
    values[f"{rows[0]}-budget"] = "120 000"
    assert signed_in.post(page_of(insats, document_id), data=values).status_code == 303
    values[f"{rows[0]}-budget"] = "900 000"
    values[f"{rows[1]}-budget"] = "mycket"
    response = signed_in.post(page_of(insats, document_id), data=values)
    assert response.status_code == 422
    total = re.search(r'<tr class="total">.*?</tr>', html(response), re.S).group(0)
    assert "120\u00a0000" in total and "900" not in total


def test_a_bad_amount_is_refused_at_its_row_and_nothing_is_saved(signed_in, insats):
    document_id = create(signed_in, insats, kind="delrapport")
    values = form_values(html(signed_in.get(page_of(insats, document_id))))
    row = sorted({name.rsplit("-", 1)[0] for name in values if name.startswith("figures-")})[0]
    key = next(name.removesuffix("-key") for name in values
               if name.endswith("-key") and name.startswith("texts-"))
    values[f"{key}-text"] = "Ska inte sparas."
    values[f"{row}-budget"] = "mycket"
    response = signed_in.post(page_of(insats, document_id), data=values)
    assert response.status_code == 422
    assert "i hela kronor" in html(response)
    assert "Ska inte sparas." in html(response)  # still in the field
    assert stored_texts(document_id) == {}
    assert all(figure.budget is None for figure in document(document_id).figures)


def test_each_refused_amount_names_its_row_and_column_once(signed_in, insats):
    document_id = create(signed_in, insats, kind="delrapport")
    values = form_values(html(signed_in.get(page_of(insats, document_id))))
    rows = sorted({name.rsplit("-", 1)[0] for name in values if name.startswith("figures-")})
    page = html(signed_in.get(page_of(insats, document_id)))
    labels = [re.search(r'id="row-[^"]*-{}">([^<]+)<'.format(values[f"{row}-row"]),
                        page).group(1) for row in rows[:2]]
    values[f"{rows[0]}-budget"] = "mycket"
    values[f"{rows[0]}-utfall"] = "-500"
    values[f"{rows[1]}-budget"] = "mycket"
    response = signed_in.post(page_of(insats, document_id), data=values)
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', html(response), re.S).group(0)
    messages = re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary)
    assert messages == [
        f"{labels[0]}, budget: skriv beloppet i hela kronor, till exempel 12 000.",
        f"{labels[0]}, utfall: beloppet får inte vara negativt.",
        f"{labels[1]}, budget: skriv beloppet i hela kronor, till exempel 12 000."]
    assert all(figure.budget is None for figure in document(document_id).figures)


def test_the_history_says_when_a_repeated_step_was_last_taken(signed_in, insats):
    document_id = create(signed_in, insats)
    autosave(signed_in, insats, document_id, "aktiviteter", "Vi har träffats.", 0)
    autosave(signed_in, insats, document_id, "bedomning", "Det gick bra.", 0)
    page = html(signed_in.get(page_of(insats, document_id)))
    assert re.search(r"\(2 gånger, senast \d{4}-\d\d-\d\d \d\d:\d\d\)", page), page
    assert "senast då" not in page


def test_spara_on_a_goal_comment_saved_in_between_shows_both_and_saves_nothing(signed_in,
                                                                               insats):
    with_goal(insats)
    document_id = create(signed_in, insats)
    values = form_values(html(signed_in.get(page_of(insats, document_id))))
    autosave(signed_in, insats, document_id, "goal-0", "Sparat under tiden.", 0)
    values["goals-0-comment"] = "Skrivet utan skript."
    response = signed_in.post(page_of(insats, document_id), data=values)
    assert response.status_code == 409
    assert "Sparat under tiden." in html(response) and "Skrivet utan skript." in html(response)
    assert stored_texts(document_id)["goal-0"][0] == "Sparat under tiden."
    assert signed_in.post(page_of(insats, document_id),
                          data=form_values(html(response))).status_code == 303
    assert stored_texts(document_id)["goal-0"][0] == "Skrivet utan skript."


# --- sending and after ----------------------------------------------------------------------


def test_sending_says_what_happens_then_freezes_the_report(signed_in, insats):
    document_id = create(signed_in, insats)
    autosave(signed_in, insats, document_id, "aktiviteter", "Klart.", 0)
    confirm = html(signed_in.get(f"{page_of(insats, document_id)}/skicka"))
    assert "Siffrorna låses som de är nu" in confirm
    assert f"<h1>Skicka kvartalsrapport för {insats.name}</h1>" in confirm  # name as written
    assert "Brukarmedverkan" in confirm  # still empty, said before sending
    response = send(signed_in, insats, document_id)
    assert response.status_code == 303
    sent = document(document_id)
    assert sent.status == "sent" and sent.snapshot_at is not None
    page = html(signed_in.get(page_of(insats, document_id)))
    assert "Skickad till förbundet" in page and "<textarea" not in page
    assert "Siffrorna är låsta som de såg ut när den skickades." in page
    assert "Klart." in page

    locked = autosave(signed_in, insats, document_id, "aktiviteter", "Ändrat.", 1)
    assert locked.status_code == 423
    assert "kan inte ändras" in locked.json["message"]
    again = send(signed_in, insats, document_id)
    assert again.status_code == 409 and "skickad" in html(again)
    assert stored_texts(document_id)["aktiviteter"][0] == "Klart."


def test_a_new_version_starts_from_the_sent_one(signed_in, insats):
    document_id = create(signed_in, insats)
    autosave(signed_in, insats, document_id, "aktiviteter", "Version ett.", 0)
    send(signed_in, insats, document_id)
    assert "Gör en ny version" in html(signed_in.get(page_of(insats, document_id)))
    response = signed_in.post(f"{page_of(insats, document_id)}/ny-version")
    assert response.status_code == 303
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new_id != document_id and document(new_id).version == 2
    assert "Version ett." in html(signed_in.get(page_of(insats, new_id)))
    assert document(document_id).status == "sent"


def test_the_downloads_open_and_are_audited(signed_in, insats, jobs):
    """Built on the worker: each asked for, built by the queue's job, then fetched."""
    document_id = create(signed_in, insats)
    autosave(signed_in, insats, document_id, "aktiviteter", "Text i Word.", 0)
    word = fetched(signed_in, jobs, f"{page_of(insats, document_id)}.docx")
    assert word.status_code == 200
    assert word.headers["Content-Disposition"] == (
        'attachment; filename="kvartalsrapport-steget-2025-01-01-2025-03-31-v1.docx"')
    docx = pytest.importorskip("docx")
    opened = docx.Document(io.BytesIO(word.get_data()))
    assert any("Text i Word." in paragraph.text for paragraph in opened.paragraphs)
    pdf = fetched(signed_in, jobs, f"{page_of(insats, document_id)}.pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")
    downloads = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == Action.DOWNLOAD)).all()
    assert {event.subject for event in downloads} == {
        "kvartalsrapport-steget-2025-01-01-2025-03-31-v1.docx",
        "kvartalsrapport-steget-2025-01-01-2025-03-31-v1.pdf"}
    assert signed_in.get(f"{page_of(insats, document_id)}.xlsx").status_code == 404


def test_a_download_waits_on_its_own_page_for_the_one_who_asked(app, signed_in, insats, jobs,
                                                                 make_user):
    document_id = create(signed_in, insats)
    asked = signed_in.get(f"{page_of(insats, document_id)}.pdf")
    assert asked.status_code == 303
    waiting = asked.headers["Location"]
    assert re.fullmatch(r"/filer/\d+", waiting)
    page = html(signed_in.get(waiting))
    assert "Filen förbereds" in page and 'http-equiv="refresh"' in page
    assert f'<a href="{page_of(insats, document_id)}">Tillbaka till rapporten</a>' in page
    colleague = make_user(Role.STAFF)
    add_staff(colleague, insats)
    db.session.commit()
    browser = another_browser(app)
    sign_in(browser, colleague.email)
    assert browser.get(waiting).status_code == 404  # asked for by someone else
    assert jobs.run_pending() == 1
    assert "Filen är klar" in html(signed_in.get(waiting))
    assert browser.get(f"{waiting}/hamta").status_code == 404


# --- who may -------------------------------------------------------------------------------


def test_personal_of_another_insats_get_nothing(app, signed_in, insats, make_insats, make_user):
    document_id = create(signed_in, insats)
    other_insats = make_insats("annan", name="Annan insats")
    stranger = make_user(Role.STAFF)
    add_staff(stranger, other_insats)
    db.session.commit()
    browser = another_browser(app)
    sign_in(browser, stranger.email)
    for path in (page_of(insats, document_id), f"{page_of(insats, document_id)}.docx"):
        assert browser.get(path).status_code == 404
    assert autosave(browser, insats, document_id, "aktiviteter", "Intrång.", 0).status_code == 404
    assert browser.get(page_of(other_insats, document_id)).status_code == 404
    assert browser.post(f"/insatser/{insats.slug}/rapporter/ny",
                        data={"kind": "kvartalsrapport", **PERIOD}).status_code == 404
    assert stored_texts(document_id) == {}


def test_an_analyst_reads_but_does_not_write(app, signed_in, insats, make_user):
    document_id = create(signed_in, insats)
    analyst = make_user(Role.ANALYST)
    db.session.commit()
    browser = another_browser(app)
    sign_in(browser, analyst.email)
    page = html(browser.get(page_of(insats, document_id)))
    assert "<textarea" not in page and "Kvartalsrapport för Steget vidare" in page
    assert autosave(browser, insats, document_id, "aktiviteter", "Nej.", 0).status_code == 403
    assert send(browser, insats, document_id).status_code == 403
    assert document(document_id).status == "draft"


def test_spara_naming_a_data_section_is_refused_in_swedish_and_nothing_is_saved(signed_in,
                                                                               insats):
    document_id = create(signed_in, insats)
    values = form_values(html(signed_in.get(page_of(insats, document_id))))
    values["texts-0-text"] = "Ska inte sparas."
    values["texts-1-key"], values["texts-1-text"] = "deltagare", "Påhittade siffror."
    response = signed_in.post(page_of(insats, document_id), data=values)
    assert response.status_code == 422
    assert "fylls av enkat; det skrivs inte" in html(response)
    assert stored_texts(document_id) == {}
