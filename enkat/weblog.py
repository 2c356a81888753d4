"""gunicorn's access log without secrets or deltagare codes.

An enkätlänk and a password-reset link carry their token in the path (`/s/<token>`,
`/nytt-losenord/<token>`); a log line that kept it would let anyone who reads the logs
answer in someone's name. A deltagare's code is in the path of their page and its chart
(`/deltagare/<code>`, `/deltagare/<code>/diagram.svg`) and in the query of the links that
open a registration for them (`/insatser/<slug>/registrera?…&code=<code>`); a log that
kept it would tell who was looked at, and when, outside the audit log (docs/privacy.md).
Both also travel percent-encoded inside another address: the sign-in page's
`?next=%2Fdeltagare%2F<code>`.

`RedactingLogger` replaces every token with `[token]` and every code with `[kod]` in every
field of an access-log line (request line, path, query, Referer, Location, …) before it
is written. `gunicorn.conf.py` at the repository root and `enkat serve` use it.
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/(?:s|nytt-losenord)/)[A-Za-z0-9_-]{8,}")
#: A slash, as written or percent-encoded inside a query value.
_SLASH = r"(?:/|%2[fF])"
#: The end of a path segment or a query value, as written or percent-encoded.
_NOT_ENCODED_END = r"(?!%2[fF]|%3[fF]|%26)"
CODE_IN_PATH = re.compile(rf"({_SLASH}deltagare{_SLASH})(?:{_NOT_ENCODED_END}[^/?&#\s\"])+")
CODE_IN_QUERY = re.compile(
    rf"((?:^|[?&]|%3[fF]|%26)code(?:=|%3[dD]))(?:{_NOT_ENCODED_END}[^&#\s\"])*")


def redact(text: str) -> str:
    text = TOKEN_IN_PATH.sub(r"\1[token]", text)
    text = CODE_IN_PATH.sub(r"\1[kod]", text)
    return CODE_IN_QUERY.sub(r"\1[kod]", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}
