"""The frozen, hashable objects an instrument file becomes once it has been validated.

Everything inside is a tuple, a string, a number or another frozen object, so an
`Instrument` can be shared between requests and threads and used as a cache key. The
loader (`enkat.instruments.loader`) is the only code that builds these objects; the rest
of the application only reads them.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any, cast

from enkat.instruments.problems import Problem, written

#: The language of a plain-string `Text`: the same wording in every language.
EVERY_LANGUAGE = "*"

CODED_TYPES = frozenset({"single", "multiple", "ordinal", "yesno"})
FREE_TEXT_TYPES = frozenset({"text", "longtext"})
SCORABLE_TYPES = frozenset({"ordinal", "vas", "number"})
INDICATOR_TYPES = frozenset({"ordinal", "single", "yesno"})

DEFAULT_MAX_LENGTH = {"text": 200, "longtext": 4000}
VAS_MIN = Decimal("0.0")
VAS_MAX = Decimal("10.0")
#: A VAS mark is stored in tenths of the line.
VAS_DECIMALS = 1

_NUMBER = re.compile(r"[+-]?[0-9]{1,20}(?:[.,][0-9]{1,20})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_QUOTE_LIMIT = 40


@dataclass(frozen=True)
class Text:
    """A text in the instrument's languages, as ``(language, text)`` pairs.

    A plain string in the file is the same in every language and is stored under the
    language ``"*"``. Pairs are sorted by language, so equal texts are equal objects.
    `get` falls back to Swedish, which every instrument has.
    """

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str | Mapping[str, str]) -> Text:
        if isinstance(value, str):
            return cls(((EVERY_LANGUAGE, value),))
        return cls(tuple(sorted(value.items())))

    def get(self, lang: str = "sv") -> str:
        languages = dict(self.values)
        for candidate in (lang, EVERY_LANGUAGE, "sv"):
            if candidate in languages:
                return languages[candidate]
        return self.values[0][1]

    def language_for(self, lang: str) -> str:
        """The language `get(lang)` answers in, for a ``lang`` attribute in a page."""
        languages = dict(self.values)
        if lang in languages or EVERY_LANGUAGE in languages:
            return lang
        return "sv" if "sv" in languages else self.values[0][0]

    def __str__(self) -> str:
        return self.get("sv")


@dataclass(frozen=True)
class Option:
    """One answer code with its label; codes are always strings (``"5"``, ``"kvinna"``)."""

    code: str
    label: Text


#: The codes of every yesno item, with built-in labels (other languages fall back to Swedish).
YES_NO_OPTIONS = (
    Option(
        "ja",
        Text.of(
            {
                "sv": "Ja",
                "en": "Yes",
                "fi": "Kyllä",
                "ar": "نعم",
                "fa": "بله",
                "so": "Haa",
                "de": "Ja",
                "es": "Sí",
                "pl": "Tak",
                "uk": "Так",
            }
        ),
    ),
    Option(
        "nej",
        Text.of(
            {
                "sv": "Nej",
                "en": "No",
                "fi": "Ei",
                "ar": "لا",
                "fa": "خیر",
                "so": "Maya",
                "de": "Nein",
                "es": "No",
                "pl": "Nie",
                "uk": "Ні",
            }
        ),
    ),
)


@dataclass(frozen=True)
class Scale:
    """A named answer scale shared by several items."""

    name: str
    options: tuple[Option, ...]
    missing_codes: tuple[str, ...] = ()
    positive_codes: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)


@dataclass(frozen=True)
class Page:
    id: str
    title: Text | None = None
    intro: Text | None = None
    item_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """Show an item only when an earlier item's answer meets this condition.

    ``operator`` is ``"equals"`` or ``"in"`` (``codes`` holds the accepted codes) or
    ``"answered"`` (``codes`` is empty).
    """

    item: str
    operator: str
    codes: tuple[str, ...] = ()

    def is_met(self, answers: Mapping[str, Set[str]]) -> bool:
        """``answers`` maps item ids to the set of canonical values given for them.

        The caller must leave out the answers of items that were hidden, so that a
        condition on a hidden item is not met.
        """
        given = answers.get(self.item) or frozenset()
        if self.operator == "answered":
            return bool(given)
        return any(code in given for code in self.codes)


@dataclass(frozen=True)
class Anchors:
    """The end labels of a visual analogue line."""

    low: Text
    high: Text


@dataclass(frozen=True, kw_only=True)
class Item:
    """One item; the keys that do not belong to its ``type`` keep their defaults.

    ``options`` holds the answer options whatever their origin: the named scale, the
    inline options, or ``ja``/``nej`` for yesno. ``min``/``max`` are numbers for a
    number item and `datetime.date` for a date item.
    """

    id: str
    type: str
    text: Text
    help: Text | None = None
    #: Must be answered when asked: declared so, or needed by a score (`build.needed_by_scores`).
    required: bool = False
    page: str | None = None
    show_if: Condition | None = None
    timepoints: tuple[str, ...] = ()
    indicator: str | None = None
    scale: str | None = None
    options: tuple[Option, ...] = ()
    missing_codes: tuple[str, ...] = ()
    positive_codes: tuple[str, ...] = ()
    min_selected: int | None = None
    max_selected: int | None = None
    anchors: Anchors | None = None
    min: int | float | datetime.date | None = None
    max: int | float | datetime.date | None = None
    decimals: int = 0
    unit: Text | None = None
    max_length: int | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)

    @property
    def answerable(self) -> bool:
        return self.type != "info"

    @property
    def is_coded(self) -> bool:
        return self.type in CODED_TYPES

    @property
    def is_free_text(self) -> bool:
        return self.type in FREE_TEXT_TYPES

    @property
    def is_multiple(self) -> bool:
        return self.type == "multiple"

    @property
    def decimal_places(self) -> int:
        """The most decimals a stored answer's number has: tenths for a VAS mark, the
        declared ``decimals`` for a number, for a coded item the most any of its codes
        has (missing codes aside; a code in words has none). 0 for items without numbers."""
        if self.type == "vas":
            return VAS_DECIMALS
        if self.type == "number":
            return self.decimals
        return max((_code_decimals(code) for code in self.codes
                    if code not in self.missing_codes), default=0)

    def code_label(self, code: str, lang: str = "sv") -> str:
        for option in self.options:
            if option.code == code:
                return option.label.get(lang)
        raise KeyError(f'"{code}" is not a code of item {self.id}')

    def asked_at(self, timepoint: str) -> bool:
        """Whether the item is asked at a concrete timepoint such as ``session-3``."""
        return not self.timepoints or any(
            timepoint_matches(pattern, timepoint) for pattern in self.timepoints
        )

    def normalize(self, raw: str) -> str:
        """Check one raw answer value (a CSV cell, a form field) and return its canonical form.

        Raises `ValueError` with a short message in Swedish saying what is wrong and what
        is allowed, for whoever entered the value (a förbund's import, paper entry). For a
        multiple item, ``raw`` is one of the selected codes.
        """
        if not self.answerable:
            raise ValueError(takes_no_answer(self.id))
        value = raw.strip()
        if not value:
            raise ValueError("svaret är tomt")
        return _NORMALIZERS[self.type](self, value)

    def _normalize_code(self, value: str) -> str:
        for candidate in (value, value.lower()):
            if candidate in self.codes:
                return candidate
        allowed = ", ".join(self.codes)
        raise ValueError(f"{_quote(value)} är inget av frågans svarsalternativ "
                         f"(tillåtna koder: {allowed})")

    def _normalize_vas(self, value: str) -> str:
        number = _parse_decimal(value, places=VAS_DECIMALS)
        if not VAS_MIN <= number <= VAS_MAX:
            raise ValueError(f"{_quote(value)} ligger utanför {written(VAS_MIN)}–"
                             f"{written(VAS_MAX)}")
        return _format_decimal(number, VAS_DECIMALS)

    def _normalize_number(self, value: str) -> str:
        number = _parse_decimal(value, places=self.decimals)
        low = None if self.min is None else Decimal(str(self.min))
        high = None if self.max is None else Decimal(str(self.max))
        if low is not None and high is not None and not low <= number <= high:
            raise ValueError(f"{_quote(value)} ligger utanför {written(low)}–{written(high)}")
        if low is not None and number < low:
            raise ValueError(f"{_quote(value)} är mindre än det minsta tillåtna, {written(low)}")
        if high is not None and number > high:
            raise ValueError(f"{_quote(value)} är större än det största tillåtna, "
                             f"{written(high)}")
        return _format_decimal(number, self.decimals)

    def _normalize_date(self, value: str) -> str:
        day = parse_date(value)
        if day is None:
            raise ValueError(not_a_date(value))
        if isinstance(self.min, datetime.date) and day < self.min:
            raise ValueError(f"{_quote(value)} är före det tidigaste tillåtna datumet "
                             f"{self.min.isoformat()}")
        if isinstance(self.max, datetime.date) and day > self.max:
            raise ValueError(f"{_quote(value)} är efter det senaste tillåtna datumet "
                             f"{self.max.isoformat()}")
        return day.isoformat()

    def _normalize_text(self, value: str) -> str:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"texten är längre än {written(self.max_length)} tecken")
        return value


_NORMALIZERS = {
    "single": Item._normalize_code,
    "multiple": Item._normalize_code,
    "ordinal": Item._normalize_code,
    "yesno": Item._normalize_code,
    "vas": Item._normalize_vas,
    "number": Item._normalize_number,
    "date": Item._normalize_date,
    "text": Item._normalize_text,
    "longtext": Item._normalize_text,
}


@dataclass(frozen=True, kw_only=True)
class Score:
    """A scale score over several items, with the numbers that judge it and its change."""

    id: str
    label: Text
    method: str
    items: tuple[str, ...]
    max_missing: int = 0
    higher_is_better: bool = True
    cutoff: int | float | None = None
    rci: int | float | None = None
    meaningful_change: int | float | None = None
    item_flag_below: int | float | None = None
    drop_flag: int | float | None = None

    @property
    def is_flagged(self) -> bool:
        """Judged session by session (SRS flags) rather than by its course."""
        return self.drop_flag is not None or self.item_flag_below is not None

    @property
    def has_areas(self) -> bool:
        """A mean of several items, each an area with a course of its own (SKAPA)."""
        return self.method == "mean" and len(self.items) > 1


@dataclass(frozen=True)
class Indicator:
    id: str
    label: Text
    description: Text | None = None


class EnrolmentRole(StrEnum):
    """The part a registration form plays in a deltagare's enrolment in an insats."""

    STARTS = "starts"  # answered at the start, it starts the enrolment (inskrivning)
    ENDS = "ends"  # answered at the exit, it ends the enrolment (avslut)
    FOLLOW_UP = "follow-up"  # answered months after the exit (uppföljning)


class SessionChart(StrEnum):
    """The line an instrument draws in a deltagare's samtalsunderlag (ORS-SRS.md)."""

    OUTCOME = "outcome"  # how the deltagare has been (ORS), at the start of each session
    ALLIANCE = "alliance"  # how the session was (SRS), at its end


@dataclass(frozen=True)
class ReportedItem:
    """An item a report shows as a table of its own, under `title` (its text by default)."""

    item: str
    title: Text | None = None


@dataclass(frozen=True)
class KonItem:
    """The item that gives kön, so results are shown by kön; `unknown` is its code for
    kön not known, where a deltagare without an answer is counted."""

    item: str
    unknown: str | None = None


@dataclass(frozen=True)
class ExitReason:
    """The avslut's reason for leaving, and its codes that count as to work or studies."""

    item: str
    to_work_or_studies: tuple[str, ...]


@dataclass(frozen=True)
class SeekingWork:
    """The code of an item that says the deltagare is actively seeking work."""

    item: str
    code: str


@dataclass(frozen=True)
class Situation:
    """The follow-up's situation item, and how each exit reason reads among its codes."""

    item: str
    exit_reasons: tuple[tuple[str, str], ...]  # (exit reason code, situation code)

    def of_exit_reason(self, code: str) -> str | None:
        return dict(self.exit_reasons).get(code)


#: Where an instrument's tables come in a report when its file does not say.
DEFAULT_ORDER = 100


@dataclass(frozen=True, kw_only=True)
class Results:
    """What an instrument means for results beyond its indicators and scores (the file's
    ``results``): the id its tables take, their place, the items that split the results,
    and the roles of the registration forms. docs/instruments.md explains each key."""

    table: str | None = None
    order: int = DEFAULT_ORDER
    kon: KonItem | None = None
    split_by: tuple[str, ...] = ()
    enrolment: EnrolmentRole | None = None
    session_chart: SessionChart | None = None
    background: tuple[ReportedItem, ...] = ()
    before_after: tuple[ReportedItem, ...] = ()
    exit_reason: ExitReason | None = None
    seeking_work: SeekingWork | None = None
    situation: Situation | None = None
    #: the item giving the deltagare's försörjning sources (a registration form's)
    support: str | None = None


@dataclass(frozen=True)
class Source:
    owner: str
    licence: str
    verified: str
    url: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class Instrument:
    """A validated instrument version.

    ``canonical_json`` is the whole document in its canonical form; ``sha256`` is the
    content hash: of that document without its ``results``, which say how answers are
    reported and change no question (a better declaration needs no new version). Two
    instruments are equal when id, version and whole document are; `warnings` do not count.
    """

    id: str
    version: int
    title: Text
    description: Text | None = None
    audience: str
    rated_by: str
    anonymous: bool = False
    languages: tuple[str, ...]
    estimated_minutes: int | None = None
    timepoints: tuple[str, ...]
    source: Source
    scales: tuple[Scale, ...] = ()
    pages: tuple[Page, ...] = ()
    items: tuple[Item, ...]
    scores: tuple[Score, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    results: Results = field(default_factory=Results)
    canonical_json: str = field(repr=False)
    sha256: str
    warnings: tuple[Problem, ...] = field(default=(), repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instrument):
            return NotImplemented
        return ((self.id, self.version, self.sha256, self.canonical_json)
                == (other.id, other.version, other.sha256, other.canonical_json))

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.sha256))

    def __repr__(self) -> str:
        return f"Instrument(id={self.id!r}, version={self.version}, sha256={self.sha256[:12]!r}…)"

    @cached_property
    def _index(self) -> dict[str, dict[str, Any]]:
        """Lookup tables by id, built on first use (a cache, not part of the value)."""
        return {
            "item": {item.id: item for item in self.items},
            "score": {score.id: score for score in self.scores},
            "indicator": {indicator.id: indicator for indicator in self.indicators},
            "scale": {scale.name: scale for scale in self.scales},
            "page": {page.id: page for page in self.pages},
        }

    def _lookup(self, kind: str, key: str) -> Any:
        try:
            return self._index[kind][key]
        except KeyError:
            raise KeyError(f'instrument {self.id} has no {kind} "{key}"') from None

    def item(self, item_id: str) -> Item:
        return cast(Item, self._lookup("item", item_id))

    def score(self, score_id: str) -> Score:
        return cast(Score, self._lookup("score", score_id))

    def indicator(self, indicator_id: str) -> Indicator:
        return cast(Indicator, self._lookup("indicator", indicator_id))

    def scale(self, name: str) -> Scale:
        return cast(Scale, self._lookup("scale", name))

    def page(self, page_id: str) -> Page:
        return cast(Page, self._lookup("page", page_id))

    def matches_timepoint(self, timepoint: str) -> bool:
        """Whether the instrument may be answered at a concrete timepoint (``session-3``)."""
        return any(timepoint_matches(pattern, timepoint) for pattern in self.timepoints)

    def items_asked_at(self, timepoint: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.asked_at(timepoint))

    def definition(self) -> dict[str, Any]:
        """A fresh copy of the JSON document; changing it does not change the instrument."""
        return cast(dict[str, Any], json.loads(self.canonical_json))


