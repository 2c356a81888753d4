"""How heavy a staff member's pages are in a förbund at real size: 2,000 deltagare in 15
insatser with 40 staff (`tests/scale.py`). Prints the HTML size and the time of each page,
never asserts.

    .venv/bin/python bench/workspace_scale.py [--runs N] [--seed S]

Builds the förbund in a throw-away SQLite file, signs in as the staff member who works in
several insatser and asks for the insats page, the due list and the deltagare list (first
page, a filtered page, the last page) through the Flask test client, as a browser would.
Each time is the best of `--runs`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from enkat import create_app  # noqa: E402
from enkat.extensions import db  # noqa: E402
from enkat.services.answering.drafts import local_today  # noqa: E402
from tests import scale  # noqa: E402

#: The pages measured, under the first insats of the staff member.
PAGES = (
    ("insatsen", ""),
    ("att göra, sida 1", "/att-gora"),
    ("att göra, försenade SKAPA", "/att-gora?enkat=skapa&status=forsenade"),
    ("att göra, sista sidan", "/att-gora?sida=9999"),
    ("deltagare, sida 1", "/deltagare"),
    ("deltagare, avslutade efter start", "/deltagare?status=avslutade&sortera=start"),
    ("deltagare, sista sidan", "/deltagare?sida=9999"),
    ("svar, sida 1", "/svar"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="enkat-scale-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/enkat.sqlite",
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        made = scale.build(local_today(), seed=options.seed)
        db.session.commit()
        print(f"built {made.deltagare} deltagare, {made.responses} responses in "
              f"{len(made.insatser)} insatser in {time.perf_counter() - started:.1f} s")
        slug = made.insatser[0].slug
    client = app.test_client()
    signed_in = client.post("/login", data={"email": scale.STAFF_EMAIL,
                                            "password": scale.STAFF_PASSWORD})
    assert signed_in.status_code == 302, "the staff member could not sign in"
    print(f"{'page':36} {'status':>6} {'KB':>8} {'ms':>8}")
    for name, tail in PAGES:
        status, size, best = measure(client, f"/insatser/{slug}{tail}", options.runs)
        print(f"{name:36} {status:>6} {size / 1024:8.1f} {best * 1000:8.0f}")


def measure(client, path: str, runs: int) -> tuple[int, int, float]:
    best, status, size = float("inf"), 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        best = min(best, time.perf_counter() - started)
        status, size = response.status_code, len(response.data)
    return status, size, best


if __name__ == "__main__":
    main()
