"""Files that leave enkat through its pages: each sent as an attachment, and written to
the audit log first as a "download" (`services.audit.record_download`), named by its
file name, with what it holds in the detail. Every view that sends a file sends it here
(tests/integration/services/audit/test_audit.py checks)."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from enkat.models import Forbund
from enkat.services.audit.log import record_download


def send_download(forbund: Forbund, data: bytes, content_type: str, file_name: str,
                  **detail: object) -> Response:
    """The content type is sent as given (with `mimetype=` Werkzeug would add a second
    charset to text/csv)."""
    record_download(current_user._get_current_object(), forbund, file_name, **detail)
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
