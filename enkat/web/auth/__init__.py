"""Sign-in, sign-out and choosing a new password by an e-mailed link."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import reset, signin  # noqa: E402,F401  (routes)
