"""Read instrument files, check them completely, and build `Instrument` objects.

Every entry point collects *all* problems (JSON, schema, semantic) before it gives up,
so an administrator can fix a file in one round. Nothing here raises anything but
`InstrumentError` for a bad document.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from enkat.instruments.build import build_instrument
from enkat.instruments.model import Instrument
from enkat.instruments.problems import InstrumentError, Problem, Words, pointer_of
from enkat.instruments.schema import schema_errors
from enkat.instruments.semantics import semantic_problems

PathLike = str | os.PathLike[str]

_UTF8_BOM = b"\xef\xbb\xbf"

#: json's messages in plain words; unknown messages are shown as json gives them (in
#: English) or as a plain "not valid JSON here" (in Swedish).
_JSON_MESSAGES = {
    "Expecting value": Words("expected a value", "här förväntades ett värde"),
    "Expecting ',' delimiter": Words(
        "expected ',' (or a closing bracket) before this point",
        "här förväntades ',' (eller en avslutande hakparentes eller klammer)"),
    "Expecting ':' delimiter": Words("expected ':' after a key",
                                     "här förväntades ':' efter en nyckel"),
    "Expecting property name enclosed in double quotes": Words(
        "expected a key in double quotes", "här förväntades en nyckel inom dubbla citattecken"),
    "Extra data": Words("unexpected text after the end of the document",
                        "text efter dokumentets slut"),
    "Unterminated string starting at": Words("a string is not closed",
                                             "en sträng avslutas inte"),
    "Invalid control character at": Words(
        "a line break or tab inside a string (write \\n or \\t)",
        "en radbrytning eller tabb inuti en sträng (skriv \\n eller \\t)"),
    "Invalid \\escape": Words(
        "a backslash in a string starts no valid escape (write \\\\ for one)",
        "ett omvänt snedstreck i en sträng inleder ingen giltig escape-sekvens "
        "(skriv \\\\ för ett)"),
    "Invalid \\uXXXX escape": Words(
        "a \\u escape in a string needs four hex digits",
        "en \\u-sekvens i en sträng behöver fyra hexadecimala siffror"),
}


class _NotJson(ValueError):
    """Valid to Python's json module, but not JSON, or ambiguous: NaN, repeated keys."""

    def __init__(self, words: Words) -> None:
        super().__init__(words.english)
        self.words = words


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
            problems.append(Problem(str(given), "", "no such file or directory"))
    return problems


def bundled_directory() -> Path:
    """The instruments shipped with enkat: inside the installed package, else the repository's."""
    package = Path(__file__).resolve().parent
    installed = package.parent / "bundled_instruments"
    return installed if installed.is_dir() else package.parents[1] / "instruments"


# --- analysis: (instrument or None, problems) -----------------------------------------


def analyse_directory(directory: Path) -> tuple[dict[str, Instrument], list[Problem]]:
    if not directory.is_dir():
        return {}, [Problem(str(directory), "", "not a directory")]
    instruments: dict[str, Instrument] = {}
    origins: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(p for p in directory.glob("*.json") if p.is_file()):
        instrument, found = analyse_file(path, str(path))
        problems.extend(found)
        if instrument is None:
            continue
        if instrument.id in instruments:
            message = f'instrument "{instrument.id}" is already defined in {origins[instrument.id]}'
            problems.append(Problem(str(path), "/id", message))
        else:
            instruments[instrument.id] = instrument
            origins[instrument.id] = str(path)
    return instruments, problems


def analyse_file(path: Path, origin: str) -> tuple[Instrument | None, list[Problem]]:
    try:
        content = path.read_bytes()
    except OSError as error:
        return None, [Problem(origin, "", f"cannot read the file: {error.strerror or error}")]
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
        return None, [Problem.said(origin, "", _invalid_json(error))]
    except (_NotJson, RecursionError) as error:
        words = (error.words if isinstance(error, _NotJson)
                 else Words("nested too deeply", "för djupt nästlad"))
        return None, [Problem.said(origin, "", Words(f"invalid JSON: {words.english}",
                                                     f"ogiltig JSON: {words.swedish}"))]
    return analyse_data(data, origin)


def analyse_data(data: Any, origin: str) -> tuple[Instrument | None, list[Problem]]:
    try:
        canonical = canonical_json(data)
    except (TypeError, ValueError, RecursionError) as error:
        return None, [Problem(origin, "/", f"not JSON data: {error}",
                              swedish=f"inte JSON-data: {error}")]
    # Check exactly what is hashed: the caller's object may hold tuples or non-string
    # keys that JSON turns into lists and strings, and may be changed after loading.
    data = json.loads(canonical)
    schema_found = schema_errors(data)
    errors = list(schema_found)
    warnings: list[Problem] = []
    for path, words, severity in semantic_problems(data, [path for path, _ in schema_found]):
        if severity == "error":
            errors.append((path, words))
        else:
            warnings.append(Problem.said(origin, pointer_of(path), words, "warning"))
    errors.sort(key=lambda entry: _order(entry[0]))
    problems = [Problem.said(origin, pointer_of(path), words) for path, words in errors]
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


def _invalid_json(error: json.JSONDecodeError) -> Words:
    if not error.doc.strip():
        return Words("invalid JSON: the file is empty", "ogiltig JSON: filen är tom")
    words = _JSON_MESSAGES.get(error.msg, Words(error.msg, "filen är inte giltig JSON här"))
    english, swedish = words.english, words.swedish
    if error.doc[: error.pos].rstrip().endswith(","):
        english += " (is there a comma too many?)"
        swedish += " (finns det ett kommatecken för mycket?)"
    return Words(f"invalid JSON at line {error.lineno} column {error.colno}: {english}",
                 f"ogiltig JSON på rad {error.lineno}, kolumn {error.colno}: {swedish}")


def _decode(content: bytes) -> str:
    """UTF-8, with the byte order mark that Windows editors like to add."""
    return content.removeprefix(_UTF8_BOM).decode("utf-8")


def _not_utf8(error: UnicodeDecodeError) -> str:
    content = error.object
    line = content[: error.start].count(b"\n") + 1
    byte = content[error.start]
    return (
        f"not UTF-8 text: byte 0x{byte:02x} on line {line} cannot be read (save the file as UTF-8)"
    )


def _parse(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _NotJson(Words(f'key "{key}" appears twice in the same object',
                                 f'nyckeln "{key}" står två gånger i samma objekt'))
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _NotJson(Words(f"{name} is not a JSON value", f"{name} är inget JSON-värde"))
