"""The förbund's workspace: insatser and their schedules, users, instruments, utskick,
results and downloads, the audit log. Each part is a module of routes on this one blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/forbund")

from . import (  # noqa: E402,F401  (routes)
    audit,
    documents,
    insatser,
    instruments,
    prepared,
    results,
    samhallsnytta,
    settings,
    users,
    utskick,
)
