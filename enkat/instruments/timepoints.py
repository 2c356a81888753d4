"""Mätpunkter said in words for reports and staff pages ("Efter 6 månader", "Årlig").

The mätpunkter of the glossary (docs/architecture.md) have Swedish words; a pattern
(``session-{n}``) is said as the series it stands for; any other timepoint is shown as
it is written, its hyphens as spaces. The respondent's pages say them in the respondent's
language through the web layer's translations instead.

`timepoint_choices` says which timepoints a new answer may take, so staff choose one
from a list instead of typing an id.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

_WORDS = {
    "start": "Vid start",
    "pagaende": "Under insatsen",
    "avslut": "Vid avslut",
    "arlig": "Årlig",
    "session-{n}": "Varje samtal",
    "uppfoljning-{n}m": "Uppföljning efter N månader",
}
_SESSION = re.compile(r"session-([1-9][0-9]*)")
_MONTHS = re.compile(r"uppfoljning-([1-9][0-9]*)m")
#: The series of follow-ups, numbered by months rather than counted.
FOLLOW_UP_PATTERN = "uppfoljning-{n}m"
#: The follow-ups offered when nothing says which are meant (no schedule names them).
FOLLOW_UP_MONTHS = (3, 6, 12, 18, 24)
#: How many sessions after the last one answered are offered.
SESSIONS_AHEAD = 3


def timepoint_words(timepoint: str) -> str:
    """The timepoint (or pattern) in Swedish words."""
    if timepoint in _WORDS:
        return _WORDS[timepoint]
    if found := _SESSION.fullmatch(timepoint):
        return f"Samtal {found.group(1)}"
    if found := _MONTHS.fullmatch(timepoint):
        months = int(found.group(1))
        return f"Efter {months} {'månad' if months == 1 else 'månader'}"
    return timepoint.replace("-", " ").capitalize()


def months_after_exit(timepoint: str) -> int | None:
    """The months after exit a follow-up timepoint (``uppfoljning-6m``) is made at; None
    for any other timepoint."""
    found = _MONTHS.fullmatch(timepoint)
    return int(found.group(1)) if found else None


def timepoint_slug(pattern: str) -> str:
    """A pattern as a part of an id: ``session-{n}`` becomes ``session-n``."""
    return pattern.replace("{n}", "n")


def timepoint_choices(patterns: Sequence[str], answered: Collection[str],
                      follow_up_months: Sequence[int] = FOLLOW_UP_MONTHS) -> list[str]:
    """The timepoints a new answer to an instrument with `patterns` may take, in the
    instrument's order: each fixed timepoint (answered or not: a deltagare enrolled
    again starts again); of a series, those not yet `answered`: for the follow-ups
    (``uppfoljning-{n}m``) the months in `follow_up_months`, for any other series
    (``session-{n}``) the numbers missed so far and the next `SESSIONS_AHEAD`, so a
    paper form of session 3 can be entered before the one of session 2."""
    choices: list[str] = []
    for pattern in patterns:
        if "{n}" not in pattern:
            choices.append(pattern)
            continue
        numbered = (pattern.replace("{n}", str(number))
                    for number in _series(pattern, answered, follow_up_months))
        choices += [timepoint for timepoint in numbered if timepoint not in answered]
    return list(dict.fromkeys(choices))


def schedule_timepoints(declared: Iterable[Sequence[str]]) -> list[str]:
    """What an insats' schedule may name for instruments declaring these timepoints, each
    once: every timepoint and series as declared, and a follow-up series also as its
    months (`FOLLOW_UP_MONTHS`), for a follow-up made once, N days after the exit."""
    found: list[str] = []
    for timepoints in declared:
        for timepoint in timepoints:
            found.append(timepoint)
            if timepoint == FOLLOW_UP_PATTERN:
                found += [timepoint.replace("{n}", str(months)) for months in FOLLOW_UP_MONTHS]
    return list(dict.fromkeys(found))


def _series(pattern: str, answered: Collection[str],
            follow_up_months: Sequence[int]) -> Sequence[int]:
    if pattern == FOLLOW_UP_PATTERN:
        return follow_up_months
    done = {number for timepoint in answered
            if (number := _number(pattern, timepoint)) is not None}
    return range(1, max(done, default=0) + 1 + SESSIONS_AHEAD)


def _number(pattern: str, timepoint: str) -> int | None:
    """The number `timepoint` puts in the ``{n}`` of `pattern`, or None if not one of it."""
    before, _, after = pattern.partition("{n}")
    found = re.fullmatch(f"{re.escape(before)}([1-9][0-9]*){re.escape(after)}", timepoint)
    return int(found.group(1)) if found else None
