"""Operations on enkat's data. Services flush; the caller (request or command) commits."""

from __future__ import annotations


class ServiceError(Exception):
    """An operation refused for a reason the user can act on; the message says which."""
