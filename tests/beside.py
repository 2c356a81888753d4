"""Work beside the test's, as a request beside another runs in a served app."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import Flask

from enkat.extensions import db

T = TypeVar("T")


def beside(app: Flask, work: Callable[[], T]) -> T:
    """`work` in an application context of its own on a thread of its own, as a request
    beside the test's would run: a session and connection of its own, and none of the
    test's per-request state."""
    def run() -> T:
        with app.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
