"""Every form's own messages (WTForms' "required", the CSRF refusals) speak the page's
language, from catalogues read once per process and language (enkat/web/common/form_base.py)."""

from __future__ import annotations

import pytest
from flask import session
from flask_babel import refresh
from wtforms import StringField
from wtforms.validators import InputRequired

from enkat.web.common.form_base import PageForm


class NameForm(PageForm):
    name = StringField(validators=[InputRequired()])


@pytest.mark.parametrize(("language", "required"), [
    ("sv", "Det här fältet är obligatoriskt."),
    ("en", "This field is required."),
    ("ar", "هذا الحقل مطلوب."),
])
def test_messages_are_in_the_pages_language(app, language, required):
    with app.test_request_context("/s/x/granska", method="POST", data={"name": ""}):
        _speak(language)
        form = NameForm()
        assert not form.validate()
        assert form.name.errors == [required]


def test_the_catalogue_is_read_once_per_language(app):
    catalogues = []
    for language in ("sv", "ar", "sv"):
        with app.test_request_context("/s/x"):
            _speak(language)
            catalogues.append(NameForm().meta.get_translations(None))
    assert catalogues[0] is catalogues[2]
    assert catalogues[0] is not catalogues[1]


def _speak(language: str) -> None:
    """Choose the language as a respondent page (/s/…) does."""
    session["language"] = language
    refresh()
