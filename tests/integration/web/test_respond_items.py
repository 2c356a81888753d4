"""Every item type on a respondent page: labelled, accepted or refused with a plain
message, display conditions, the visual analogue line without a script, and light pages
with no inline code."""

from __future__ import annotations

import re

import pytest

from enkat.services.answering.responses import answers_of

from .test_respond import (
    elements,
    html,
    links_in,
    make_link,
    post_step,
    register_alla_typer,
    stored,
)

PAGE_WEIGHT_LIMIT = 60 * 1024


@pytest.fixture
def typer(client, insats, make_participant, repo_root):
    """A link to the every-type instrument at the start, opened once."""
    register_alla_typer(repo_root)
    link, invitation = make_link(insats, "alla-typer", "start",
                                 participant=make_participant("ABC123"))
    client.get(link)
    return link, invitation


@pytest.fixture
def ors(client, insats, make_participant):
    link, invitation = make_link(insats, "ors", "session-1",
                                 participant=make_participant("ORS234"))
    client.get(link)
    return link, invitation


def open_every_question(client, link):
    """Answers that make every conditional question of alla-typer asked."""
    for key, value in (("q1", "5"), ("stod", "praktik"), ("arbete", "ja")):
        assert post_step(client, link, key, value, go_to="save").status_code == 204


def unlabelled_fields(page: str) -> list[dict]:
    found = elements(page)
    targets = {element.attrs.get("for") for element in found if element.tag == "label"}
    return [
        element.attrs for element in found
        if element.tag in ("input", "textarea", "select")
        and element.attrs.get("type") != "hidden"
        and element.attrs.get("id") not in targets and "label" not in element.ancestors
    ]


# --- every type, labelled ---------------------------------------------------------------

CHOICE_ITEMS = {"kon": "radio", "q1": "radio", "betyg": "radio", "arbete": "radio",
                "stod": "checkbox"}
ENTRY_ITEMS = {"praktik-plats": 'type="text"', "namn-pa-insats": 'type="text"',
               "timmar": 'inputmode="decimal"', "startdatum": 'type="date"',
               "kommentar": "<textarea"}


@pytest.mark.parametrize("key", sorted(CHOICE_ITEMS))
def test_choices_are_a_fieldset_with_a_legend_and_labelled_rows(client, typer, key):
    link, _ = typer
    open_every_question(client, link)
    page = html(client.get(f"{link}/fraga/{key}"))
    assert re.search(r"<legend><h1 class=\"question-text\">[^<]+</h1></legend>", page)
    inputs = [element for element in elements(page, "input")
              if element.attrs.get("type") == CHOICE_ITEMS[key]]
    assert len(inputs) >= 2
    assert all({"fieldset", "label"} <= set(element.ancestors) for element in inputs)
    assert unlabelled_fields(page) == []


@pytest.mark.parametrize("key", sorted(ENTRY_ITEMS))
def test_fields_have_a_label_and_take_no_autocomplete(client, typer, key):
    link, _ = typer
    open_every_question(client, link)
    page = html(client.get(f"{link}/fraga/{key}"))
    assert f'<h1 class="question-text"><label for="answer-{key}">' in page
    assert ENTRY_ITEMS[key] in page and 'autocomplete="off"' in page
    assert unlabelled_fields(page) == []


def test_an_information_block_is_shown_with_the_question_after_it(client, typer):
    link, _ = typer
    page = html(client.get(f"{link}/fraga/kon"))
    assert "Tack för att du svarar." in page and "Det tar tio minuter." in page
    assert "Fråga 1 av 7" in page and '<progress max="7" value="0"' in page


def test_a_missing_code_is_set_apart_in_the_same_group(client, typer):
    link, _ = typer
    page = html(client.get(f"{link}/fraga/q1"))
    apart = page.index('class="choices choices-apart"')
    assert page.index('value="6"') < apart < page.index('value="0"')
    assert page.count('name="answer-q1"') == 7


def test_help_rules_and_errors_are_tied_to_the_field(client, typer):
    link, _ = typer
    open_every_question(client, link)
    page = html(post_step(client, link, "timmar", "75"))
    field = next(element for element in elements(page, "input")
                 if element.attrs.get("id") == "answer-timmar")
    assert field.attrs["aria-invalid"] == "true"
    assert field.attrs["aria-describedby"] == (
        "answer-timmar-hint answer-timmar-unit answer-timmar-error")
    assert 'id="answer-timmar-unit">timmar<' in page
    summary = next(element for element in elements(page, "div")
                   if element.attrs.get("role") == "alert")
    assert "autofocus" in summary.attrs and summary.attrs["tabindex"] == "-1"
    assert "#answer-timmar" in links_in(page)
    assert "<title>Fel: " in page


