"""The session cookie of `enkat serve`: Secure with the `__Host-` prefix unless it is a
development serve on a loopback address without an https ENKAT_BASE_URL, where a
browser signs in over plain http (what `make run` does)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator

from tests.integration.test_console_script import ENKAT, enkat, wait_for_page
from tests.postgresql import free_port
from tests.visitor import Visitor

PASSWORD = "ett-långt-lösenord-för-test"


@contextlib.contextmanager
def served(tmp_path, **settings: str) -> Iterator[str]:
    """`enkat serve` on a free loopback port, with a förbund and its administrator."""
    database = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    enkat(database, tmp_path, "db", "upgrade")
    enkat(database, tmp_path, "create-forbund", "--slug", "mitt", "--name", "Mitt förbund")
    enkat(database, tmp_path, "create-user", "--email", "admin@mitt.example", "--role",
          "admin", "--forbund", "mitt", "--password", PASSWORD)
    port = free_port()
    environment = {**os.environ, "ENKAT_DATABASE_URL": database, "ENKAT_SECRET_KEY": "serve",
                   **settings}
    environment.pop("ENKAT_SESSION_COOKIE_SECURE", None)
    server = subprocess.Popen([ENKAT, "serve", "--port", str(port), "--workers", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=environment, cwd=tmp_path)
    address = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_page(f"{address}/login", server) == 200
        yield address
    finally:
        server.terminate()
        server.communicate(timeout=30)


def session_cookie_of(address: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{address}/login", timeout=10) as response:
        [cookie] = response.headers.get_all("Set-Cookie")  # the CSRF token's session
    return cookie


def test_a_development_serve_on_loopback_signs_in_over_plain_http(tmp_path):
    with served(tmp_path) as address:
        cookie = session_cookie_of(address)
        assert cookie.startswith("enkat_session=") and "secure" not in cookie.lower()
        browser = Visitor()
        browser.get(f"{address}/login")
        signed_in = browser.post(f"{address}/login", {"email": "admin@mitt.example",
                                                      "password": PASSWORD})
        assert signed_in.status == 200 and "Logga ut" in signed_in.text


def test_a_serve_known_to_be_reached_over_https_keeps_the_cookie_secure(tmp_path):
    with served(tmp_path, ENKAT_BASE_URL="https://enkat.mitt.example") as address:
        cookie = session_cookie_of(address)
        assert cookie.startswith("__Host-enkat_session=") and "; Secure" in cookie
