"""Templates of the reports a förbund files, as data: load, check and read them.

A template is a JSON file (`template.schema.json`, docs/formats.md) naming the document's
sections in order. The four bundled ones (`templates/`) follow the skeletons förbund use
(Sundsvall's del- and slutrapport, Gävleborg's kvartalsrapport, Västerås' helårsrapport);
a förbund's adaptation (headings, order, sections left out) is checked by the same
loader. Every problem is collected before giving up, each said in Swedish and English
with the file and the JSON pointer of the place, as the instrument loader does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from enkat.instruments.problems import JSON_TYPE_WORDS, Problem, invalid_json, listed_twice

SCHEMA_FILE = "template.schema.json"

#: The section kinds: a heading over subsections, words people write, tables from enkat,
#: the insats and its period, the goal table with a comment per goal, entered figures.
SECTION_KINDS = ("heading", "text", "data", "insats", "goals", "figures")


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its Swedish name and whom it is about."""

    name: str
    scope: str  # "insats" or "forbund"

    @property
    def per_insats(self) -> bool:
        return self.scope == "insats"


#: Every kind of document, by the key the database and the templates use.
KINDS: Mapping[str, DocumentKind] = {
    "kvartalsrapport": DocumentKind("Kvartalsrapport", "insats"),
    "delrapport": DocumentKind("Delrapport", "insats"),
    "slutrapport": DocumentKind("Slutrapport", "insats"),
    "helarsrapport": DocumentKind("Helårsrapport", "forbund"),
}


@dataclass(frozen=True)
class FigureRow:
    """A row of an entered-figures section (a cost row of the ekonomisk rapport)."""

    key: str
    label: str


@dataclass(frozen=True)
class SectionSpec:
    """One section of a template. `tables` and `parts` (data sections) name report
    tables and parts by id or glob pattern (`nns-*`); `rows` are a figures section's."""

    key: str
    heading: str
    kind: str
    level: int = 2
    guidance: str = ""
    tables: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    rows: tuple[FigureRow, ...] = ()

    @property
    def is_written(self) -> bool:
        """Whether people write this section (its words are saved per document)."""
        return self.kind == "text"


@dataclass(frozen=True)
class DocumentTemplate:
    """A document's sections in order. `prognos`: while the period runs, a goal not yet
    decided is shown as a prognos (the delrapport)."""

    kind: str
    title: str
    scope: str
    sections: tuple[SectionSpec, ...]
    numbered: bool = False
    prognos: bool = False

    def section(self, key: str) -> SectionSpec:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"the template has no section {key!r}")

    def keys(self) -> tuple[str, ...]:
        return tuple(section.key for section in self.sections)


class TemplateError(Exception):
    """A template cannot be used; `problems` says where and why, in Swedish, one a line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- loading -----------------------------------------------------------------------------


def bundled_template(kind: str) -> DocumentTemplate:
    """The template enkat ships for `kind` (one of `KINDS`)."""
    if kind not in KINDS:
        raise KeyError(f"no template of kind {kind!r}")
    return _bundled(kind)


@cache
def _bundled(kind: str) -> DocumentTemplate:
    name = f"templates/{kind}.json"
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return load_text(text, name)


def load_text(text: str, origin: str) -> DocumentTemplate:
    """A template from JSON text; `origin` names it in messages (a file, "förbundets
    anpassning")."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise TemplateError([Problem(origin, "", invalid_json(problem))]) from None
    return load_data(data, origin)


def load_data(data: Any, origin: str) -> DocumentTemplate:
    """A template from parsed JSON, checked against the schema and the rules beyond it."""
    problems = [Problem(origin, pointer, words) for pointer, words in _schema_problems(data)]
    if not problems:
        problems = [Problem(origin, pointer, words) for pointer, words in _semantic_problems(data)]
    if problems:
        raise TemplateError(problems)
    return _built(data)


def template_data(template: DocumentTemplate) -> dict[str, Any]:
    """A template as its JSON data; `load_data(template_data(t))` equals `t`."""
    data: dict[str, Any] = {"kind": template.kind, "title": template.title,
                            "scope": template.scope, "numbered": template.numbered,
                            "prognos": template.prognos,
                            "sections": [_section_data(s) for s in template.sections]}
    return data


def _section_data(section: SectionSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"key": section.key, "heading": section.heading,
                            "level": section.level, "kind": section.kind}
    if section.guidance:
        data["guidance"] = section.guidance
    if section.tables:
        data["tables"] = list(section.tables)
    if section.parts:
        data["parts"] = list(section.parts)
    if section.rows:
        data["rows"] = [{"key": row.key, "label": row.label} for row in section.rows]
    return data


def _built(data: Mapping[str, Any]) -> DocumentTemplate:
    return DocumentTemplate(
        kind=data["kind"], title=data["title"], scope=data["scope"],
        numbered=data.get("numbered", False), prognos=data.get("prognos", False),
        sections=tuple(SectionSpec(
            key=s["key"], heading=s["heading"], kind=s["kind"], level=s.get("level", 2),
            guidance=s.get("guidance", ""), tables=tuple(s.get("tables", ())),
            parts=tuple(s.get("parts", ())),
            rows=tuple(FigureRow(r["key"], r["label"]) for r in s.get("rows", ())))
            for s in data["sections"]))


# --- checks ------------------------------------------------------------------------------


@cache
def _validator() -> Draft202012Validator:
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


def _schema_problems(data: Any) -> list[tuple[str, str]]:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path)))
    return [(_pointer(error.absolute_path), _words(error)) for error in errors]


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part) for part in path)


