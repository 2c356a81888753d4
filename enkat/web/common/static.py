"""Static files under addresses that change with their content, kept by browsers for a year.

Without this a tablet on weak Wi-Fi asks again for the stylesheet and the script on
every page: Flask's default is `no-cache` with an ETag, one round-trip per file per page.
Every address enkat writes for a static file carries `?v=` and the start of the file's
SHA-256, so a new release (or an edited file) has new addresses and nobody keeps an old
file; only a request with the current version is told to keep it.

`/favicon.ico` is the one static address that cannot carry a version: browsers (and
tools) ask for it by that name whatever a page links to. It answers with enkat's icon,
kept for 30 days, so that no page gets a 404 in the console.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

#: What a browser (and a proxy) may do with a static file asked for by its version.
KEEP_FOR_A_YEAR = "public, max-age=31536000, immutable"
VERSION_LENGTH = 12
#: `/favicon.ico` has no version in its address: kept long, but not for ever.
KEEP_FAVICON = "public, max-age=2592000"
#: The endpoints whose answers are the same for everybody and may be kept by browsers;
#: every other answer is `no-store` (`add_security_headers`).
PUBLIC_ENDPOINTS = frozenset({"static", "favicon"})


def version_static_files(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_keep_versioned)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


def _favicon() -> Response:
    """The icon's bytes (under a kilobyte) in the response itself: no file is left open
    when a client does not read the answer to the end."""
    icon = Path(current_app.static_folder, "favicon.ico").read_bytes()
    return Response(icon, mimetype="image/vnd.microsoft.icon",
                    headers={"Cache-Control": KEEP_FAVICON})


def file_version(folder: str, filename: str) -> str | None:
    """The version of a static file as its address carries it; None for no such file."""
    path = safe_join(folder, filename)
    try:
        changed = os.stat(path).st_mtime_ns if path else None
    except OSError:
        return None
    return _digest(path, changed) if changed is not None else None


@lru_cache(maxsize=128)
def _digest(path: str, changed: int) -> str:
    """Read once per file and modification: the hash does not change between requests."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:VERSION_LENGTH]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = file_version(current_app.static_folder, values["filename"])
        if version:
            values["v"] = version


def _keep_versioned(response: Response) -> Response:
    if request.endpoint == "static" and response.status_code == 200:
        current = file_version(current_app.static_folder, request.view_args["filename"])
        if current and request.args.get("v") == current:
            response.headers["Cache-Control"] = KEEP_FOR_A_YEAR
    return response
