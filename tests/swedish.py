"""Whether a message shown to people is free of English words (values it quotes aside)."""

from __future__ import annotations

import re

#: Words that English problem messages are made of and Swedish ones never use.
_ENGLISH = re.compile(r"\b(is|are|not|must|missing|required|unknown|invalid|duplicate|"
                      r"cannot|expected|needs|the|of|an?|key|item|entry|entries|one|"
                      r"warning|no such|file|directory|already|defined)\b", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"')


def english_words(message: str) -> list[str]:
    """The English words of `message` outside the values it quotes from a file."""
    return _ENGLISH.findall(_QUOTED.sub("", message))
