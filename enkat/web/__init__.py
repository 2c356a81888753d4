"""The web layer: one blueprint per audience, wired by create_app only."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from .common import init_common

    init_common(app)
