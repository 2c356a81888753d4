"""Hostile values in every URL variable, query parameter and form field of every route of
the URL map, for every kind of visitor: the answer is never a 500, and a refused post
leaves the database as it was.

The routes are read from `app.url_map`, not from a list: a new route is driven as soon
as it exists. The data is the access table's world (`access_data.build_world`); a route's
working address, query and form come from its row in `test_access.ROUTES`, and the
fields of a form from the page that shows it. Then one value at a time is made hostile:

- a URL variable: a NUL byte, a control character, an overlong text, an id past 64 bits
  (and 2**63, 0, -1 for `int` variables);
- a query parameter (the route's own, and those any page of that kind reads): the same,
  plus far dates, a huge number, a negative one, and the parameter left out;
- a form field: the same, the field left out, and the field given twice.

Visitors: signed out (who also holds the personal links), personal of insats A, an
analyst, an administrator, and a kiosk tablet for the kiosk's pages. Each hostile
request runs in a savepoint that is rolled back, so the next starts from the same data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from enkat.extensions import db

from .access_data import REPORT_YEAR
from .test_access import (
    DEFAULT_ARGS,
    ROUTES_BY_ENDPOINT,
    Route,
    Setting,
    database_contents,
    filled,
    kiosk_tablet,
    request,
    rolled_back,
    values,
    world_of,
)

NUL = "AB\x00CD"
HOSTILE_TEXT = {"NUL": NUL, "control character": "a\x1bb\x7f", "overlong": "Å" * 5_000}
HOSTILE_NUMBERS = {"past 64 bits": "99999999999999999999", "negative": "-1",
                   "far date": "9999-12-31", "early date": "0001-01-01"}
#: A URL variable of the `int` kind: only digits reach the view.
HOSTILE_IDS = {"past 64 bits": "99999999999999999999", "2**63": str(2**63),
               "2**31": str(2**31), "zero": "0"}
LEFT_OUT, TWICE = object(), object()
HOSTILE_FIELD = {**HOSTILE_TEXT, **HOSTILE_NUMBERS, "left out": LEFT_OUT, "twice": TWICE}

VISITORS = ("anonymous", "staff_a", "analyst", "admin")
#: The designed answers to hostile input: never 500.
NOT_AN_ERROR = 500

RESULTS_QUERY = {"visa": "insats:{insats}", "period": "datum", "fran": f"{REPORT_YEAR}-01-01",
                 "till": f"{REPORT_YEAR}-12-31", "ar": REPORT_YEAR, "halvar": "1",
                 "enkat": "ors"}
#: Query parameters the pages of a kind read, besides the row's own (by endpoint prefix).
QUERIES = {
    "admin.results": RESULTS_QUERY, "admin.report_download": RESULTS_QUERY,
    "admin.answers_download": RESULTS_QUERY, "admin.audit_log": {
        "handelse": "", "fran": "2025-01-01", "till": "2025-12-31", "sida": "1"},
    "staff.entry.register": {"source": "staff", "instrument": "finsam-avslut",
                             "timepoint": "avslut", "code": "{code}"},
    "kiosk.begin": {"insats": "{insats_id}"},
    "auth.login": {"next": "/"},
    "respond.": {"lang": "en", "granska": "1"}, "kiosk.": {"lang": "en"},
    "staff.entry.step": {"granska": "1"}, "admin.preview_step": {"lang": "en"},
}


@dataclass(frozen=True)
class Attempt:
    """One request: what was made hostile, and how."""

    what: str
    method: str
    url: str
    form: dict[str, object]


def queries_of(row: Route) -> dict[str, str]:
    known = dict(row.query)
    for prefix, query in QUERIES.items():
        if row.endpoint == prefix or (prefix.endswith(".") and row.endpoint.startswith(prefix)):
            known.update(query)
    return known


def url_of(app: Flask, rule, args: dict[str, str], query: dict[str, str]) -> str:
    """The address, built by hand so that any value can stand in a URL variable."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{name}>", lambda _m, n=name: _quote(args[n]),
                      path)
    return path + ("?" + urlencode(query) if query else "")


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


