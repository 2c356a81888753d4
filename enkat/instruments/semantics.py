"""Checks that the JSON Schema cannot express: references, uniqueness, languages, order.

The checks run on the raw document after the schema. A part that failed the schema (an
item, a scale, a score, ...) is not checked again, so a broken document gives the
schema's message without follow-up noise, and no check ever meets a value of the wrong
shape. References *to* a broken part are still checked for existence where that is safe.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from enkat.instruments.model import (
    CODED_TYPES,
    INDICATOR_TYPES,
    SCORABLE_TYPES,
    YES_NO_OPTIONS,
    code_str,
    not_a_date,
    parse_date,
    takes_no_answer,
    timepoint_matches,
)
from enkat.instruments.problems import (
    Severity,
    listed_twice,
    missing_key,
    not_a_code,
    not_one_of,
    unknown,
    written,
    wrong_type,
)
from enkat.instruments.results_semantics import check_results
from enkat.instruments.schema import Path, instrument_schema

Finding = tuple[Path, str, Severity]

_MISSING = object()
_ITEM_TYPES = frozenset(instrument_schema()["$defs"]["Item"]["properties"]["type"]["enum"])


class _Codes(NamedTuple):
    all: list[str]
    positive: list[str]


def semantic_problems(data: Any, schema_error_paths: Sequence[Path]) -> list[Finding]:
    """Every semantic problem of a document, errors and warnings, in check order."""
    if not isinstance(data, dict):
        return []
    return _Checker(data, schema_error_paths).run()


class _Checker:
    def __init__(self, data: dict[str, Any], schema_error_paths: Sequence[Path]) -> None:
        self.data = data
        self.bad = schema_error_paths
        self.findings: list[Finding] = []
        self.items = self.list_at("items")
        self.scales = self._valid_scales()
        self.positions = self._positions()

    # --- access -------------------------------------------------------------------

    def get(self, path: Path) -> Any:
        value: Any = self.data
        for part in path:
            if isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value):
                value = value[part]
            elif isinstance(part, str) and isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return _MISSING
        return value

    def ok(self, path: Path) -> bool:
        """Whether the element exists and no schema error lies at or inside it.

        The schema checks an item's keys only once its ``type`` is known, so nothing
        inside an item without a valid type counts as checked.
        """
        if self.get(path) is _MISSING:
            return False
        if len(path) > 2 and path[0] == "items" and not self._typed(path[1]):
            return False
        size = len(path)
        return not any(bad[:size] == path for bad in self.bad)

    def _typed(self, index: Any) -> bool:
        item = self.items[index]
        return (
            isinstance(item, dict)
            and isinstance(item.get("type"), str)
            and item["type"] in _ITEM_TYPES
        )

    def list_at(self, *path: str | int) -> list[Any]:
        value = self.get(path)
        return value if isinstance(value, list) else []

    def declares(self, path: Path, kind: type) -> bool:
        """Whether references into this container can be judged: it is absent or well formed."""
        value: Any = self.data
        for key in path:
            if not isinstance(value, dict):
                return False
            if key not in value:
                return True
            value = value[key]
        return isinstance(value, kind)

    def used(self, key: str) -> set[str]:
        """The values of an item key (scale, page, indicator) across all items."""
        return {
            item[key]
            for item in self.items
            if isinstance(item, dict) and isinstance(item.get(key), str)
        }

    def _valid_scales(self) -> dict[str, Any]:
        scales = self.get(("scales",))
        if not isinstance(scales, dict):
            return {}
        return {name: scale for name, scale in scales.items() if self.ok(("scales", name))}

    def _positions(self) -> dict[str, int]:
        """Item id -> index of its first occurrence, for every item whose id is valid."""
        found: dict[str, int] = {}
        for index, item in enumerate(self.items):
            if self.ok(("items", index, "id")):
                found.setdefault(item["id"], index)
        return found

    def valid_item(self, item_id: str) -> dict[str, Any] | None:
        index = self.positions.get(item_id)
        if index is None or not self.ok(("items", index)):
            return None
        item: dict[str, Any] = self.items[index]
        return item

    def item_codes(self, item: dict[str, Any]) -> _Codes | None:
        """The codes of a valid coded item, or None when they cannot be known."""
        kind = item["type"]
        if kind == "yesno":
            return _Codes(
                [option.code for option in YES_NO_OPTIONS], list(item.get("positive", []))
            )
        if kind not in CODED_TYPES:
            return None
        owner = self.scales.get(item["scale"]) if "scale" in item else item
        if owner is None:
            return None
        options = owner["codes"] if "scale" in item else owner["options"]
        return _Codes(
            [code_str(option["code"]) for option in options],
            [code_str(code) for code in owner.get("positive", [])],
        )

    def error(self, path: Path, message: str) -> None:
        self.findings.append((path, message, "error"))

    def warn(self, path: Path, message: str) -> None:
        self.findings.append((path, message, "warning"))

    # --- checks -------------------------------------------------------------------

    def run(self) -> list[Finding]:
        self.check_languages()
        self.check_scales()
        self.check_pages()
        self.check_items()
        self.check_scores()
        self.check_indicators()
        check_results(self)
        return self.findings

    def check_languages(self) -> None:
        if not self.ok(("languages",)):
            return
        languages: list[str] = self.data["languages"]
        if "en" not in languages:
            self.warn(("languages",), '"en" saknas i languages; texter på engelska förväntas')
        for path in self._text_paths():
            text = self.get(path)
            if isinstance(text, dict) and self.ok(path):
                self._check_text(path, text, languages)

    def _check_text(self, path: Path, text: dict[str, str], languages: list[str]) -> None:
        for lang in languages:
            if lang not in text:
                self.error(path, f'texten på "{lang}" saknas ("{lang}" står i languages)')
        for lang in text:
            if lang not in languages:
                self.error(path, not_one_of(f'"{lang}"', "ett av språken i languages",
                                            languages))

    def _text_paths(self) -> Iterator[Path]:
        yield ("title",)
        yield ("description",)
        scales = self.get(("scales",))
        for name in scales if isinstance(scales, dict) else ():
            for index in range(len(self.list_at("scales", name, "codes"))):
                yield ("scales", name, "codes", index, "label")
        for index in range(len(self.list_at("pages"))):
            yield ("pages", index, "title")
            yield ("pages", index, "intro")
        for index in range(len(self.items)):
            yield from (("items", index, key) for key in ("text", "help", "unit"))
            yield from (("items", index, "anchors", end) for end in ("low", "high"))
            for option in range(len(self.list_at("items", index, "options"))):
                yield ("items", index, "options", option, "label")
        for index in range(len(self.list_at("scoring", "scores"))):
            yield ("scoring", "scores", index, "label")
        for index in range(len(self.list_at("scoring", "indicators"))):
            yield ("scoring", "indicators", index, "label")
            yield ("scoring", "indicators", index, "description")
        for key in ("background", "before_after"):
            for index in range(len(self.list_at("results", key))):
                yield ("results", key, index, "title")

    def check_scales(self) -> None:
        used = self.used("scale")
        for name, scale in self.scales.items():
            self._check_code_set(("scales", name), scale, "codes", f'skalan "{name}"')
            if name not in used:
                self.warn(("scales", name), _unused(f'skalan "{name}"'))

    def _check_code_set(self, path: Path, owner: dict[str, Any], key: str,
                        owner_words: str) -> None:
        """Codes are unique; missing and positive codes are among them and do not overlap."""
        codes: list[str] = []
        for index, option in enumerate(owner[key]):
            code = code_str(option["code"])
            if code in codes:
                self.error((*path, key, index, "code"), listed_twice(f'koden "{code}"'))
            codes.append(code)
        missing = [code_str(code) for code in owner.get("missing", [])]
        for group in ("missing", "positive"):
            for index, raw in enumerate(owner.get(group, [])):
                code = code_str(raw)
                if code not in codes:
                    self.error((*path, group, index), not_a_code(code, owner_words))
                elif group == "positive" and code in missing:
                    self.error((*path, group, index), f'"{code}" kan inte vara både en kod för '
                                                      "bortfall och en positiv kod")

    def check_pages(self) -> None:
        used = self.used("page")
        self._check_unique_ids(("pages",), "sidorna")
        for index, page in enumerate(self.list_at("pages")):
            if self.ok(("pages", index, "id")) and page["id"] not in used:
                self.warn(("pages", index), f'sidan "{page["id"]}" har inga frågor')

    def _check_unique_ids(self, path: Path, among: str) -> None:
        seen: set[str] = set()
        for index, entry in enumerate(self.list_at(*path)):
            if not self.ok((*path, index, "id")):
                continue
            if entry["id"] in seen:
                self.error((*path, index, "id"), _id_twice(entry["id"], among))
            seen.add(entry["id"])

    # --- items --------------------------------------------------------------------

    def check_items(self) -> None:
        for index, item in enumerate(self.items):
            if self.ok(("items", index, "id")) and self.positions[item["id"]] != index:
                self.error(("items", index, "id"), _id_twice(item["id"], "frågorna"))
            if self.ok(("items", index)):
                self._check_item(("items", index), item)
        if self.declares(("pages",), list):
            self._check_item_pages()

    def _check_item(self, path: Path, item: dict[str, Any]) -> None:
        if "options" in item:
            self._check_code_set(path, item, "options", "svarsalternativen")
        if "scale" in item:
            self._check_item_scale(path, item)
        self._check_bounds(path, item)
        self._check_item_timepoints(path, item)
        if "indicator" in item:
            self._check_item_indicator((*path, "indicator"), item)
        if "show_if" in item:
            self._check_condition((*path, "show_if"), path[1], item["show_if"])

    def _check_item_scale(self, path: Path, item: dict[str, Any]) -> None:
        name = item["scale"]
        if name not in self.scales:
            if self.declares(("scales",), dict) and self.get(("scales", name)) is _MISSING:
                self.error((*path, "scale"), unknown("skalan", name))
            return
        if item["type"] == "ordinal":
            words = [
                option["code"]
                for option in self.scales[name]["codes"]
                if isinstance(option["code"], str)
            ]
            if words:
                self.error((*path, "scale"), "en fråga av typen ordinal behöver heltal som "
                                             f'koder; skalan "{name}" har "{words[0]}"')

    def _check_bounds(self, path: Path, item: dict[str, Any]) -> None:
        low_key, high_key = (
            ("min_selected", "max_selected") if item["type"] == "multiple" else ("min", "max")
        )
        if item["type"] == "date":
            low, high = self._date(path, item, "min"), self._date(path, item, "max")
        else:
            low, high = item.get(low_key), item.get(high_key)
        if low is not None and high is not None and low > high:
            self.error(path, f"{low_key} ({_plain(low)}) är större än {high_key} ({_plain(high)})")
        codes = self.item_codes(item) if item["type"] == "multiple" else None
        if codes is not None and low is not None and low > len(codes.all):
            self.error((*path, low_key),
                       f"får inte vara fler än antalet koder ({written(len(codes.all))})")

    def _date(self, path: Path, item: dict[str, Any], key: str) -> Any:
        if key not in item:
            return None
        day = parse_date(item[key])
        if day is None:
            self.error((*path, key), not_a_date(item[key]))
        return day

    def _check_item_timepoints(self, path: Path, item: dict[str, Any]) -> None:
        if not self.ok(("timepoints",)):
            return
        declared: list[str] = self.data["timepoints"]
        for index, timepoint in enumerate(item.get("timepoints", [])):
            if timepoint not in declared and not any(
                timepoint_matches(p, timepoint) for p in declared
            ):
                self.error((*path, "timepoints", index),
                           not_one_of(f'"{timepoint}"', "en av instrumentets mätpunkter",
                                      declared))

    def _check_item_indicator(self, path: Path, item: dict[str, Any]) -> None:
        indicators = ("scoring", "indicators")
        if self.declares(indicators, list) and item["indicator"] not in self._declared_ids(
            indicators
        ):
            self.error(path, unknown("indikatorn", item["indicator"])
                       + " (lägg till den i scoring.indicators)")
        if item["type"] not in INDICATOR_TYPES:
            self.error(path, wrong_type(item["id"], item["type"], "en indikator",
                                        INDICATOR_TYPES))
            return
        codes = self.item_codes(item)
        if codes is not None and not codes.positive:
            self.error(path, f'frågan "{item["id"]}" har inga positiva koder, som en '
                             "indikator behöver")

    def _declared_ids(self, path: Path) -> set[str]:
        return {
            entry["id"]
            for index, entry in enumerate(self.list_at(*path))
            if self.ok((*path, index, "id"))
        }

    def _check_condition(self, path: Path, index: Any, condition: dict[str, Any]) -> None:
        target_id = condition["item"]
        target_index = self.positions.get(target_id)
        if target_index is None:
            self.error((*path, "item"), unknown("frågan", target_id))
        elif target_index >= index:
            itself = target_index == index
            self.error((*path, "item"),
                       f'"{target_id}" är {"frågan själv" if itself else "en senare fråga"}; '
                       "ett villkor kan bara gälla en tidigare fråga")
        else:
            target = self.valid_item(target_id)
            if target is not None:
                self._check_condition_target(path, condition, target)

    def _check_condition_target(
        self, path: Path, condition: dict[str, Any], target: dict[str, Any]
    ) -> None:
        if target["type"] == "info":
            self.error((*path, "item"), takes_no_answer(target["id"]))
            return
        if "answered" in condition:
            return
        if target["type"] not in CODED_TYPES:
            self.error(path, f'ett villkor på en fråga av typen {target["type"]} kan bara '
                             'använda "answered"')
            return
        codes = self.item_codes(target)
        if codes is None:
            return
        if "equals" in condition:
            given = [((*path, "equals"), condition["equals"])]
        else:
            given = [((*path, "in", number), code) for number, code in enumerate(condition["in"])]
        for where, code in given:
            if code_str(code) not in codes.all:
                self.error(where, not_a_code(code_str(code), f'frågan "{target["id"]}"'))

    def _check_item_pages(self) -> None:
        """Every item names a known page when there are pages; a page's items are consecutive
        and pages come in the order of ``pages``."""
        pages = self.list_at("pages")
        order = {page["id"]: n for n, page in enumerate(pages) if self.ok(("pages", n, "id"))}
        current: str | None = None
        left: set[str] = set()
        for index, item in enumerate(self.items):
            if not self.ok(("items", index)):
                continue
            page = item.get("page")
            if page is None:
                if pages:
                    self.error(("items", index), missing_key("page")
                               + " (instrumentet har sidor, så varje fråga behöver en)")
            elif page not in order:
                self.error(("items", index, "page"), unknown("sidan", page))
            else:
                if current is not None and page != current:
                    self._check_page_change(("items", index, "page"), page, current, order, left)
                    left.add(current)
                current = page

    def _check_page_change(
        self, path: Path, page: str, current: str, order: dict[str, int], left: set[str]
    ) -> None:
        if page in left:
            self.error(path, f'frågorna på sidan "{page}" måste stå i följd '
                             f'(sidan "{current}" kommer emellan)')
        elif order[page] < order[current]:
            self.error(path, f'sidan "{page}" står före sidan "{current}" i pages, men dess '
                             "frågor kommer efter")

    # --- scoring ------------------------------------------------------------------

    def check_scores(self) -> None:
        self._check_unique_ids(("scoring", "scores"), "poängen")
        for index, score in enumerate(self.list_at("scoring", "scores")):
            if self.ok(("scoring", "scores", index)):
                self._check_score(("scoring", "scores", index), score)

    def _check_score(self, path: Path, score: dict[str, Any]) -> None:
        for number, item_id in enumerate(score["items"]):
            target = self.valid_item(item_id)
            if item_id not in self.positions:
                if self.declares(("items",), list):
                    self.error((*path, "items", number), unknown("frågan", item_id))
            elif target is not None and target["type"] not in SCORABLE_TYPES:
                self.error((*path, "items", number),
                           wrong_type(item_id, target["type"], "en poäng", SCORABLE_TYPES))
        if score.get("max_missing", 0) >= len(score["items"]):
            self.error((*path, "max_missing"),
                       f"måste vara mindre än antalet frågor ({written(len(score['items']))})")

    def check_indicators(self) -> None:
        self._check_unique_ids(("scoring", "indicators"), "indikatorerna")
        used = self.used("indicator")
        for index, indicator in enumerate(self.list_at("scoring", "indicators")):
            if self.ok(("scoring", "indicators", index, "id")) and indicator["id"] not in used:
                self.warn(("scoring", "indicators", index),
                          _unused(f'indikatorn "{indicator["id"]}"'))


def _unused(what: str) -> str:
    """A scale or an indicator that nothing refers to (a warning)."""
    return f"{what} används inte av någon fråga"


def _id_twice(entry_id: str, among: str) -> str:
    return listed_twice(f'id "{entry_id}"') + f" bland {among}"


def _plain(value: Any) -> str:
    """A bound in a message: dates as ISO, numbers as a Swedish reader writes them."""
    return value.isoformat() if hasattr(value, "isoformat") else written(value)
