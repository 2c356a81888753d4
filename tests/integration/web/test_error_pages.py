"""An unexpected error (a bug) is our own 500 page in the visitor's language, never
Werkzeug's "Internal Server Error". No route raises on purpose, so this app, built as
production builds it (CSRF on, not TESTING), gets one that does, on a staff address and
on a respondent's. tests/integration/test_serve.py walks the other errors against the
real `enkat serve`."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from enkat import create_app
from enkat.extensions import db
from tests.integration.test_serve import assert_own_error_page
from tests.visitor import Page


def a_bug(**arguments):
    raise RuntimeError("a bug in a view")


def a_bug_after_the_commit():
    """A view whose request fails once committed: the session then refuses to roll back."""
    def fails(_session):
        raise RuntimeError("a bug after the commit")
    event.listen(db.session(), "after_commit", fails, once=True)
    return "committed"


@pytest.fixture
def failing_app(app, database_url, tmp_path):
    application = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                              "SECRET_KEY": "error-pages", "WTF_CSRF_ENABLED": True})
    application.instance_path = str(tmp_path)
    application.add_url_rule("/fel", "fel", a_bug)
    application.add_url_rule("/s/<token>/fel", "respond.fel", a_bug)
    application.add_url_rule("/fel-efter-commit", "fel_efter_commit", a_bug_after_the_commit)
    yield application
    with application.app_context():
        db.engine.dispose()


def page_of(response) -> Page:
    return Page(response.status_code, response.request.url, response.get_data(as_text=True))


def test_a_bug_is_our_own_500_page_in_the_visitors_language(failing_app):
    client = failing_app.test_client()
    assert_own_error_page(page_of(client.get("/fel")), 500, "Något gick fel")
    arabic = client.get("/s/en-lank/fel", headers={"Accept-Language": "ar"})
    assert_own_error_page(page_of(arabic), 500, "حدث خطأ ما", "ar")
    assert 'dir="rtl"' in arabic.get_data(as_text=True)


def test_a_bug_after_the_commit_is_our_own_500_page(failing_app):
    assert_own_error_page(page_of(failing_app.test_client().get("/fel-efter-commit")),
                          500, "Något gick fel")
