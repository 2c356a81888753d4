"""/forbund/instrument: the förbund's instruments, uploading one, previewing it as a
deltagare would see it (saving nothing), publishing it; every kind of bad file; who may."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from enkat.extensions import db
from enkat.models import AuditEvent, InstrumentVersion, Invitation, Response, Role
from enkat.services.answering.invitations import create_invitation
from enkat.services.instruments.uploads import (
    MAX_UPLOAD_BYTES,
    publish_instrument,
    upload_instrument,
)
from enkat.services.instruments.versions import UnknownInstrument, resolve_instrument
from enkat.services.people.users import create_user, grant_role
from tests.integration.services.instruments.test_uploads import instrument_data, instrument_text
from tests.swedish import english_words
from tests.unit.instruments.test_instrument_broken import BROKEN_FILES, EXPECTED

from .test_auth import sign_in

LIST = "/forbund/instrument"
DETAIL = "/forbund/instrument/kursutvardering/1"
PREVIEW = DETAIL + "/forhandsvisning"
PUBLISH = DETAIL + "/publicera"


def upload(client, content: bytes | None, filename: str = "kursutvardering.json"):
    """Post a file as a browser does. The body is encoded here, in memory: the test
    client would spool a large one to a temporary file and leave it open."""
    data = {} if content is None else {"file": FileStorage(io.BytesIO(content), filename)}
    boundary, body = encode_multipart(data)
    return client.post(LIST, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def stored_versions() -> int:
    return db.session.scalar(select(func.count()).select_from(InstrumentVersion))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def preview_links(page: str) -> list[str]:
    """The links of the list of steps on a version's page."""
    steps = page[page.index('<ol class="preview-steps">'):]
    return re.findall(r'href="(/forbund/instrument/[^"]+/forhandsvisning/[^"?]+)"',
                      steps[:steps.index("</ol>")])


@pytest.fixture
def preview_row(forbund, make_user):
    row = upload_instrument(forbund, make_user(Role.ADMIN), instrument_text())
    db.session.commit()  # kept when a refused request rolls back
    return row


# --- the whole way: upload, preview, publish, use -----------------------------------------


def test_upload_preview_every_step_publish_and_use_it(client, signed_in_admin, forbund, insats):
    response = upload(client, instrument_text().encode())
    assert response.status_code == 303
    assert response.headers["Location"] == DETAIL
    page = client.get(DETAIL).get_data(as_text=True)
    assert "kursutvardering version 1 är uppladdad som förhandsversion" in page
    assert "Förhandsversion: inte publicerad" in page
    assert "Publicera version 1" in page
    with pytest.raises(UnknownInstrument):
        create_invitation(insats, "kursutvardering", "avslut")

    steps = preview_links(page)
    assert [link.rsplit("/", 1)[1] for link in steps] == ["nytta", "rekommendera", "varfor-inte"]
    texts = ["Hade du nytta av dagen?", "Skulle du rekommendera dagen?", "Vad skulle bli bättre?"]
    for link, text in zip(steps, texts, strict=True):
        step = client.get(link)
        assert step.status_code == 200
        shown = step.get_data(as_text=True)
        assert "Förhandsvisning – inget sparas." in shown and text in shown
    assert "Tack för att du svarar!" in client.get(steps[0]).get_data(as_text=True)

    asked = client.get(PUBLISH).get_data(as_text=True)
    assert "Publicera Utvärdering av utbildningsdag, version 1?" in asked
    assert "När den är publicerad kan den inte ändras." in asked
    assert "Ja, publicera version 1" in asked
    assert actions()[-1] == "instrument-uploaded"  # asking publishes nothing
    with pytest.raises(UnknownInstrument):
        create_invitation(insats, "kursutvardering", "avslut")
    published = client.post(PUBLISH)
    assert published.status_code == 303 and published.headers["Location"] == DETAIL
    assert "kursutvardering version 1 är publicerad" in client.get(DETAIL).get_data(as_text=True)
    assert actions()[-2:] == ["instrument-uploaded", "instrument-published"]
    assert resolve_instrument("kursutvardering").version == 1
    invitation, _ = create_invitation(insats, "kursutvardering", "avslut")
    row = db.session.scalars(select(InstrumentVersion).filter_by(
        instrument_id="kursutvardering")).one()
    assert invitation.instrument_version_id == row.id and row.published_at is not None


