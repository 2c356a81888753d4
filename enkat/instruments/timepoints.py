"""Mätpunkter said in words for reports and staff pages ("Efter 6 månader", "Årlig").

The mätpunkter of the glossary (docs/architecture.md) have Swedish words; a pattern
(``session-{n}``) is said as the series it stands for; any other timepoint is shown as
it is written, its hyphens as spaces. The respondent's pages say them in the respondent's
language through the web layer's translations instead.
"""

from __future__ import annotations

import re

_WORDS = {
    "start": "Vid start",
    "pagaende": "Under insatsen",
    "avslut": "Vid avslut",
    "arlig": "Årlig",
    "session-{n}": "Varje samtal",
    "uppfoljning-{n}m": "Uppföljning efter avslut",
}
_SESSION = re.compile(r"session-([1-9][0-9]*)")
_MONTHS = re.compile(r"uppfoljning-([1-9][0-9]*)m")


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