def _words(error: ValidationError) -> str:
    expected: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    if error.validator == "required":
        missing = [key for key in expected if key not in instance]
        keys = ", ".join(f'"{key}"' for key in missing)
        return f"nyckeln {keys} saknas"
    if error.validator == "additionalProperties":
        known = set(schema.get("properties", {}))
        unknown = ", ".join(f'"{key}"' for key in instance if key not in known)
        return f"okänd nyckel {unknown}"
    if error.validator == "enum":
        allowed = ", ".join(json.dumps(value, ensure_ascii=False)
                            for value in expected)
        return f"måste vara en av: {allowed}"
    if error.validator == "type":
        kind = str(error.validator_value)
        return f"måste vara {JSON_TYPE_WORDS.get(kind, kind)}"
    if error.validator in ("minLength", "minItems"):
        return "får inte vara tom"
    if error.validator in ("maxLength", "maxItems"):
        return f"är för lång (högst {error.validator_value})"
    if error.validator == "pattern":
        return ("får bara innehålla små bokstäver a–z, siffror och bindestreck (och * ? i "
                "mönster)")
    return f"är inte tillåtet här ({error.validator})"


#: The keys only some section kinds take.
_KIND_KEYS = {"tables": ("data",), "parts": ("data",), "rows": ("figures",),
              "guidance": ("text",)}


def _semantic_problems(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    kind = KINDS[data["kind"]]
    if data["scope"] != kind.scope:
        yield "/scope", f'en {kind.name.lower()} gäller {_SCOPE_WORDS[kind.scope]}'
    seen: set[str] = set()
    for index, section in enumerate(data["sections"]):
        here = f"/sections/{index}"
        if section["key"] in seen:
            yield f"{here}/key", listed_twice(f'nyckeln "{section["key"]}"')
        seen.add(section["key"])
        yield from _section_problems(here, section, data["scope"])


_SCOPE_WORDS = {"insats": "en insats", "forbund": "hela förbundet"}


def _section_problems(here: str, section: Mapping[str, Any],
                      scope: str) -> Iterator[tuple[str, str]]:
    for key, kinds in _KIND_KEYS.items():
        if key in section and section["kind"] not in kinds:
            yield f"{here}/{key}", (
                f'"{key}" hör bara till ett avsnitt av slaget {" eller ".join(kinds)}')
    if section["kind"] == "data" and not ("tables" in section or "parts" in section):
        yield here, 'ett dataavsnitt anger "tables" eller "parts"'
    if section["kind"] == "figures":
        if "rows" not in section:
            yield here, 'ett avsnitt med belopp anger sina rader i "rows"'
        keys = [row["key"] for row in section.get("rows", ())]
        for position, key in enumerate(keys):
            if key in keys[:position]:
                yield f"{here}/rows/{position}/key", listed_twice(f'radnyckeln "{key}"')
    if section["kind"] == "goals" and scope != "insats":
        yield f"{here}/kind", "bara en rapport om en insats har en måltabell"