def test_the_list_shows_bundled_and_own_instruments_with_versions_and_status(
    client, signed_in_admin, forbund
):
    publish_instrument(upload_instrument(forbund, signed_in_admin, instrument_text()),
                       signed_in_admin)
    upload_instrument(forbund, signed_in_admin, instrument_text(version=2))
    page = client.get(LIST).get_data(as_text=True)
    own = page[page.index("Förbundets egna instrument</h2>"):page.index("Instrument som följer")]
    assert "Utvärdering av utbildningsdag" in own and "kursutvardering" in own
    assert "Förhandsversion, inte publicerad" in own
    assert re.search(r"Publicerad \d{4}-\d\d-\d\d, används", own)
    bundled = page[page.index("Instrument som följer med enkat</h2>"):]
    assert "/forbund/instrument/ors/1" in bundled and "Används" in bundled
    assert 'type="file"' in page and '<label for="file">' in page


def test_a_step_previews_in_each_language_of_the_instrument(client, signed_in_admin, preview_row):
    page = client.get(PREVIEW + "/nytta?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "Was the day useful?" in page and ">Next<" in page
    assert '<div class="bar" lang="sv" dir="ltr">' in page
    assert f'href="{PREVIEW}/rekommendera?lang=en"' in page  # the language stays on
    assert f'href="{PREVIEW}/nytta"' in page  # Svenska
    assert "hreflang=\"ar\"" not in page  # the instrument has no Arabic
    swedish = client.get(PREVIEW + "/nytta?lang=so").get_data(as_text=True)
    assert "Hade du nytta av dagen?" in swedish  # a language it lacks: Swedish


def test_the_preview_checks_answers_as_for_a_deltagare_and_saves_nothing(
    client, signed_in_admin, preview_row
):
    unanswered = client.post(PREVIEW + "/nytta", data={"go_to": "next"})
    assert unanswered.status_code == 422
    assert "Svara på frågan för att gå vidare." in unanswered.get_data(as_text=True)
    answered = client.post(PREVIEW + "/nytta", data={"go_to": "next", "answer-nytta": "2"})
    assert answered.status_code == 303
    assert answered.headers["Location"] == PREVIEW + "/rekommendera"
    back = client.post(PREVIEW + "/rekommendera?lang=en", data={"go_to": "back"})
    assert back.headers["Location"] == PREVIEW + "/nytta?lang=en"
    last = client.post(PREVIEW + "/varfor-inte", data={"go_to": "next"})
    assert last.status_code == 303 and last.headers["Location"] == DETAIL
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_step_asked_only_sometimes_says_when(client, signed_in_admin, preview_row):
    page = client.get(PREVIEW + "/varfor-inte").get_data(as_text=True)
    assert "Visas bara när svaret på ”Skulle du rekommendera dagen?” är Nej." in page
    detail = client.get(DETAIL).get_data(as_text=True)
    assert "Visas bara när svaret på ”Skulle du rekommendera dagen?” är Nej." in detail


def test_a_bundled_instrument_is_shown_and_previewed_but_not_published(client, signed_in_admin):
    page = client.get("/forbund/instrument/ors/1").get_data(as_text=True)
    assert "Följer med enkat" in page and "Publicera" not in page
    first = preview_links(page)[0]
    assert client.get(first).status_code == 200
    assert client.post("/forbund/instrument/ors/1/publicera").status_code == 404


def test_publishing_below_a_published_version_is_refused(client, signed_in_admin, forbund,
                                                         preview_row):
    publish_instrument(upload_instrument(forbund, signed_in_admin, instrument_text(version=2)),
                       signed_in_admin)
    db.session.commit()
    page = client.get(DETAIL).get_data(as_text=True)
    assert "Version 2 är redan publicerad" in page and "Publicera version 1" not in page
    refused = client.post(PUBLISH)
    assert refused.status_code == 422
    assert "Version 2 av kursutvardering är redan publicerad" in refused.get_data(as_text=True)
    assert preview_row.published_at is None


@pytest.mark.parametrize("address", [
    "/forbund/instrument/kursutvardering/9",
    "/forbund/instrument/finns-inte/1",
    PREVIEW + "/finns-inte",
])
def test_unknown_versions_and_steps_are_404(client, signed_in_admin, preview_row, address):
    assert client.get(address).status_code == 404


# --- bad files: 422, the reason on the page, nothing kept ---------------------------------


def _broken_json() -> bytes:
    return instrument_text().replace('"version": 1,', '"version": 1').encode()


def _schema_violation() -> bytes:
    data = instrument_data()
    data["items"][1]["type"] = "choice"
    return json.dumps(data, indent=2).encode()


BAD_FILES = {
    "not JSON": (_broken_json, [r"Rad 5, kolumn 3",
                                "ogiltig JSON: här förväntades &#39;,&#39;"]),
    "schema": (_schema_violation, [r"Rad \d+, kolumn \d+", "/items/1/type",
                                   "&#34;choice&#34; är inte en frågetyp"]),
    "not UTF-8": (lambda: instrument_text().encode().replace(b"Tack", b"T\xe4ck"),
                  ["Filen är inte UTF-8-text", "Rad 46, kolumn 17"]),  # ä in Latin-1
    "too large": (lambda: b" " * MAX_UPLOAD_BYTES + instrument_text().encode(),
                  ["Filen är för stor. En instrumentfil får vara högst 1 MB."]),
    "bundled id": (lambda: instrument_text(id="ors", version=9).encode(),
                   ["id &#34;ors&#34; används redan av ett instrument som följer med enkat"]),
    "empty": (lambda: b"", ["Filen är tom."]),
    "blank": (lambda: b" \n ", ["Filen är tom."]),
    "no file": (lambda: None, ["Välj en instrumentfil att ladda upp."]),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_kept(client, signed_in_admin, kind):
    make, expected = BAD_FILES[kind]
    before = stored_versions()
    response = upload(client, make())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for pattern in expected:
        assert re.search(pattern, page), (pattern, page)
    assert stored_versions() == before
    assert "instrument-uploaded" not in actions()


def test_another_forbunds_id_is_refused(client, signed_in_admin, make_forbund):
    upload_instrument(make_forbund("grannen"), None, instrument_text())
    db.session.commit()
    response = upload(client, instrument_text(version=2).encode())
    assert response.status_code == 422
    assert "används redan av ett annat samordningsförbund" in response.get_data(as_text=True)
    assert stored_versions() == 1


def test_a_version_not_above_the_published_one_is_refused(client, signed_in_admin, forbund):
    publish_instrument(upload_instrument(forbund, signed_in_admin, instrument_text()),
                       signed_in_admin)
    db.session.commit()
    response = upload(client, instrument_text(title="Ny titel").encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "version 1 är inte högre än den publicerade versionen 1: höj" in page
    assert re.search(r"Rad 4, kolumn 14</strong> <code>/version</code>", page)
    assert resolve_instrument("kursutvardering").title.get() == "Utvärdering av utbildningsdag"


def test_an_unpublished_preview_is_replaced_by_a_new_upload(client, signed_in_admin, preview_row):
    response = upload(client, instrument_text(title="Ny titel").encode())
    assert response.status_code == 303
    assert stored_versions() == 1
    assert json.loads(preview_row.definition)["title"] == "Ny titel"


# --- who may ------------------------------------------------------------------------------


def test_staff_may_not_see_instruments(client, make_user, preview_row):
    sign_in(client, make_user(Role.STAFF).email)
    for address in (LIST, DETAIL, PREVIEW + "/nytta"):
        assert client.get(address).status_code == 403
    assert upload(client, instrument_text(version=2).encode()).status_code == 403
    assert client.post(PUBLISH).status_code == 403


def test_an_analyst_looks_but_neither_uploads_nor_publishes(client, make_user, preview_row):
    sign_in(client, make_user(Role.ANALYST).email)
    listing = client.get(LIST)
    assert listing.status_code == 200 and 'type="file"' not in listing.get_data(as_text=True)
    detail = client.get(DETAIL)
    assert detail.status_code == 200 and "Publicera" not in detail.get_data(as_text=True)
    assert client.get(PREVIEW + "/nytta").status_code == 200
    assert upload(client, instrument_text(version=2).encode()).status_code == 403
    assert client.post(PUBLISH).status_code == 403
    assert stored_versions() == 1 and preview_row.published_at is None


def test_a_visitor_is_sent_to_sign_in(client, preview_row):
    for response in (client.get(LIST), client.get(DETAIL), upload(client, b"{}"),
                     client.post(PUBLISH)):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_another_forbunds_instrument_is_404(client, make_forbund, preview_row):
    other = make_forbund("grannen")
    neighbour = create_user("granne@example.org", "lösenord-123", "Granne")
    grant_role(neighbour, other, Role.ADMIN)
    sign_in(client, neighbour.email)
    for address in (DETAIL, PREVIEW + "/nytta"):
        assert client.get(address).status_code == 404
    assert client.post(PUBLISH).status_code == 404
    assert "kursutvardering" not in client.get(LIST).get_data(as_text=True)
    assert preview_row.published_at is None
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_preview_leaves_the_conditions_of_the_deltagare_answering_after_it(
        client, signed_in_admin, insats):
    """The preview shows every item; a deltagare answering afterwards in the same process
    still gets only the items the answers ask for (the preview's steps, of an instrument
    equal to the published one, once reached the deltagare through the steps' cache)."""
    upload(client, instrument_text().encode())
    assert len(preview_links(client.get(DETAIL).get_data(as_text=True))) == 3
    client.post(PUBLISH)
    _, token = create_invitation(insats, "kursutvardering", "avslut")
    db.session.commit()
    for key, value in (("nytta", "2"), ("rekommendera", "ja")):
        sent = client.post(f"/s/{token}/fraga/{key}",
                           data={f"answer-{key}": value, "go_to": "next"})
    assert sent.headers["Location"] == f"/s/{token}/granska"  # "Vad skulle bli bättre?" not asked


# --- a broken definition: every problem on the page, in Swedish ---------------------------


def _problem_items(page: str) -> list[str]:
    """The problems the upload page lists, as the administrator reads them."""
    summary = page[page.index('class="error-summary upload-problems"'):]
    summary = summary[:summary.index("</ul>")]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li>(.*?)</li>", summary, re.DOTALL)]


def _as_listed(expected: str) -> str:
    """An expected line of the corpus as the page ends it: "/pointer: message", and a
    JSON syntax problem with its line and column first ("Rad 5, kolumn 3: ogiltig JSON: …")."""
    said = expected.split(" ", 1)[1] if " /" in expected.split(":", 1)[0] else expected
    found = re.search(r"ogiltig JSON på rad (\d+), kolumn (\d+): (.*)", said)
    if found:
        line, column, words = found.groups()
        return f"Rad {line}, kolumn {column}: ogiltig JSON: {words}"
    return said.split(": ", 1)[1] if said.startswith("broken/") else said


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda path: path.stem)
def test_a_broken_definition_is_refused_with_every_problem_in_swedish(client, signed_in_admin,
                                                                    path):
    """What `enkat instruments check` says of each file of the broken corpus, the upload
    page says too, at its place, and in Swedish words only."""
    response = upload(client, path.read_bytes(), path.name)

    assert response.status_code == 422
    listed = _problem_items(response.get_data(as_text=True))
    for problem in listed:  # the words after the place; the JSON pointer names keys
        assert english_words(problem.split(": ", 1)[1]) == [], problem
    if path.name == "not-utf8.json":  # the page says how to save the file instead
        assert listed[0].startswith("Rad 6, kolumn") and "UTF-8" in listed[0]
        return
    expected = EXPECTED[f"broken/{path.name}"]
    assert len(listed) == len(expected)
    for problem, line in zip(listed, expected, strict=True):
        assert problem.endswith(_as_listed(line)), (problem, line)
    assert stored_versions() == 0
