"""gunicorn's access log without secrets.

An enkätlänk and a password-reset link carry their token in the path (`/s/<token>`,
`/nytt-losenord/<token>`); a log line that kept it would let anyone who reads the logs
answer in someone's name. `RedactingLogger` replaces every such token in every field of
an access-log line (request line, path, Referer, Location, …) before it is written.
`gunicorn.conf.py` at the repository root and `enkat serve` use it.
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/(?:s|nytt-losenord)/)[A-Za-z0-9_-]{8,}")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(REDACTED, text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}
