"""What every blueprint shares: the request-level commit, errors, login, locale."""

from __future__ import annotations

from flask import Flask


def init_common(app: Flask) -> None:
    pass