# --- accepted and refused ---------------------------------------------------------------

REFUSALS = [
    ("q1", "9", "Välj ett av svaren.", "5", ("5",)),
    ("kon", "okand", "Välj ett av svaren.", "uppgift-saknas", ("uppgift-saknas",)),
    ("stod", ["samtal", "praktik", "studier"], "Välj från 1 till 2 svar.",
     ["samtal", "praktik"], ("samtal", "praktik")),
    ("praktik-plats", "x" * 81, "Svaret är för långt. Skriv högst 80 tecken.",
     " Café Lyktan ", ("Café Lyktan",)),
    ("timmar", "75", "Skriv ett tal från 0 till 60. Du kan skriva högst 1 decimal.",
     "12,5", ("12.5",)),
    ("timmar", "12,25", "Skriv ett tal från 0 till 60. Du kan skriva högst 1 decimal.",
     "60", ("60.0",)),
    ("startdatum", "2025-13-01", "Skriv datumet som år-månad-dag, till exempel 2025-03-14. "
     "Datumet ska vara från 2020-01-01 till 2030-12-31.", "2025-03-14", ("2025-03-14",)),
    ("arbete", "kanske", "Välj ett av svaren.", "nej", ("nej",)),
    ("kommentar", "x" * 4001, "Svaret är för långt. Skriv högst 4000 tecken.",
     "Bra\r\nstöd", ("Bra\nstöd",)),
]


@pytest.mark.parametrize(("key", "refused", "message", "accepted", "saved"), REFUSALS,
                         ids=[f"{row[0]}-{index}" for index, row in enumerate(REFUSALS)])
def test_each_type_refuses_with_a_swedish_message_and_accepts(
        client, typer, key, refused, message, accepted, saved):
    link, invitation = typer
    open_every_question(client, link)
    before = answers_of(stored(invitation)).get(key)

    response = post_step(client, link, key, refused)
    page = html(response)
    assert response.status_code == 422
    assert re.search(rf'id="answer-{key}-error"><span class="visually-hidden">Fel: </span>'
                     rf"{re.escape(message)}</p>", page)
    assert answers_of(stored(invitation)).get(key) == before

    assert post_step(client, link, key, accepted).status_code == 303
    assert answers_of(stored(invitation))[key] == saved


def test_a_refused_page_shows_what_was_typed(client, typer):
    link, _ = typer
    open_every_question(client, link)
    page = html(post_step(client, link, "timmar", "sjuttiofem"))
    assert 'value="sjuttiofem"' in page


# --- conditions ---------------------------------------------------------------------------


def test_questions_hidden_by_earlier_answers_are_skipped(client, typer):
    link, _ = typer
    post_step(client, link, "q1", "2")
    after_stod = post_step(client, link, "stod", "samtal").headers["Location"]
    assert after_stod == f"{link}/fraga/betyg"  # praktik-plats needs stod = praktik
    after_betyg = post_step(client, link, "betyg", "1").headers["Location"]
    assert after_betyg == f"{link}/fraga/startdatum"  # timmar needs q1 4-6; vas is for sessions
    assert client.get(f"{link}/fraga/timmar").headers["Location"] == link

    post_step(client, link, "q1", "6", go_to="save")
    assert post_step(client, link, "betyg", "1").headers["Location"] == f"{link}/fraga/timmar"


def test_the_review_lists_only_the_asked_questions(client, typer):
    link, _ = typer
    post_step(client, link, "q1", "2", go_to="save")
    page = html(client.get(f"{link}/granska"))
    assert "Vilket stöd?" in page and "Hur många timmar i veckan?" not in page
    assert "Individuellt" not in page and page.count("Inget svar") == 6


# --- the visual analogue line without a script ---------------------------------------------


def test_the_line_starts_unset_and_shows_no_numbers(client, ors):
    link, _ = ors
    page = html(client.get(f"{link}/fraga/individuellt"))
    marks = [element for element in elements(page, "input")
             if element.attrs.get("name") == "answer-individuellt"]
    assert [mark.attrs["value"] for mark in marks] == [f"{n}.0" for n in range(11)] + [""]
    assert not any("checked" in mark.attrs for mark in marks)
    assert 'role="radiogroup"' in page and "data-vas" in page
    assert '<span class="visually-hidden">1 av 11: Mycket dåligt</span>' in page
    assert '<span class="visually-hidden">11 av 11: Mycket bra</span>' in page
    assert "Ta bort markeringen" in page
    visible = re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", page)
    body = visible[visible.index("Individuellt"):]
    assert not re.search(r"\d", body.replace("Fråga 1 av 4", ""))


