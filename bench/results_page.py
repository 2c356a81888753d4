"""How heavy the förbund's results page is on the demo: the time the page takes to answer
and the number of elements in it, as a browser counts them. Prints, never asserts.

    .venv/bin/python bench/results_page.py [--runs N]

Serves the demo with `enkat serve --demo` on a free port and its own SQLite file, the way
a new user starts it, and signs in as the demo administrator.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ENKAT = Path(sys.executable).with_name("enkat")
ADMIN = ("admin@alvdalen.example", "demo-losenord")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.count += 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {seconds} s")


def signed_in(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    login = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    data = urlencode({"csrf_token": token, "email": ADMIN[0], "password": ADMIN[1]}).encode()
    opener.open(f"{base}/login", data=data)
    return opener


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ,
                       "ENKAT_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite'}"}
        server = subprocess.Popen([str(ENKAT), "serve", "--demo", "--port", str(port)],
                                  env=environment, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_for(f"{base}/login")
            opener = signed_in(base)
            times, page = [], ""
            for _ in range(runs):
                start = time.perf_counter()
                page = opener.open(f"{base}/forbund/resultat").read().decode()
                times.append(time.perf_counter() - start)
            counter = _Elements()
            counter.feed(page)
            images = re.findall(r"<img [^>]*>", page)
            lazy = sum('loading="lazy"' in image for image in images)
            print(f"/forbund/resultat: median {statistics.median(times):.3f} s over {runs} runs "
                  f"(first {times[0]:.3f} s), {len(page) / 1024:.0f} KiB, "
                  f"{counter.count} elements, {len(images)} images ({lazy} lazy)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
