"""`PageForm`, the base of every form a page posts: Flask-WTF, with WTForms' own messages
("This field is required", the CSRF refusals) in the page's language, read once per
process and language.

Flask-WTF reads WTForms' translation catalogue from disk on every request
(`flask_wtf.i18n`). The answering pages build a form on every request, and that reading
was a measurable share of their time (bench/respond_load.py); WTForms' own `DefaultMeta`
keeps one catalogue per language instead.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta


class PageForm(FlaskForm):
    class Meta:
        @property
        def locales(self) -> list[str]:
            return [str(get_locale())]

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)
