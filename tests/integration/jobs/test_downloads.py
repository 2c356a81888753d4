"""A prepared download built by a real `enkat worker` process while gunicorn serves: the
PDF of the demo förbund's year, asked for over HTTP, waited for on its page, fetched and
rendered with pdftoppm. Meanwhile the served app goes on answering other pages, since the
building is not in any of its workers. On both databases."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade
from pypdf import PdfReader

from enkat.demo import load_demo
from tests.gunicorn import serve
from tests.integration.test_instances import database_work, migrated_database
from tests.visitor import Visitor
from tests.worker import job_worker, wait_for

ADMIN = ("admin@alvdalen.example", "demo-losenord")
WAITING = re.compile(r"/forbund/filer/\d+$")


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_installation(request, tmp_path) -> str:
    """A migrated database of each kind with the demo förbund's year in it."""
    if request.param == "postgresql":
        url = migrated_database(request.getfixturevalue("postgres_server"), "jobs_downloads")
    else:
        url = f"sqlite:///{tmp_path / 'enkat.sqlite'}"
        with database_work(url):
            upgrade()
    with database_work(url):
        load_demo()
    return url


def signed_in(server: str) -> Visitor:
    visitor = Visitor()
    visitor.get(f"{server}/login")
    page = visitor.post(f"{server}/login", {"email": ADMIN[0], "password": ADMIN[1]})
    assert page.status == 200 and "/login" not in page.url, page.text[:500]
    return visitor


def fetched(visitor: Visitor, url: str) -> tuple[str, bytes]:
    """The file at `url`: its Content-Disposition and bytes (a `Page` is text)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(visitor.cookies))
    with opener.open(url, timeout=30) as response:
        assert response.status == 200
        return response.headers["Content-Disposition"], response.read()


def test_a_real_worker_builds_the_demo_pdf_while_the_app_answers(demo_installation, tmp_path):
    year = dt.date.today().year
    with (serve(demo_installation, tmp_path / "web", workers=1) as web,
          job_worker(demo_installation, tmp_path / "worker")):
        admin = signed_in(web.url)
        asked = admin.get(f"{web.url}/forbund/resultat/rapport.pdf?ar={year}")
        assert asked.status == 200 and WAITING.search(asked.url), asked.url
        assert "Filen förbereds" in asked.text and 'http-equiv="refresh"' in asked.text

        answered_while_waiting = []

        def ready() -> bool:
            page = admin.get(asked.url)
            if "Filen är klar" in page.text:
                return True
            assert "Filen förbereds" in page.text, page.text[:1000]
            answered_while_waiting.append(Visitor().get(f"{web.url}/login").status)
            return False

        wait_for(ready, timeout=300, what="the demo PDF")
        # one web worker only, and it answered while the file was built elsewhere
        assert answered_while_waiting and set(answered_while_waiting) == {200}

        disposition, pdf = fetched(admin, f"{asked.url}/hamta")
    assert disposition == f'attachment; filename="rapport-alvdalen-{year}.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Samordningsförbundet Älvdalen" in text
    (tmp_path / "rapport.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "2",
                    str(tmp_path / "rapport.pdf"), str(tmp_path / "sida")], check=True)
    assert len(list(Path(tmp_path).glob("sida-*.png"))) == 2
    assert "Traceback" not in web.log.read_text(errors="replace"), web.log_tail()
