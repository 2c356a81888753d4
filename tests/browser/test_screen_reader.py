"""What a screen reader gets: a whole NNS survey answered in Arabic through roles and
accessible names alone, as assistive technology finds its way, and the accessibility
tree of a question page."""

from __future__ import annotations

import json
import re

from tests.browser.conftest import REPO_ROOT

NNS_AVSLUT = json.loads((REPO_ROOT / "instruments" / "nns-deltagare-avslut.json")
                        .read_text(encoding="utf-8"))
SCALE = NNS_AVSLUT["scales"]["nns6"]["codes"]


def arabic(text: dict) -> str:
    return text["ar"]


def label_of(item: dict, code) -> str:
    options = item.get("options") or SCALE
    return next(arabic(option["label"]) for option in options if option["code"] == code)


def test_a_whole_nns_survey_in_arabic_by_roles_and_names(page, live_server):
    link, invitation = live_server.link()
    page.goto(f"{link}?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("link", name="ابدأ").tap()
    chosen = {}
    for item in NNS_AVSLUT["items"]:
        question = page.get_by_role("radiogroup", name=arabic(item["text"]))
        code = "kvinna" if item["id"] == "kon" else 4
        question.get_by_role("radio", name=label_of(item, code), exact=True).check()
        chosen[item["id"]] = (str(code),)
        page.get_by_role("button", name="التالي").tap()
    page.wait_for_url(re.compile(r"/granska$"))
    page.get_by_role("button", name="أرسل الإجابات").tap()
    page.wait_for_url(re.compile(r"/tack$"))
    assert page.get_by_role("heading", level=1).inner_text()
    assert live_server.stored(invitation) == (True, "ar", chosen)


def test_a_question_page_reads_as_progress_a_named_choice_and_named_buttons(page, live_server):
    link, _ = live_server.link()
    page.goto(f"{link}/fraga/q1?lang=ar")
    first = NNS_AVSLUT["items"][0]
    tree = page.locator("main").aria_snapshot()
    total = len(NNS_AVSLUT["items"])
    assert f'progressbar "السؤال 1 من {total}"' in tree
    assert f'radiogroup "{arabic(first["text"])}"' in tree
    for option in SCALE:
        assert f'radio "{arabic(option["label"])}"' in tree
    assert 'button "التالي"' in tree and 'button "رجوع"' in tree
    assert page.get_by_role("navigation", name="اللغة").get_by_role("link").count() == 3
