"""Read instrument files, check them completely, and build `Instrument` objects.

Every entry point collects *all* problems (JSON, schema, semantic) before it gives up,
so an administrator can fix a file in one round. Nothing here raises anything but
`InstrumentError` for a bad document.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from enkat.instruments.build import build_instrument
from enkat.instruments.model import Instrument
from enkat.instruments.problems import (
    InstrumentError,
    Problem,
    invalid_json,
    listed_twice,
    pointer_of,
)
from enkat.instruments.schema import schema_errors
from enkat.instruments.semantics import semantic_problems

PathLike = str | os.PathLike[str]

_UTF8_BOM = b"\xef\xbb\xbf"

_PYTHON_TYPE = re.compile(r"type (\w+)")
_OS_REASONS = {
    errno.EACCES: "behörighet saknas",
    errno.EISDIR: "det är en mapp",
    errno.ENOENT: "filen finns inte",
    errno.EIO: "läsfel",
}


class _NotJson(ValueError):
    """Valid to Python's json module, but not JSON, or ambiguous: NaN, repeated keys."""


def canonical_json(data: Any) -> str:
    """The form that is hashed: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def sha256_of(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def content_sha256(data: Mapping[str, Any]) -> str:
    """The content hash of a checked document: of everything but its ``results``.

    The hash says whether two versions ask the same: a response is only ever matched
    to the content it answered. ``results`` says how the answers are reported, so a
    förbund may correct it without a new version and without the stored one refusing."""
    return sha256_of({key: value for key, value in data.items() if key != "results"})


def load_text(text: str | bytes, origin: str) -> Instrument:
    return _raise_or_return(*analyse_text(text, origin))


def load_data(data: Any, origin: str) -> Instrument:
    return _raise_or_return(*analyse_data(data, origin))


def load_file(path: PathLike, origin: str | None = None) -> Instrument:
    """Load one file; ``origin`` (the name used in messages) defaults to the path as given."""
    return _raise_or_return(*analyse_file(Path(path), str(path) if origin is None else origin))


def load_directory(path: PathLike) -> dict[str, Instrument]:
    """Every ``*.json`` file of a directory, by instrument id; one error for all problems."""
    instruments, problems = analyse_directory(Path(path))
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        raise InstrumentError(errors)
    return instruments


def check_paths(paths: Iterable[PathLike]) -> list[Problem]:
    """All problems, warnings included, of files and directories (``enkat instruments check``)."""
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            problems.extend(analyse_directory(path)[1])
        elif path.exists():
            problems.extend(analyse_file(path, str(given))[1])
        else:
            problems.append(Problem(str(given), "", "filen eller mappen finns inte"))
    return problems


def bundled_directory() -> Path:
    """The instruments shipped with enkat: inside the installed package, else the repository's."""
    package = Path(__file__).resolve().parent
    installed = package.parent / "bundled_instruments"
    return installed if installed.is_dir() else package.parents[1] / "instruments"


# --- analysis: (instrument or None, problems) -----------------------------------------


def analyse_directory(directory: Path) -> tuple[dict[str, Instrument], list[Problem]]:
    if not directory.is_dir():
        return {}, [Problem(str(directory), "", "är ingen mapp")]
    instruments: dict[str, Instrument] = {}
    origins: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(p for p in directory.glob("*.json") if p.is_file()):
        instrument, found = analyse_file(path, str(path))
        problems.extend(found)
        if instrument is None:
            continue
        if instrument.id in instruments:
            message = f'instrumentet "{instrument.id}" finns redan i {origins[instrument.id]}'
            problems.append(Problem(str(path), "/id", message))
        else:
            instruments[instrument.id] = instrument
            origins[instrument.id] = str(path)
    return instruments, problems


def analyse_file(path: Path, origin: str) -> tuple[Instrument | None, list[Problem]]:
    try:
        content = path.read_bytes()
    except OSError as error:
        return None, [Problem(origin, "", f"filen kan inte läsas: {_os_reason(error)}")]
    return analyse_text(content, origin)


def analyse_text(text: str | bytes, origin: str) -> tuple[Instrument | None, list[Problem]]:
    if isinstance(text, bytes):
        try:
            text = _decode(text)
        except UnicodeDecodeError as error:
            return None, [Problem(origin, "", _not_utf8(error))]
    try:
        data = _parse(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        return None, [Problem(origin, "", invalid_json(error))]
    except (_NotJson, RecursionError) as error:
        words = str(error) if isinstance(error, _NotJson) else "för djupt nästlad"
        return None, [Problem(origin, "", f"ogiltig JSON: {words}")]
    return analyse_data(data, origin)


def analyse_data(data: Any, origin: str) -> tuple[Instrument | None, list[Problem]]:
    try:
        canonical = canonical_json(data)
    except (TypeError, ValueError, RecursionError) as error:
        return None, [Problem(origin, "/", f"inte JSON-data: {_not_json_data(error)}")]
    # Check exactly what is hashed: the caller's object may hold tuples or non-string
    # keys that JSON turns into lists and strings, and may be changed after loading.
    data = json.loads(canonical)
    schema_found = schema_errors(data)
    errors = list(schema_found)
    warnings: list[Problem] = []
    for path, message, severity in semantic_problems(data, [path for path, _ in schema_found]):
        if severity == "error":
            errors.append((path, message))
        else:
            warnings.append(Problem(origin, pointer_of(path), message, "warning"))
    errors.sort(key=lambda entry: _order(entry[0]))
    problems = [Problem(origin, pointer_of(path), message) for path, message in errors]
    if problems:
        return None, problems + warnings
    return build_instrument(data, canonical, content_sha256(data), tuple(warnings)), warnings


def _raise_or_return(instrument: Instrument | None, problems: list[Problem]) -> Instrument:
    if instrument is None:
        raise InstrumentError(problem for problem in problems if problem.is_error)
    return instrument


def _order(path: tuple[str | int, ...]) -> tuple[tuple[int, int, str], ...]:
    """Problems sorted by place: array entries by index, object keys by name."""
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def _not_json_data(error: Exception) -> str:
    """Why data handed to `load_data` cannot be written as JSON (json says it in English)."""
    if isinstance(error, RecursionError):
        return "för djupt nästlad"
    if isinstance(error, ValueError):
        return "NaN och Infinity är inga JSON-värden"
    found = _PYTHON_TYPE.search(str(error))
    return f"värden av typen {found.group(1) if found else '?'} finns inte i JSON"


def _os_reason(error: OSError) -> str:
    """Why the system could not read a file, in Swedish (its own words follow the locale
    of the server, English on most)."""
    return _OS_REASONS.get(error.errno or 0, f"systemfel {error.errno}")


def _decode(content: bytes) -> str:
    """UTF-8, with the byte order mark that Windows editors like to add."""
    return content.removeprefix(_UTF8_BOM).decode("utf-8")


def _not_utf8(error: UnicodeDecodeError) -> str:
    content = error.object
    line = content[: error.start].count(b"\n") + 1
    byte = content[error.start]
    return (f"inte UTF-8-text: byte 0x{byte:02x} på rad {line} kan inte läsas "
            "(spara filen som UTF-8)")


def _parse(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _NotJson(listed_twice(f'nyckeln "{key}"') + " i samma objekt")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} är inget JSON-värde")
