"""Fetching a download as its user does, in the tests that use the test client: a file
sent at once is the answer; a file built on the worker (a 303 to its waiting page,
web.common.prepared) is built by running the queue's job as the worker would
(`jobs`, the fixture of tests/conftest.py) and fetched from that page."""

from __future__ import annotations


def fetched(client, jobs, address: str):
    response = client.get(address)
    if response.status_code != 303 or "/filer/" not in response.headers["Location"]:
        return response
    waiting = response.headers["Location"]
    assert jobs.run_pending() == 1
    return client.get(f"{waiting}/hamta")