def test_the_line_stores_one_decimal_and_keeps_a_mark_between_positions(client, ors):
    link, invitation = ors
    assert post_step(client, link, "individuellt", "7.0").status_code == 303
    assert answers_of(stored(invitation)) == {"individuellt": ("7.0",)}

    post_step(client, link, "individuellt", "7,3")  # what the slider sends, a comma allowed
    assert answers_of(stored(invitation)) == {"individuellt": ("7.3",)}
    page = html(client.get(f"{link}/fraga/individuellt"))
    assert 'id="answer-individuellt-7" value="7.3" checked' in page

    refused = post_step(client, link, "individuellt", "7.35")
    assert refused.status_code == 422
    assert "Markera en punkt på linjen, eller ta bort markeringen." in html(refused)

    post_step(client, link, "individuellt", "", go_to="back")  # "Ta bort", then back
    assert answers_of(stored(invitation)) == {}


def test_every_line_of_the_ors_is_asked_for_since_the_total_needs_it(client, ors):
    link, invitation = ors
    for key in ("individuellt", "nara-relationer", "allmant"):
        assert post_step(client, link, key, "5").status_code == 303
    skipped = post_step(client, link, "socialt", "")
    assert skipped.status_code == 422
    assert "Svara på frågan för att gå vidare." in html(skipped)
    assert "Du måste svara på den här frågan." in html(client.get(f"{link}/fraga/socialt"))
    sent = client.post(f"{link}/granska")
    assert sent.status_code == 422
    assert "Svara på den här frågan innan du skickar: Socialt" in html(sent)
    assert stored(invitation).submitted_at is None


def test_the_review_draws_the_mark_and_mirrors_it_right_to_left(client, ors):
    link, _ = ors
    post_step(client, link, "individuellt", "7.3")
    page = html(client.get(f"{link}/granska"))
    assert '<circle cx="78.0"' in page and '<span class="visually-hidden">73\xa0%</span>' in page
    assert '<circle cx="32.0"' in html(client.get(f"{link}/granska?lang=ar"))


# --- light pages with no inline code --------------------------------------------------------


@pytest.fixture
def page_kinds(client, typer, ors, insats):
    """Every kind of respondent page, as the browser gets it."""
    link, _ = typer
    open_every_question(client, link)
    pages = {"start": client.get(link)}
    pages.update({f"item {key}": client.get(f"{link}/fraga/{key}")
                  for key in sorted(CHOICE_ITEMS | ENTRY_ITEMS)})
    pages["item individuellt (vas)"] = client.get(f"{ors[0]}/fraga/individuellt")
    pages["item with an error"] = post_step(client, link, "timmar", "75")
    pages["review"] = client.get(f"{link}/granska")
    pages["review in arabic"] = client.get(f"{link}/granska?lang=ar")
    nns, _ = make_link(insats)
    post_step(client, nns, "q1", "5")
    client.post(f"{nns}/granska")
    pages["thank you"] = client.get(f"{nns}/tack")
    pages["used link"] = client.get(nns)
    pages["unknown link"] = client.get("/s/okand")
    return pages


def weight(client, response) -> int:
    """The page and every stylesheet and script it loads, uncompressed."""
    page = html(response)
    total = len(response.get_data())
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
        with client.get(asset) as loaded:
            total += len(loaded.get_data())
    return total


def test_every_page_weighs_at_most_60_kb(client, page_kinds):
    weights = {kind: weight(client, response) for kind, response in page_kinds.items()}
    print("\nrespondent page weights (HTML + CSS + JS, uncompressed):")
    for kind, size in weights.items():
        print(f"  {kind:28} {size / 1024:5.1f} KB")
    heavy = {kind: size for kind, size in weights.items() if size > PAGE_WEIGHT_LIMIT}
    assert heavy == {}, f"over 60 KB: {heavy}"


def test_no_page_has_inline_script_or_style(page_kinds):
    for kind, response in page_kinds.items():
        for element in elements(html(response)):
            inline = [name for name in element.attrs if name == "style" or name.startswith("on")]
            assert inline == [], (kind, element)
            assert element.tag != "style", kind
            assert element.tag != "script" or "src" in element.attrs, kind
