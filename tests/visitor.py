"""One person's browser talking HTTP to enkat served for real (tests/gunicorn.py): its
own cookies, redirects followed, the CSRF token of the last page sent back with a form.

The same visitor may talk to several servers: cookies are kept per host, not per port,
so one cookie jar on two loopback ports is one browser behind a load balancer that
sends its requests now to one app server, now to another.
"""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import io
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

#: A form's CSRF field, as `form.hidden_tag()` and the sign-out button write it.
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
TIMEOUT = 30


@dataclass(frozen=True)
class Page:
    """What the browser shows: the status and address it ended on, and the page."""

    status: int
    url: str
    text: str


@dataclass
class Visitor:
    """A browser. A connection that breaks (a killed worker) raises OSError, as a
    browser shows its own error page; a 4xx or 5xx answer is a `Page`."""

    #: Extra headers on every request, e.g. the X-Forwarded-For a proxy would add.
    headers: dict[str, str] = field(default_factory=dict)
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    csrf_token: str | None = None
    #: The loopback address the browser connects from (127.0.0.0/8 is all loopback), so
    #: that limits counted per client address count this visitor apart.
    source_address: str | None = None

    def get(self, url: str) -> Page:
        return self._open(urllib.request.Request(url, headers=self.headers))

    def post(self, url: str, fields: dict[str, str] | None = None) -> Page:
        """Post a form as the last page's browser would: with that page's CSRF token."""
        data = urllib.parse.urlencode({"csrf_token": self.csrf_token or "", **(fields or {})})
        return self._open(urllib.request.Request(url, data=data.encode(), headers=self.headers))

    def post_file(self, url: str, name: str, filename: str, content: bytes) -> Page:
        """Upload one file, as a form with a file field does."""
        boundary, body = encode_multipart({
            "csrf_token": self.csrf_token or "",
            name: FileStorage(io.BytesIO(content), filename)})
        return self._open(urllib.request.Request(url, data=body, headers={
            **self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}))

    def _open(self, request: urllib.request.Request) -> Page:
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies)]
        if self.source_address:
            handlers.append(_FromAddress(self.source_address))
        opener = urllib.request.build_opener(*handlers)
        try:
            page = _read(opener, request)
        except http.client.IncompleteRead as cut:
            # A worker killed after its headers went out: the page is broken off as
            # surely as when nothing came back at all.
            raise ConnectionAbortedError(f"the answer broke off: {cut!r}") from cut
        found = CSRF.search(page.text)
        if found:
            self.csrf_token = found.group(1)
        return page


def _read(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> Page:
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return Page(response.status, response.geturl(), response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, error.geturl(), error.read().decode())


class _FromAddress(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, request):
        return self.do_open(functools.partial(http.client.HTTPConnection,
                                              source_address=(self.address, 0)), request)
