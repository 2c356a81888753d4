"""Static files are asked for by their version and kept for a year; an edited file gets a
new address (enkat/web/common/static.py)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from enkat.web.common.static import KEEP_FAVICON, KEEP_FOR_A_YEAR, file_version

from .test_respond import make_link

STATIC = Path(__file__).resolve().parents[3] / "enkat" / "static"


def test_pages_ask_for_static_files_by_their_content(client, insats):
    link, _ = make_link(insats)
    page = client.get(link).get_data(as_text=True)
    [address] = re.findall(r'href="(/static/respond\.css[^"]*)"', page)
    expected = hashlib.sha256((STATIC / "respond.css").read_bytes()).hexdigest()[:12]
    assert address == f"/static/respond.css?v={expected}"


def test_the_current_version_is_kept_for_a_year(client):
    version = file_version(str(STATIC), "respond.js")
    with client.get(f"/static/respond.js?v={version}") as kept:
        assert kept.status_code == 200
        assert kept.headers["Cache-Control"] == KEEP_FOR_A_YEAR
        assert kept.headers["X-Content-Type-Options"] == "nosniff"


def test_an_old_or_missing_version_is_asked_for_again_each_time(client):
    for address in ("/static/respond.js", "/static/respond.js?v=000000000000"):
        with client.get(address) as answered:
            assert answered.status_code == 200
            assert "max-age=31536000" not in answered.headers.get("Cache-Control", "")


def test_an_edited_file_has_a_new_version(tmp_path):
    sheet = tmp_path / "a.css"
    sheet.write_text("body { color: black }")
    before = file_version(str(tmp_path), "a.css")
    sheet.write_text("body { color: navy }")
    edited = sheet.stat().st_mtime_ns + 1_000_000_000  # a clock too coarse to tell them apart
    os.utime(sheet, ns=(edited, edited))
    assert file_version(str(tmp_path), "a.css") not in (before, None)
    assert file_version(str(tmp_path), "saknas.css") is None
    assert file_version(str(tmp_path), "../a.css") is None


def test_the_icon_browsers_ask_for_is_there_and_kept(client):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.get_data() == (STATIC / "favicon.ico").read_bytes()
        assert icon.headers["Cache-Control"] == KEEP_FAVICON


def test_staff_pages_link_the_icon_by_its_version(client):
    page = client.get("/login").get_data(as_text=True)
    [address] = re.findall(r'<link rel="icon" href="([^"]*)"', page)
    assert address == f"/static/favicon.svg?v={file_version(str(STATIC), 'favicon.svg')}"
    with client.get(address) as icon:
        assert icon.status_code == 200
