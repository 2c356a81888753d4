"""How heavy a draft report document's writing page is on the demo: the time the page
takes to answer and how many times it builds the live report. Prints, never asserts.

    .venv/bin/python bench/document_page.py [--runs N]

Loads the demo (`enkat db upgrade`, `enkat demo`) into its own SQLite file, signs in
with the Flask test client as the förbund's administrator and as personal of Steget
vidare, and opens the drafts they write: the helårsrapport and the slutrapport. A draft
shows its live report, built afresh on each view (`services.documents.content`); the
builds are counted by wrapping the function that makes them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENKAT = Path(sys.executable).with_name("enkat")
PASSWORD = "demo-losenord"
#: (who signs in, the draft's kind, the insats it is about or None for the förbund's).
PAGES = (("admin@alvdalen.example", "helarsrapport", None),
         ("anna.berg@alvdalen.example", "slutrapport", "steget-vidare"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run([str(ENKAT), *command], check=True, capture_output=True,
                           env={"ENKAT_DATABASE_URL": url, "ENKAT_SECRET_KEY": "bench",
                                "PATH": "/usr/bin:/bin"})
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from enkat import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False})
        builds = _count_builds()
        print(f"A draft's writing page on the demo, {runs} runs each:")
        for email, kind, slug in PAGES:
            address = _address(app, kind, slug)
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            times = []
            builds.clear()
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get(address)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, (address, response.status_code)
            print(f"{address}: median {statistics.median(times):.3f} s, "
                  f"{len(builds) / runs:g} report builds per request "
                  f"({statistics.median(builds):.3f} s each)")


def _count_builds() -> list[float]:
    """The seconds of each build of a document's live report from now on."""
    from enkat.services.documents import content

    builds: list[float] = []
    build = content.build_report_for

    def counted(*args, **kwargs):
        start = time.perf_counter()
        try:
            return build(*args, **kwargs)
        finally:
            builds.append(time.perf_counter() - start)

    content.build_report_for = counted
    return builds


def _address(app, kind: str, slug: str | None) -> str:
    from enkat.models import DocumentStatus
    from enkat.services.documents import documents_for
    from enkat.services.organisation.forbund import get_forbund
    from enkat.services.organisation.insatser import get_insats

    with app.app_context():
        forbund = get_forbund("alvdalen")
        insats = get_insats(forbund, slug) if slug else None
        draft = next(document for document in documents_for(forbund, insats)
                     if document.kind == kind and document.status == DocumentStatus.DRAFT)
        if slug is None:
            return f"/forbund/rapporter/{draft.id}"
        return f"/insatser/{slug}/rapporter/{draft.id}"


if __name__ == "__main__":
    main()
