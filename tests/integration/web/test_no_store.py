"""No browser or proxy keeps a page: every answer of every route of the URL map, to every
signed-in visitor (personal, analyst, administrator), a kiosk tablet on the kiosk's pages
and a signed-out browser holding a link, says `Cache-Control: no-store`
(personal data on a shared computer must not come back through the back button or the
cache after sign-out). Static files are the exception: kept for a year by version."""

from __future__ import annotations

import pytest

from enkat.web.common.static import KEEP_FOR_A_YEAR, PUBLIC_ENDPOINTS

from .test_access import ROUTES_BY_ENDPOINT, request, rolled_back, world_of
from .test_hostile_input import _browser_of, attempts, visitors_of


@pytest.fixture(scope="module")
def setting(app):
    """The access table's world, built once per database for this module."""
    with world_of(app) as built:
        yield built


def _not_stored(setting, rule, method: str, visitor: str) -> list[str]:
    with rolled_back(setting):
        browser = _browser_of(setting, visitor)
        first = next(attempts(setting, rule, ROUTES_BY_ENDPOINT[rule.endpoint], method,
                              browser))
        with rolled_back(setting):
            response = request(browser(), first.method, first.url, first.form)
    kept = response.headers.get("Cache-Control", "")
    if "no-store" in kept.split(", "):
        return []
    return [f"{visitor} {method} {first.url} ({response.status_code}): "
            f"Cache-Control {kept!r}"]


def test_every_answer_of_every_route_is_not_stored(setting):
    problems = []
    for rule in setting.app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                for visitor in visitors_of(rule):
                    problems += _not_stored(setting, rule, method, visitor)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("visitor", ["anonymous", "admin"])
def test_static_files_keep_their_long_cache(setting, visitor):
    page = setting.visit(visitor, "GET", "/login" if visitor == "anonymous" else "/forbund/")
    stylesheet = page.get_data(as_text=True).split('href="/static/enkat.css')[1].split('"')[0]
    response = setting.visit(visitor, "GET", "/static/enkat.css" + stylesheet)
    response.close()
    assert response.headers["Cache-Control"] == KEEP_FOR_A_YEAR
