"""What a browser makes of a page's forms: the values it sends back when a form is
submitted as shown, and the choices it shows a person, read the way a browser reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Inputs a browser sends with the value they hold.
VALUE_INPUTS = {None, "text", "date", "number", "email", "hidden", "search", "tel", "url",
                "password"}


@dataclass
class Choice:
    """One thing a person can choose: an option of a select, a radio button, a check box
    or a submit button, with the text shown for it."""

    kind: str  # option, radio, checkbox, button
    name: str
    value: str
    selected: bool = False
    label: str = ""


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)


class _FormReader(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = [Form()]  # controls outside any form land in the first
        self.select: str | None = None
        self.labelled: Choice | None = None  # the choice whose text is being read
        self.textarea: str | None = None  # the text area whose text is being read
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(Form())
        elif tag == "input":
            self._input(attrs)
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.forms[-1].values[self.textarea] = ""
        elif tag == "option" and self.select is not None:
            self._choose(Choice("option", self.select, attrs.get("value", ""),
                                "selected" in attrs))
        elif tag == "button" and attrs.get("type", "submit") == "submit" \
                and attrs.get("aria-hidden") != "true":
            self._choose(Choice("button", attrs.get("name", ""), attrs.get("value", "")))

    def _input(self, attrs: dict) -> None:
        kind, name = attrs.get("type"), attrs.get("name")
        if name is None:
            return
        if kind in VALUE_INPUTS:
            self.forms[-1].values[name] = attrs.get("value", "")
        elif kind in ("radio", "checkbox"):
            self._choose(Choice(kind, name, attrs.get("value", "on"), "checked" in attrs))
        elif kind == "submit":
            self.forms[-1].choices.append(Choice("button", name, attrs.get("value", ""),
                                                 label=attrs.get("value", "")))

    def _choose(self, choice: Choice) -> None:
        self.forms[-1].choices.append(choice)
        self.labelled = choice

    def handle_data(self, data):
        if self.textarea is not None:
            self.forms[-1].values[self.textarea] += data
        if self.labelled is not None:
            self.labelled.label = " ".join(f"{self.labelled.label} {data}".split())

    def handle_endtag(self, tag):
        if tag in ("option", "button", "label"):
            self.labelled = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # a browser drops the one line break that starts a text area's text
            text = self.forms[-1].values[self.textarea]
            self.forms[-1].values[self.textarea] = text.removeprefix("\r\n").removeprefix("\n")
            self.textarea = None


def forms(page: str) -> list[Form]:
    """The page's forms, in page order (controls outside a form are left out)."""
    return _FormReader(page).forms[1:]


def form_values(page: str, index: int = -1) -> dict[str, str]:
    """What a browser sends when form `index` is submitted as shown: every field's value,
    each select's chosen option (its first when none is marked), the checked radio
    buttons and boxes; no button."""
    form = forms(page)[index]
    values = dict(form.values)
    for choice in form.choices:
        if choice.kind == "option":
            if choice.selected or choice.name not in values:
                values[choice.name] = choice.value
        elif choice.kind in ("radio", "checkbox") and choice.selected:
            values[choice.name] = choice.value
    return values


def choice_groups(page: str) -> dict[tuple[int, str, str], list[str]]:
    """Every group of choices a person makes on the page, as the labels they see: the
    options of one select, the radio buttons of one name, the submit buttons of one name,
    each within its form. Keyed by (form number, kind, name)."""
    groups: dict[tuple[int, str, str], list[str]] = {}
    for number, form in enumerate(forms(page)):
        for choice in form.choices:
            groups.setdefault((number, choice.kind, choice.name), []).append(choice.label)
    return groups
