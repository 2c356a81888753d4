"""Answering through a personal link: the whole way, resuming, sending once, closed links,
languages and the privacy of the pages. Item rendering is in test_respond_items.py."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from typing import NamedTuple

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from enkat.extensions import db
from enkat.instruments import load_file
from enkat.models import Invitation, Response, utcnow
from enkat.services.answering.invitations import create_invitation
from enkat.services.answering.responses import answers_of
from enkat.services.instruments.versions import register_version

from .browser_form import form_values

NNS_AVSLUT = [f"q{number}" for number in range(1, 11)] + ["kon"]
RESPONDENT_SOURCES = ("enkat/templates/respond/", "enkat/templates/kiosk/", "enkat/web/respond/",
                      "enkat/templates/error.html",
                      "enkat/web/common/answering.py",
                      "enkat/web/common/forms.py")


# --- helpers (test_respond_items.py uses them too) ----------------------------------------


def make_link(insats, instrument_id="nns-deltagare-avslut", timepoint="avslut", **options):
    """A new personal link; returns its path and its invitation. Committed (a savepoint
    released), so that a refused request, which rolls back, keeps it as a real one would."""
    invitation, token = create_invitation(insats, instrument_id, timepoint, **options)
    db.session.commit()
    return f"/s/{token}", invitation


def post_step(client, link, key, value=None, go_to="next", **fields):
    data = {"go_to": go_to, **fields}
    if value is not None:
        data[f"answer-{key}"] = value
    return client.post(f"{link}/fraga/{key}", data=data)


def html(response) -> str:
    return response.get_data(as_text=True)


def stored(invitation) -> Response | None:
    db.session.expire_all()
    return db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))


class Element(NamedTuple):
    tag: str
    attrs: dict
    ancestors: tuple[str, ...]


class _Elements(HTMLParser):
    VOID = {"input", "meta", "link", "br", "img", "hr", "source", "area", "base", "col", "wbr"}

    def __init__(self, page: str):
        super().__init__()
        self.open: list[str] = []
        self.found: list[Element] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.found.append(Element(tag, dict(attrs), tuple(self.open)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


def elements(page: str, tag: str | None = None) -> list[Element]:
    return [element for element in _Elements(page).found if tag in (None, element.tag)]


def links_in(page: str) -> list[str]:
    return [element.attrs["href"] for element in elements(page, "a")]


# --- fixtures -----------------------------------------------------------------------------


def register_alla_typer(repo_root):
    """The test instrument with every item type and conditions, in use in the database."""
    return register_version(load_file(
        repo_root / "tests" / "unit" / "instruments" / "valid" / "alla-typer.json"
    ))


@pytest.fixture
def alla_typer(db_session, repo_root):
    return register_alla_typer(repo_root)


@pytest.fixture
def deltagare(make_participant):
    return make_participant("ABC123")


@pytest.fixture
def nns(insats):
    return make_link(insats)


# --- the whole way ------------------------------------------------------------------------


def test_a_whole_nns_avslut_survey_in_swedish(client, nns):
    link, invitation = nns
    start = html(client.get(link))
    assert "Steget vidare" in start and "Det tar ungefär 7 minuter." in start
    assert "Du svarar anonymt." in start
    begin = next(href for href in links_in(start) if "/fraga/" in href)
    assert begin == f"{link}/fraga/q1"

    visited = []
    for key in NNS_AVSLUT:
        page = html(client.get(f"{link}/fraga/{key}"))
        assert f"Fråga {len(visited) + 1} av 11" in page
        response = post_step(client, link, key, "kvinna" if key == "kon" else "5")
        assert response.status_code == 303
        visited.append(response.headers["Location"])
    assert visited[-1] == f"{link}/granska"
    assert visited[:-1] == [f"{link}/fraga/{key}" for key in NNS_AVSLUT[1:]]

    review = html(client.get(f"{link}/granska"))
    assert review.count("Till mycket stor del") == 10 and "Kvinna" in review

    sent = client.post(f"{link}/granska")
    assert (sent.status_code, sent.headers["Location"]) == (303, f"{link}/tack")
    thanks = client.get(f"{link}/tack")
    assert thanks.status_code == 200 and "Tack för dina svar!" in html(thanks)

    response = stored(invitation)
    assert response.submitted_at is not None and response.language == "sv"
    assert answers_of(response) == {key: ("kvinna",) if key == "kon" else ("5",)
                                    for key in NNS_AVSLUT}
    assert db.session.get(Invitation, invitation.id).used_at == response.submitted_at


def test_back_saves_the_page_and_goes_to_the_step_before(client, nns):
    link, invitation = nns
    post_step(client, link, "q1", "2")
    back = post_step(client, link, "q2", "3", go_to="back")
    assert back.headers["Location"] == f"{link}/fraga/q1"
    assert answers_of(stored(invitation)) == {"q1": ("2",), "q2": ("3",)}
    assert post_step(client, link, "q1", go_to="back").headers["Location"] == link


def test_the_page_script_saves_without_moving_on(client, nns):
    link, invitation = nns
    assert post_step(client, link, "q1", "4", go_to="save").status_code == 204
    assert answers_of(stored(invitation)) == {"q1": ("4",)}
    assert post_step(client, link, "q1", "9", go_to="save").status_code == 422
    assert answers_of(stored(invitation)) == {"q1": ("4",)}


def test_a_change_from_the_review_returns_to_the_review(client, nns):
    link, _ = nns
    review = html(client.get(f"{link}/granska"))
    change = next(href for href in links_in(review) if "/fraga/q3" in href)
    page = html(client.get(change))
    assert 'name="from_review"' in page and "Till granskningen" in page
    response = post_step(client, link, "q3", "6", from_review="1")
    assert response.headers["Location"] == f"{link}/granska"


# --- resuming and sending once ------------------------------------------------------------


def test_opening_the_link_again_continues_where_the_person_left_off(app, client, nns):
    link, _ = nns
    assert "Börja" in html(client.get(link))
    for key in ("q1", "q2", "q3"):
        post_step(client, link, key, "4")

    later = app.test_client()  # the browser was closed: no cookies
    start = html(later.get(link))
    assert "Fortsätt" in start and "Du fortsätter där du slutade." in start
    assert f"{link}/fraga/q4" in links_in(start)
    assert 'value="4" checked' in html(later.get(f"{link}/fraga/q3"))


def test_sending_twice_makes_one_response(client, nns):
    link, invitation = nns
    post_step(client, link, "q1", "6")
    first, second = client.post(f"{link}/granska"), client.post(f"{link}/granska")
    assert first.headers["Location"] == second.headers["Location"] == f"{link}/tack"
    count = db.session.scalars(
        select(Response.id).where(Response.invitation_id == invitation.id)).all()
    assert len(count) == 1


def test_after_sending_every_page_of_the_link_says_the_answers_have_arrived(client, nns):
    link, _ = nns
    post_step(client, link, "q1", "6")
    client.post(f"{link}/granska")
    for _ in range(2):  # a reload of the thank-you page
        thanks = client.get(f"{link}/tack")
        assert thanks.status_code == 200 and "Svaren är skickade." in html(thanks)
    for page in (link, f"{link}/fraga/q1", f"{link}/granska"):
        response = client.get(page)
        assert response.status_code == 410
        assert "Den här länken har redan använts" in html(response)


def test_the_back_button_after_sending_cannot_change_an_answer(client, nns):
    link, invitation = nns
    post_step(client, link, "q1", "6")
    client.post(f"{link}/granska")
    refused = post_step(client, link, "q1", "1")
    assert refused.status_code == 410 and "kan inte ändras" in html(refused)
    assert answers_of(stored(invitation)) == {"q1": ("6",)}


def test_a_required_question_holds_next_back_does_not(client, insats, deltagare, alla_typer):
    link, invitation = make_link(insats, "alla-typer", "start", participant=deltagare)
    held = post_step(client, link, "q1", "")
    page = html(held)
    assert held.status_code == 422
    assert "Svara på frågan för att gå vidare." in page and 'role="alert"' in page
    assert post_step(client, link, "q1", "", go_to="back").status_code == 303


def test_sending_without_a_required_answer_says_which_question(client, insats, deltagare,
                                                               alla_typer):
    link, invitation = make_link(insats, "alla-typer", "start", participant=deltagare)
    client.get(link)
    refused = client.post(f"{link}/granska")
    page = html(refused)
    assert refused.status_code == 422
    assert "Svara på den här frågan innan du skickar: Får du stöd som är till nytta?" in page
    assert f"{link}/fraga/q1?granska=1" in links_in(page)
    assert stored(invitation) is None  # nothing was saved through the link, so nothing kept


def test_showing_the_pages_of_a_link_writes_nothing(client, insats, deltagare, alla_typer):
    """A mail scanner that follows the link, and its "Börja", leaves no draft behind; the
    first page saved makes the draft."""
    link, invitation = make_link(insats, "alla-typer", "start", participant=deltagare)
    for page in (link, f"{link}/fraga/q1", f"{link}/granska", f"{link}?lang=ar",
                 f"{link}/fraga/q1?lang=en"):
        assert client.get(page).status_code == 200
    assert stored(invitation) is None
    assert post_step(client, link, "q1", "4").status_code == 303
    draft = stored(invitation)
    assert draft.submitted_at is None and draft.language == "en"


# --- links that open nothing --------------------------------------------------------------


def test_an_unknown_link_says_so_with_404(client):
    response = client.get("/s/finns-inte-alls")
    assert response.status_code == 404
    page = html(response)
    assert "Länken fungerar inte" in page and "hela länken" in page


def test_an_expired_link_says_so_with_410(client, insats):
    link, _ = make_link(insats, now=utcnow() - dt.timedelta(days=31))
    for page in (link, f"{link}/fraga/q1", f"{link}/tack"):
        response = client.get(page)
        assert response.status_code == 410 and "Länken gäller inte längre" in html(response)
        assert "Fråga personalen om du vill ha en ny länk." in html(response)  # who handed it out


def test_a_used_link_says_so_with_410_and_nothing_else(client, nns, app):
    link, _ = nns
    post_step(client, link, "q1", "6")
    client.post(f"{link}/granska")
    page = html(app.test_client().get(link))
    assert "Den här länken har redan använts" in page
    assert "Till mycket stor del" not in page and "Helt och hållet" not in page


# --- languages ----------------------------------------------------------------------------


def test_arabic_pages_are_right_to_left_with_arabic_words(client, nns):
    link, invitation = nns
    start = html(client.get(f"{link}?lang=ar"))
    assert '<html lang="ar" dir="rtl">' in start
    assert "ابدأ" in start and "ما رأيك في الدعم" in start
    step = html(client.get(f"{link}/fraga/q1"))  # the session keeps the language
    assert '<html lang="ar" dir="rtl">' in step and "السؤال 1 من 11" in step
    assert "التالي" in step and "لا على الإطلاق" in step
    post_step(client, link, "q1", "4")
    assert stored(invitation).language == "ar"


def test_english_pages(client, nns):
    link, _ = nns
    start = html(client.get(f"{link}?lang=en"))
    assert '<html lang="en" dir="ltr">' in start and "Start" in start
    step = html(client.get(f"{link}/fraga/q1"))
    assert "Question 1 of 11" in step and "Not at all" in step and "Next" in step


def test_a_language_chosen_mid_way_is_the_one_the_response_records(client, nns):
    link, invitation = nns
    client.get(link)
    post_step(client, link, "q1", "4")
    assert stored(invitation).language == "sv"
    client.get(f"{link}/fraga/q2?lang=en")
    assert stored(invitation).language == "en"


def test_a_language_chosen_once_holds_when_the_link_is_opened_again(app, client, nns):
    link, _ = nns
    client.get(f"{link}?lang=ar")
    post_step(client, link, "q1", "4")
    assert '<html lang="ar"' in html(app.test_client().get(link))


def test_switching_language_on_a_question_opened_from_the_review_keeps_the_way_back(
        client, nns):
    """The review's "Ändra" opens a question with ?granska=1; its language links keep
    that, so saving in the new language lands on the review again, not the next question."""
    link, invitation = nns
    for key in NNS_AVSLUT:
        post_step(client, link, key, "kvinna" if key == "kon" else "5")
    review = html(client.get(f"{link}/granska"))
    change = next(href for href in links_in(review) if "/fraga/q3?" in href)
    question = html(client.get(change))
    arabic = next(element.attrs["href"] for element in elements(question, "a")
                  if element.attrs.get("hreflang") == "ar")
    assert arabic == "?granska=1&lang=ar"
    in_arabic = html(client.get(f"{link}/fraga/q3{arabic}"))
    assert '<html lang="ar" dir="rtl">' in in_arabic
    [form] = [element for element in elements(in_arabic, "form")
              if element.attrs.get("method") == "post"]
    saved = client.post(form.attrs.get("action") or f"{link}/fraga/q3",
                        data={**form_values(in_arabic), "answer-q3": "2", "go_to": "next"})
    assert saved.status_code == 303 and saved.headers["Location"] == f"{link}/granska"
    assert answers_of(stored(invitation))["q3"] == ("2",)
    assert stored(invitation).language == "ar"


def test_a_language_link_keeps_the_rest_of_the_query_and_changes_only_the_language(
        client, nns):
    link, _ = nns
    page = html(client.get(f"{link}/fraga/q2?granska=1&lang=en&x=a+b"))
    hrefs = {element.attrs["hreflang"]: element.attrs["href"]
             for element in elements(page, "a") if "hreflang" in element.attrs}
    assert hrefs == {"sv": "?granska=1&x=a+b&lang=sv", "en": "?granska=1&x=a+b&lang=en",
                     "ar": "?granska=1&x=a+b&lang=ar"}


def test_a_text_the_instrument_lacks_falls_back_to_swedish_and_says_so(client, insats):
    link, _ = make_link(insats, "nns-personal", "arlig")
    start = html(client.get(f"{link}?lang=ar"))
    assert '<html lang="ar" dir="rtl">' in start
    assert re.search(r'<h1><span lang="sv" dir="ltr">[^<]+</span></h1>', start)
    choices = [element.attrs["hreflang"] for element in elements(start, "a")
               if "hreflang" in element.attrs]
    assert choices == ["sv", "en"]  # the instrument's languages


def as_tuple(message: str | tuple[str, ...]) -> tuple[str, ...]:
    """A catalogue message or translation, with its plural forms if it has them."""
    return (message,) if isinstance(message, str) else tuple(message)


def msgid(message: str | tuple[str, ...]) -> str:
    return as_tuple(message)[0]


def test_every_respondent_string_is_translated_and_compiled(repo_root):
    with open(repo_root / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    wanted = {msgid(found[2]) for found in extract_from_dir(str(repo_root), method_map, options_map)
              if found[0].startswith(RESPONDENT_SOURCES)}
    for language in ("en", "ar"):
        folder = repo_root / "enkat" / "translations" / language / "LC_MESSAGES"
        with open(folder / "messages.po", "rb") as po:
            catalog = read_po(po)
        translated = {msgid(message.id) for message in catalog
                      if message.id and all(as_tuple(message.string)) and not message.fuzzy}
        assert wanted - translated == set(), language
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        assert (folder / "messages.mo").read_bytes() == compiled.getvalue(), (
            f"{language}: run pybabel compile -d enkat/translations")


# --- privacy and security -----------------------------------------------------------------


def test_respondent_pages_send_no_referrer_and_are_never_stored(client, nns):
    link, _ = nns
    for page in (link, f"{link}/fraga/q1", f"{link}/granska", "/s/okand"):
        response = client.get(page)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_post_without_the_csrf_token_is_refused(app, client, nns, monkeypatch):
    link, invitation = nns
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client.get(f"{link}/fraga/q1")
    refused = post_step(client, link, "q1", "5")
    assert refused.status_code == 400
    assert "Sidan behöver laddas om" in html(refused)
    assert stored(invitation) is None


def test_a_post_with_the_csrf_token_is_saved(app, client, nns, monkeypatch):
    link, invitation = nns
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = html(client.get(f"{link}/fraga/q1"))
    token = next(element.attrs["value"] for element in elements(page, "input")
                 if element.attrs.get("name") == "csrf_token")
    assert post_step(client, link, "q1", "5", csrf_token=token).status_code == 303
    assert answers_of(stored(invitation)) == {"q1": ("5",)}
