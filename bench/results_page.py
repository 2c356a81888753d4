"""How heavy the förbund's results page is on the demo: what one page view costs the
server, counting every chart image the page makes the browser ask for. Prints, never
asserts.

    .venv/bin/python bench/results_page.py [--runs N]

Loads the demo (`enkat demo`'s data) into a temporary SQLite file and asks for the page
through the application as the demo administrator, in this process, so the figures are
CPU time of this process and SQL statements: neither changes with the machine's load.
The first measured view draws the page's charts; a process keeps them drawn, so the
views after it show what a chart costs once drawn.
The wall-clock time is printed beside the load average, for what it is worth.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

from flask_migrate import upgrade

from enkat import create_app
from enkat.demo import load_demo
from enkat.extensions import db
from enkat.profiling import collect, count_statements

ADMIN = ("admin@alvdalen.example", "demo-losenord")
PAGE = "/forbund/resultat?period=ar"
#: A page of other charts, viewed first so that the measured page's charts are drawn
#: in the first measured view (charts are kept drawn per process once drawn).
WARM_UP = "/forbund/resultat?period=ar&visa=insatser"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.count += 1


def signed_in(app):
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/login", data={"csrf_token": token, "email": ADMIN[0], "password": ADMIN[1]})
    return client


def page_view(client, address: str = PAGE) -> tuple[str, int]:
    """The page and every image it points at on this server, as a browser fetches them
    (`loading="lazy"` images too: opening the parts shows them); the page's HTML and how
    many images were fetched."""
    page = client.get(address)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    images = [source.replace("&amp;", "&")
              for source in re.findall(r'<img src="(/[^"]+)"', html)]
    for source in images:
        assert client.get(source).status_code == 200, source
    return html, len(images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    folder = Path(tempfile.mkdtemp(prefix="enkat-bench-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()
            count_statements(db.engine)
        client = signed_in(app)
        page_view(client, WARM_UP)  # templates compiled, instruments loaded, other charts
        cpu, wall, counts = [], [], []
        for _ in range(runs):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            with collect() as statements:
                html, fetched = page_view(client)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
            counts.append(len(statements))
        elements = _Elements()
        elements.feed(html)
        print(f"{PAGE} with its {fetched} chart images fetched: "
              f"CPU {cpu[0]:.2f} s for the first view, "
              f"{statistics.median(cpu[1:] or cpu):.2f} s per view after it (median), "
              f"{max(counts)} SQL statements, {len(html.encode()) / 1024:.0f} KiB of HTML, "
              f"{elements.count} elements, {html.count('<img ')} images")
        print(f"wall-clock {statistics.median(wall):.2f} s at load average "
              f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
