"""The semantic checks of an instrument's ``results``: every item it names is an item of
the instrument of a kind that can play the part, every code is one of the item's codes,
and the registration keys go with the enrolment role they belong to.

The checks run after the JSON Schema, on the raw document, through the checker of
`enkat.instruments.semantics` (its ``ok``, ``valid_item``, ``item_codes`` and ``error``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from enkat.instruments.model import EnrolmentRole, code_str
from enkat.instruments.problems import not_one_of, unknown, wrong_type
from enkat.instruments.schema import Path

if TYPE_CHECKING:
    from enkat.instruments.semantics import _Checker

#: The item types that can play each part: one answer to count by, or codes to count.
_ONE_CODE = ("single", "yesno")
_CODED = ("single", "multiple", "yesno")
#: The registration keys and the enrolment role whose form carries them.
_ROLE_OF_KEY = {
    "background": EnrolmentRole.STARTS,
    "before_after": EnrolmentRole.ENDS,
    "exit_reason": EnrolmentRole.ENDS,
    "seeking_work": EnrolmentRole.ENDS,
    "situation": EnrolmentRole.FOLLOW_UP,
}


def check_results(checker: _Checker) -> None:
    base: Path = ("results",)
    if not checker.ok(base):
        return
    results: dict[str, Any] = checker.get(base)
    if "kon" in results:
        codes = _item(checker, (*base, "kon", "item"), _ONE_CODE)
        if codes is not None and "unknown" in results["kon"]:
            _code(checker, (*base, "kon", "unknown"), results["kon"]["unknown"], codes)
    for index, _ in enumerate(results.get("split_by", ())):
        _item(checker, (*base, "split_by", index), _ONE_CODE)
    for key in ("background", "before_after"):
        for index, _ in enumerate(results.get(key, ())):
            _item(checker, (*base, key, index, "item"), _ONE_CODE if key == "background"
                  else _CODED)
    if "exit_reason" in results:
        path = (*base, "exit_reason")
        codes = _item(checker, (*path, "item"), ("single",))
        for index, code in enumerate(results["exit_reason"]["to_work_or_studies"]):
            _code(checker, (*path, "to_work_or_studies", index), code, codes)
    if "seeking_work" in results:
        path = (*base, "seeking_work")
        codes = _item(checker, (*path, "item"), _CODED)
        _code(checker, (*path, "code"), results["seeking_work"]["code"], codes)
    if "situation" in results:
        path = (*base, "situation")
        codes = _item(checker, (*path, "item"), ("single",))
        for reason, code in results["situation"]["exit_reasons"].items():
            _code(checker, (*path, "exit_reasons", reason), code, codes)
    if "support" in results:
        _item(checker, (*base, "support", "item"), _CODED)
    _check_roles(checker, results)


def _item(checker: _Checker, path: Path, kinds: tuple[str, ...]) -> list[str] | None:
    """Check that the item named at `path` exists and is of one of `kinds`; its codes."""
    item_id = checker.get(path)
    if item_id not in checker.positions:
        checker.error(path, unknown("frågan", item_id))
        return None
    item = checker.valid_item(item_id)
    if item is None:
        return None
    if item["type"] not in kinds:
        checker.error(path, wrong_type(item_id, item["type"], f'"{path[1]}"', kinds))
        return None
    codes = checker.item_codes(item)
    return None if codes is None else codes.all


def _code(checker: _Checker, path: Path, code: Any, codes: list[str] | None) -> None:
    if codes is not None and code_str(code) not in codes:
        checker.error(path, not_one_of(f'"{code_str(code)}"', "en kod i frågan", codes))


def _check_roles(checker: _Checker, results: dict[str, Any]) -> None:
    """A registration key belongs on the form with its enrolment role."""
    declared = results.get("enrolment")
    if "support" in results and declared is None:
        checker.error(("results", "support"), 'hör till ett formulär med en roll i "enrolment"')
    for key, role in _ROLE_OF_KEY.items():
        if key in results and declared != role:
            checker.error(("results", key), f'hör till ett formulär med "enrolment": "{role}"')
