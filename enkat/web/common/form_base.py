"""`PageForm`, the base of every form a page posts: Flask-WTF, with WTForms' own messages
("This field is required", the CSRF refusals) in the page's language, read once per
process and language.

Flask-WTF reads WTForms' translation catalogue from disk on every request
(`flask_wtf.i18n`). The answering pages build a form on every request, and that reading
was a measurable share of their time (bench/respond_load.py); WTForms' own `DefaultMeta`
keeps one catalogue per language instead.

A text field that a post leaves out reads as empty text, as a browser would send it,
never None: a view may strip or compare it without first asking whether it came.

`DayField` is the date field of every blueprint's forms, refusing in Swedish what it
cannot read.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, IntegerField, StringField
from wtforms.meta import DefaultMeta

from enkat.reports.numbers import format_number


class PageForm(FlaskForm):
    class Meta:
        @property
        def locales(self) -> list[str]:
            return [str(get_locale())]

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                filters = unbound_field.kwargs.get("filters", ())
                options = {**options, "filters": (_text_or_empty, *filters)}
            return DefaultMeta.bind_field(self, form, unbound_field, options)


def _text_or_empty(value: str | None) -> str:
    return "" if value is None else value


class DayField(DateField):
    """A date typed as år-månad-dag. What it cannot read, blank included, is refused in
    Swedish; a date that may be left out lets blank through as None with WTForms'
    `Optional()`."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Skriv datumet som år-månad-dag, till exempel 2025-01-01.") from None


class WholeNumberField(IntegerField):
    """A whole number; empty is None (the service says what to write). Text that is no
    whole number is refused with `refusal`, its "{text}" the text typed."""

    def __init__(self, label: str, *, refusal: str, **options) -> None:
        super().__init__(label, **options)
        self.refusal = refusal

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            self.data = int(text)
        except ValueError:
            raise ValueError(self.refusal.format(text=text)) from None


class KronorField(StringField):
    """Whole kronor as people type them ("12 000", "12000 kr"); empty is no figure. Its
    messages begin in lower case: the page puts the row and column before them
    (`name_figure_errors`)."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not self.raw:
            return
        digits = self.raw.removesuffix("kr").strip().replace(" ", "").replace("\u00a0", "")
        if digits[:1] in ("-", "\u2212") and digits[1:].isdigit():
            raise ValueError("beloppet får inte vara negativt.")
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError("skriv beloppet i hela kronor, till exempel 12 000.")
        self.data = int(digits)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return kronor(self.data) if isinstance(self.data, int) else ""


def kronor(amount: int | None) -> str:
    """Whole kronor as a form shows them: "12 000", or nothing."""
    return "" if amount is None else format_number(amount, 0)


def error_list(form) -> list[tuple[str, str]]:
    """Every error on the page as (field id, message), in page order, for the summary."""
    return list(_errors_of(form))


def _errors_of(form) -> Iterator[tuple[str, str]]:
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from _errors_of(entry.form)
        elif field.errors:
            for message in field.errors:
                yield field.id, message


class ConfirmForm(PageForm):
    """The button that confirms an irreversible action on the page that says what will
    happen (publish, send, revoke, remove): it carries the CSRF token and nothing else,
    so the action happens only on this POST, never on the GET that asks."""