def code_str(code: int | float | str) -> str:
    """The string form of a code: codes are written as strings in answers and CSV.

    JSON Schema counts ``5.0`` as an integer, so it is the code ``"5"`` too.
    """
    if isinstance(code, float):
        return str(int(code))
    return str(code)


def timepoint_matches(pattern: str, timepoint: str) -> bool:
    """``{n}`` in a pattern matches a positive integer written without leading zeros."""
    return _timepoint_regex(pattern).fullmatch(timepoint) is not None


@lru_cache(maxsize=512)
def _timepoint_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("[1-9][0-9]*".join(re.escape(part) for part in pattern.split("{n}")))


def takes_no_answer(item_id: str) -> str:
    """Why an answer to an information block is refused, wherever it is given."""
    return f'frågan "{item_id}" är ett informationsblock och har inget svar'


def not_a_date(value: str) -> str:
    """Why a value that `parse_date` refuses is refused, wherever a date is typed."""
    return f"{_quote(value)} är inget datum (ÅÅÅÅ-MM-DD)"


def parse_date(value: str) -> datetime.date | None:
    """The date of a strict ``YYYY-MM-DD`` string, or None."""
    if not _DATE.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _parse_decimal(value: str, places: int) -> Decimal:
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"{_quote(value)} är inget tal")
    number = Decimal(value.replace(",", "."))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"{_quote(value)} {_too_many_decimals(places)}")
    return number


def _code_decimals(code: str) -> int:
    """The decimals of a code that is a number ("4.5": 1), 0 for any other code."""
    try:
        exponent = Decimal(code).as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _too_many_decimals(places: int) -> str:
    if places == 0:
        return "är inget heltal"
    if places == 1:
        return "har mer än en decimal"
    return f"har mer än {places} decimaler"


def _format_decimal(number: Decimal, places: int) -> str:
    rounded = number.quantize(Decimal(1).scaleb(-places))
    return f"{abs(rounded) if rounded == 0 else rounded:f}"


def _quote(value: str) -> str:
    shown = value if len(value) <= _QUOTE_LIMIT else value[: _QUOTE_LIMIT - 1] + "…"
    return f'"{shown}"'
