"""The corpus of broken instruments: each file gives exactly the expected problem lines."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from enkat.instruments import InstrumentError, check_paths, load_directory, load_file

HERE = Path(__file__).parent
BROKEN = HERE / "broken"


def expected_lines() -> dict[str, list[str]]:
    table: dict[str, list[str]] = defaultdict(list)
    for line in (BROKEN / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            origin = line.split(" ", 1)[0].removesuffix(":")
            table[origin].append(line)
    return table


EXPECTED = expected_lines()
BROKEN_FILES = sorted(BROKEN.glob("*.json"))


def test_corpus_is_large_and_complete() -> None:
    names = {f"broken/{path.name}" for path in BROKEN_FILES}
    assert len(names) >= 20
    assert names == set(EXPECTED)


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda path: path.stem)
def test_broken_file_gives_exactly_its_problems(path: Path) -> None:
    origin = f"broken/{path.name}"
    with pytest.raises(InstrumentError) as caught:
        load_file(path, origin=origin)
    assert str(caught.value).splitlines() == EXPECTED[origin]
    assert [str(problem) for problem in caught.value.problems] == EXPECTED[origin]
    assert all(problem.severity == "error" for problem in caught.value.problems)


def test_several_problems_are_all_collected() -> None:
    assert len(EXPECTED["broken/several-problems.json"]) >= 5


def test_a_directory_collects_the_problems_of_every_file() -> None:
    with pytest.raises(InstrumentError) as caught:
        load_directory(BROKEN)
    lines = str(caught.value).splitlines()
    assert len(lines) == sum(len(found) for found in EXPECTED.values())
    assert {line.split(" ", 1)[0].removesuffix(":") for line in lines} == {
        str(path) for path in BROKEN_FILES
    }


def test_check_paths_reports_warnings_beside_errors() -> None:
    problems = check_paths([BROKEN / "empty-items.json"])
    assert [str(problem) for problem in problems] == [
        f"{BROKEN / 'empty-items.json'} /items: måste ha minst 1 post",
        f"{BROKEN / 'empty-items.json'} /scales/skala: "
        'varning: skalan "skala" används inte av någon fråga',
    ]