class _FormFields(HTMLParser):
    """The fields of the post forms of a page, by the form's action, with the values the
    page fills in (the first option of a list, the checked box or button)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._current = self.forms.setdefault(attributes.get("action") or "", {})
        if self._current is None or not attributes.get("name"):
            return
        name = attributes["name"]
        if tag == "select":
            self._select = name
        elif tag in ("input", "textarea", "button"):
            kind = attributes.get("type", "")
            if kind in ("radio", "checkbox") and "checked" not in attributes \
                    and name in self._current:
                return
            self._current.setdefault(name, attributes.get("value") or "")
        if tag == "option" and self._select:
            self._current.setdefault(self._select, attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def form_of_page(page: str, url: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    path = urlsplit(url).path
    return next((fields for action, fields in parser.forms.items()
                 if urlsplit(action).path in ("", path)), {})


def attempts(setting: Setting, rule, row: Route, method: str, browser) -> Iterator[Attempt]:
    known = values(setting.world, setting.world.norrvik)
    args = {name: (row.args.get(name) or DEFAULT_ARGS.get(name, "x")).format(**known)
            for name in rule.arguments}
    query = filled(queries_of(row), known)
    form: dict[str, object] = {}
    if method == "POST":
        form = dict(filled(row.form or row.body, known))
        if "GET" in rule.methods:
            with rolled_back(setting):
                shown = request(browser(), "GET", url_of(setting.app, rule, args, query))
            if shown.status_code == 200:
                form = {**form_of_page(shown.get_data(as_text=True), shown.request.path),
                        **form}
        form.pop("csrf_token", None)
    yield Attempt("nothing", method, url_of(setting.app, rule, args, query), form)
    for name in rule.arguments:
        hostile = HOSTILE_IDS if isinstance(rule._converters[name], IntegerConverter) \
            else {**HOSTILE_TEXT, "past 64 bits": HOSTILE_NUMBERS["past 64 bits"]}
        for kind, value in hostile.items():
            url = url_of(setting.app, rule, {**args, name: value}, query)
            yield Attempt(f"<{name}> {kind}", method, url, form)
    for name in [*query, "okänd"]:
        for kind, value in HOSTILE_FIELD.items():
            if value is TWICE:
                continue
            changed = {key: text for key, text in query.items() if key != name}
            if value is not LEFT_OUT:
                changed[name] = value
            yield Attempt(f"?{name} {kind}", method, url_of(setting.app, rule, args, changed),
                          form)
    url = url_of(setting.app, rule, args, query)
    for name in form:
        for kind, value in HOSTILE_FIELD.items():
            changed = {key: text for key, text in form.items() if key != name}
            if value is TWICE:
                changed[name] = [form[name], NUL]
            elif value is not LEFT_OUT:
                changed[name] = value
            yield Attempt(f"{name}= {kind}", method, url, changed)
    if form:
        yield Attempt("every field NUL", method, url, dict.fromkeys(form, NUL))


def visitors_of(rule) -> tuple[str, ...]:
    return ("kiosk", "anonymous") if rule.endpoint.startswith("kiosk.") \
        and rule.endpoint != "kiosk.begin" else VISITORS


def route_cases() -> Iterator:
    from enkat import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        if rule.endpoint == "static":
            continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                yield pytest.param(rule.endpoint, method, id=f"{rule.endpoint}-{method}")


@pytest.fixture(scope="module")
def setting(app):
    """The access table's world, built once per database for this module."""
    with world_of(app) as built:
        yield built


@pytest.fixture
def quick_reset(setting, monkeypatch):
    """The forgotten-password page answers after a fixed time; here at once."""
    monkeypatch.setitem(setting.app.config, "PASSWORD_RESET_ANSWER_MS", 0)
    return setting


@pytest.mark.parametrize(("endpoint", "method"), list(route_cases()))
def test_hostile_values_never_get_a_500_and_a_refusal_changes_nothing(quick_reset, endpoint,
                                                                       method):
    setting = quick_reset
    [rule] = [rule for rule in setting.app.url_map.iter_rules() if rule.endpoint == endpoint]
    row = ROUTES_BY_ENDPOINT[endpoint]
    problems = []
    for visitor in visitors_of(rule):
        with rolled_back(setting):
            problems += _problems(setting, rule, row, method, visitor)
    assert not problems, "\n".join(problems)


def _problems(setting: Setting, rule, row: Route, method: str, visitor: str) -> list[str]:
    browser = _browser_of(setting, visitor)
    before = database_contents() if method == "POST" else None  # as before every attempt
    db.session.remove()  # each attempt's savepoint is then the innermost
    found = attempts(setting, rule, row, method, browser)
    first = next(found)
    problems = _attempt_problems(setting, visitor, first, browser, before)
    if _refused_by_role(setting, first, browser):
        found = (attempt for attempt in found if attempt.what.startswith(("<", "every")))
    for attempt in found:
        problems += _attempt_problems(setting, visitor, attempt, browser, before)
    return problems


