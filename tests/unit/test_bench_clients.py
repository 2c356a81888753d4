"""The benches' simulated browser (bench/clients.py) reads respondent pages as a person would."""

import importlib.util
import random
import sys
from pathlib import Path

MODULE = Path(__file__).resolve().parents[2] / "bench" / "clients.py"
spec = importlib.util.spec_from_file_location("clients", MODULE)
clients = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = clients  # dataclasses look their module up there
spec.loader.exec_module(clients)

STEP = """
<nav><ul class="languages">
  <li><a href="?lang=sv" hreflang="sv" aria-current="true">Svenska</a></li>
  <li><a href="?lang=ar" hreflang="ar">العربية</a></li>
</ul></nav>
<form method="post" action="/s/TOKEN/fraga/q1" novalidate data-autosave>
  <input id="csrf_token" name="csrf_token" type="hidden" value="abc">
  <fieldset class="question" role="radiogroup" aria-required="true">
    <label><input type="radio" name="answer-q1" value="1"> Inte alls</label>
    <label><input type="radio" name="answer-q1" value="6" checked> Helt</label>
    <label><input type="radio" name="answer-q1" value="0"> Vet ej</label>
    <label><input type="radio" name="answer-q1" value=""> Ta bort markeringen</label>
  </fieldset>
  <fieldset class="question">
    <label><input type="checkbox" name="answer-hjalp" value="a"> A</label>
    <label><input type="checkbox" name="answer-hjalp" value="b"> B</label>
  </fieldset>
  <button type="submit" name="go_to" value="next" class="primary">Nästa</button>
  <button type="submit" name="go_to" value="back" class="secondary">Tillbaka</button>
</form>
"""


def test_a_step_page_is_read_as_a_browser_sees_it():
    page = clients.read_page(STEP)
    assert page.languages == {"sv": "?lang=sv", "ar": "?lang=ar"}
    (form,) = page.forms
    assert form.action == "/s/TOKEN/fraga/q1"
    assert form.hidden == {"csrf_token": "abc"}
    assert form.choices == {"answer-q1": ["1", "6", "0"], "answer-hjalp": ["a", "b"]}
    assert form.required == {"answer-q1"}
    assert form.multiple == {"answer-hjalp"}
    assert form.buttons == [("go_to", "next"), ("go_to", "back")]


def test_answers_are_among_the_options_and_required_ones_are_never_left_out():
    form = clients.read_page(STEP).forms[0]
    for seed in range(50):
        answers = clients.choose_answers(form, random.Random(seed))
        assert len(answers["answer-q1"]) == 1
        assert set(answers["answer-q1"]) <= {"1", "6", "0"}
        assert set(answers["answer-hjalp"]) <= {"a", "b"}


def test_the_start_page_link_is_the_primary_button():
    page = clients.read_page('<a class="button primary" href="/s/T/fraga/q1">Börja</a>')
    assert page.primary_link == "/s/T/fraga/q1"


def test_at_once_counts_the_journeys_under_way_together_and_for_how_long():
    def journey(began, ended):
        return clients.Journey("t", began=began, ended=ended)

    assert clients.at_once([journey(0, 10), journey(2, 12), journey(4, 6)]) == (3, 2.0)
    assert clients.at_once([journey(0, 10), journey(2, 12), journey(5, 8),
                            journey(9, 11)]) == (3, 4.0)
    assert clients.at_once([journey(0, 1), journey(1, 2)]) == (1, 2.0)
    assert clients.at_once([]) == (0, 0.0)


def test_a_page_names_the_stylesheets_and_scripts_a_browser_fetches_with_it():
    page = clients.read_page(
        '<head><link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/static/respond.css?v=1a2b">'
        '<script src="/static/respond.js?v=3c4d" defer></script></head>')
    assert page.assets == ["/static/respond.css?v=1a2b", "/static/respond.js?v=3c4d"]


def test_a_browser_keeps_what_it_is_told_it_may_keep():
    assert clients.may_keep("public, max-age=31536000, immutable")
    assert not clients.may_keep("no-cache")
    assert not clients.may_keep("no-store, max-age=60")
    assert not clients.may_keep("max-age=0")
    assert not clients.may_keep("")
