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
    parse_date,
    timepoint_matches,
)
from enkat.instruments.problems import Severity
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
        return self.findings

    def check_languages(self) -> None:
        if not self.ok(("languages",)):
            return
        languages: list[str] = self.data["languages"]
        if "en" not in languages:
            self.warn(("languages",), '"en" is not listed; English texts are expected')
        for path in self._text_paths():
            text = self.get(path)
            if isinstance(text, dict) and self.ok(path):
                self._check_text(path, text, languages)

    def _check_text(self, path: Path, text: dict[str, str], languages: list[str]) -> None:
        for lang in languages:
            if lang not in text:
                self.error(path, f'missing the "{lang}" text ("{lang}" is in languages)')
        for lang in text:
            if lang not in languages:
                self.error(path, f'"{lang}" is not one of the languages ({", ".join(languages)})')

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

    def check_scales(self) -> None:
        used = self.used("scale")
        for name, scale in self.scales.items():
            self._check_code_set(("scales", name), scale, "codes", f'scale "{name}"')
            if name not in used:
                self.warn(("scales", name), f'scale "{name}" is not used by any item')

    def _check_code_set(self, path: Path, owner: dict[str, Any], key: str, what: str) -> None:
        """Codes are unique; missing and positive codes are among them and do not overlap."""
        codes: list[str] = []
        for index, option in enumerate(owner[key]):
            code = code_str(option["code"])
            if code in codes:
                self.error((*path, key, index, "code"), f'duplicate code "{code}"')
            codes.append(code)
        missing = [code_str(code) for code in owner.get("missing", [])]
        for group in ("missing", "positive"):
            for index, raw in enumerate(owner.get(group, [])):
                code = code_str(raw)
                if code not in codes:
                    self.error((*path, group, index), f'"{code}" is not a code of {what}')
                elif group == "positive" and code in missing:
                    self.error(
                        (*path, group, index),
                        f'"{code}" cannot be both a missing and a positive code',
                    )

    def check_pages(self) -> None:
        used = self.used("page")
        self._check_unique_ids(("pages",), "page")
        for index, page in enumerate(self.list_at("pages")):
            if self.ok(("pages", index, "id")) and page["id"] not in used:
                self.warn(("pages", index), f'page "{page["id"]}" has no items')

    def _check_unique_ids(self, path: Path, kind: str) -> None:
        seen: set[str] = set()
        for index, entry in enumerate(self.list_at(*path)):
            if not self.ok((*path, index, "id")):
                continue
            if entry["id"] in seen:
                self.error((*path, index, "id"), f'duplicate {kind} id "{entry["id"]}"')
            seen.add(entry["id"])

    # --- items --------------------------------------------------------------------

    def check_items(self) -> None:
        for index, item in enumerate(self.items):
            if self.ok(("items", index, "id")) and self.positions[item["id"]] != index:
                self.error(("items", index, "id"), f'duplicate item id "{item["id"]}"')
            if self.ok(("items", index)):
                self._check_item(("items", index), item)
        if self.declares(("pages",), list):
            self._check_item_pages()

    def _check_item(self, path: Path, item: dict[str, Any]) -> None:
        if "options" in item:
            self._check_code_set(path, item, "options", "the options")
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
                self.error((*path, "scale"), f'unknown scale "{name}"')
            return
        if item["type"] == "ordinal":
            words = [
                option["code"]
                for option in self.scales[name]["codes"]
                if isinstance(option["code"], str)
            ]
            if words:
                self.error(
                    (*path, "scale"),
                    f'an ordinal item needs integer codes; scale "{name}" has "{words[0]}"',
                )

    def _check_bounds(self, path: Path, item: dict[str, Any]) -> None:
        low_key, high_key = (
            ("min_selected", "max_selected") if item["type"] == "multiple" else ("min", "max")
        )
        if item["type"] == "date":
            low, high = self._date(path, item, "min"), self._date(path, item, "max")
        else:
            low, high = item.get(low_key), item.get(high_key)
        if low is not None and high is not None and low > high:
            self.error(
                path, f"{low_key} ({_plain(low)}) is greater than {high_key} ({_plain(high)})"
            )
        codes = self.item_codes(item) if item["type"] == "multiple" else None
        if codes is not None and low is not None and low > len(codes.all):
            self.error(
                (*path, low_key), f"must not be more than the number of codes ({len(codes.all)})"
            )

    def _date(self, path: Path, item: dict[str, Any], key: str) -> Any:
        if key not in item:
            return None
        day = parse_date(item[key])
        if day is None:
            self.error((*path, key), f'"{item[key]}" is not a date (YYYY-MM-DD)')
        return day

    def _check_item_timepoints(self, path: Path, item: dict[str, Any]) -> None:
        if not self.ok(("timepoints",)):
            return
        declared: list[str] = self.data["timepoints"]
        for index, timepoint in enumerate(item.get("timepoints", [])):
            if timepoint not in declared and not any(
                timepoint_matches(p, timepoint) for p in declared
            ):
                listed = ", ".join(declared)
                self.error(
                    (*path, "timepoints", index),
                    f'"{timepoint}" is not one of the instrument\'s timepoints ({listed})',
                )

    def _check_item_indicator(self, path: Path, item: dict[str, Any]) -> None:
        indicators = ("scoring", "indicators")
        if self.declares(indicators, list) and item["indicator"] not in self._declared_ids(
            indicators
        ):
            self.error(
                path, f'unknown indicator "{item["indicator"]}" (declare it in scoring.indicators)'
            )
        if item["type"] not in INDICATOR_TYPES:
            self.error(
                path, f"an indicator needs an ordinal, single or yesno item, not {item['type']}"
            )
            return
        codes = self.item_codes(item)
        if codes is not None and not codes.positive:
            self.error(path, f'item "{item["id"]}" has no positive codes, which an indicator needs')

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
            self.error((*path, "item"), f'unknown item "{target_id}"')
        elif target_index >= index:
            which = "this item itself" if target_index == index else "a later item"
            self.error(
                (*path, "item"),
                f'"{target_id}" is {which}; a condition can only refer to an earlier item',
            )
        else:
            target = self.valid_item(target_id)
            if target is not None:
                self._check_condition_target(path, condition, target)

    def _check_condition_target(
        self, path: Path, condition: dict[str, Any], target: dict[str, Any]
    ) -> None:
        if target["type"] == "info":
            self.error(
                (*path, "item"),
                f'item "{target["id"]}" is an information block and takes no answer',
            )
            return
        if "answered" in condition:
            return
        if target["type"] not in CODED_TYPES:
            self.error(path, f'a condition on a {target["type"]} item can only use "answered"')
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
                self.error(where, f'"{code_str(code)}" is not a code of item "{target["id"]}"')

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
                    self.error(
                        ("items", index),
                        'missing "page" (the instrument has pages, so every item needs one)',
                    )
            elif page not in order:
                self.error(("items", index, "page"), f'unknown page "{page}"')
            else:
                if current is not None and page != current:
                    self._check_page_change(("items", index, "page"), page, current, order, left)
                    left.add(current)
                current = page

    def _check_page_change(
        self, path: Path, page: str, current: str, order: dict[str, int], left: set[str]
    ) -> None:
        if page in left:
            self.error(
                path, f'items of page "{page}" must be consecutive (page "{current}" comes between)'
            )
        elif order[page] < order[current]:
            self.error(
                path,
                f'page "{page}" is listed before page "{current}" in pages, '
                "but its items come after",
            )

    # --- scoring ------------------------------------------------------------------

    def check_scores(self) -> None:
        self._check_unique_ids(("scoring", "scores"), "score")
        for index, score in enumerate(self.list_at("scoring", "scores")):
            if self.ok(("scoring", "scores", index)):
                self._check_score(("scoring", "scores", index), score)

    def _check_score(self, path: Path, score: dict[str, Any]) -> None:
        for number, item_id in enumerate(score["items"]):
            target = self.valid_item(item_id)
            if item_id not in self.positions:
                if self.declares(("items",), list):
                    self.error((*path, "items", number), f'unknown item "{item_id}"')
            elif target is not None and target["type"] not in SCORABLE_TYPES:
                self.error(
                    (*path, "items", number),
                    f'item "{item_id}" is a {target["type"]} item; '
                    "a score needs ordinal, vas or number items",
                )
        if score.get("max_missing", 0) >= len(score["items"]):
            self.error(
                (*path, "max_missing"),
                f"must be less than the number of items ({len(score['items'])})",
            )

    def check_indicators(self) -> None:
        self._check_unique_ids(("scoring", "indicators"), "indicator")
        used = self.used("indicator")
        for index, indicator in enumerate(self.list_at("scoring", "indicators")):
            if self.ok(("scoring", "indicators", index, "id")) and indicator["id"] not in used:
                self.warn(
                    ("scoring", "indicators", index),
                    f'indicator "{indicator["id"]}" is not used by any item',
                )


def _plain(value: Any) -> str:
    """A bound in a message: dates as ISO, numbers as written."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
