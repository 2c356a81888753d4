"""The secrets in links (enkätlänkar, password resets): random, and kept only as a hash.

A token is 256 random bits written as 43 URL-safe characters. Only its SHA-256 is
stored, so a copy of the database opens nothing; SHA-256 is enough because there is
nothing to guess in 256 random bits.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