def _browser_of(setting: Setting, visitor: str):
    """A function that opens a new browser of the visitor: a kiosk tablet running a kiosk
    with someone answering, or a browser holding a signed-in user's session."""
    if visitor != "kiosk":
        return lambda: setting.browser(visitor)
    cookie = kiosk_tablet(setting).get_cookie("enkat_session").value

    def tablet():
        client = setting.app.test_client()
        client.set_cookie("enkat_session", cookie)
        return client
    return tablet


def _refused_by_role(setting: Setting, attempt: Attempt, browser) -> bool:
    """Whether the visitor is refused the route whatever the values (signed out, or 403):
    then only the address is made hostile, and every field at once."""
    with rolled_back(setting):
        response = request(browser(), attempt.method, attempt.url, attempt.form)
    return response.status_code == 403 or response.headers.get(
        "Location", "").startswith(("/login", "/kiosk/starta"))


def _attempt_problems(setting: Setting, visitor: str, attempt: Attempt, browser,
                      before) -> list[str]:
    said = f"{visitor} {attempt.method} {attempt.url[:100]!r} ({attempt.what})"
    with rolled_back(setting):
        try:  # testing: a failure the error page would hide reaches the test
            response = request(browser(), attempt.method, attempt.url, attempt.form)
        except Exception as failure:  # noqa: BLE001  (every one is a finding)
            return [f"{said}: {type(failure).__name__}: {str(failure)[:150]}"]
        status = response.status_code
        if status == NOT_AN_ERROR:
            return [f"{said}: 500"]
        if before is not None and status >= 400 and not _keeps_refusals(attempt) \
                and database_contents() != before:
            return [f"{said}: {status} but the database changed"]
    return []


def _keeps_refusals(attempt: Attempt) -> bool:
    return urlsplit(attempt.url).path.startswith(KEEPS_REFUSALS)


#: Addresses whose refusals are kept by design (`web.common.keep_despite_refusal`):
#: wrong codes and PINs at the kiosk, failed sign-ins and unknown links are counted.
KEEPS_REFUSALS = ("/kiosk/kod", "/kiosk/personal", "/login", "/s/")


# --- what the refusals say -------------------------------------------------------------------


@pytest.mark.parametrize(("visitor", "method", "url", "form", "said"), [
    ("admin", "POST", "/forbund/anvandare/ny",
     {"email": "ny@norrvik.example", "display_name": NUL, "role": "staff",
      "password": "ett långt lösenord"},
     "Fältet ”display_name” innehåller ett osynligt styrtecken (U+0000)"),
    ("staff_a", "GET", "/deltagare/AB%00CD", None,
     "Adressen innehåller ett osynligt styrtecken (U+0000)"),
    ("admin", "GET", "/forbund/logg?till=2025-01-01%1B", None,
     "Adressens fält ”till” innehåller ett osynligt styrtecken (U+001B)"),
])
def test_a_control_character_is_refused_with_400_saying_where(setting, visitor, method, url,
                                                              form, said):
    with rolled_back(setting):
        before = database_contents()
        db.session.remove()
        response = setting.visit(visitor, method, url, form)
        assert response.status_code == 400
        assert said in response.get_data(as_text=True)
        assert database_contents() == before


def test_a_respondent_is_told_in_their_language(setting):
    token = setting.world.norrvik.token
    with rolled_back(setting):
        browser = setting.browser("anonymous")
        request(browser, "GET", f"/s/{token}?lang=en")
        response = request(browser, "POST", f"/s/{token}/fraga/individuellt",
                           {"answer-individuellt": "5\x00", "go_to": "next"})
    assert response.status_code == 400
    assert "The field ”answer-individuellt” contains an invisible control character (U+0000)" \
        in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/svar/99999999999999999999", f"/svar/{2**31}",
                                 "/forbund/anvandare/99999999999999999999",
                                 "/forbund/utskick/9223372036854775808"])
def test_an_id_no_integer_column_can_hold_is_not_found(setting, url):
    with rolled_back(setting):
        assert setting.visit("admin", "GET", url).status_code == 404
