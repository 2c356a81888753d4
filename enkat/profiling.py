"""What a request costs the worker, measured when asked: CPU and SQL statements.

Off by default. With `ENKAT_PROFILE=true` (config `PROFILE`) every response carries two
headers, read by `bench/respond_load.py`:

- `X-Enkat-Cpu-Ms`: CPU time of the worker thread serving the request, from the moment
  the WSGI call begins to the moment its status and headers are ready (routing, the
  view, templates, the request's commit). CPU time, unlike latency, changes little when
  other work shares the machine.
- `X-Enkat-Statements`: the SQL statements the request ran (`counts_as_statement`).

The headers say how the server works, so they are for a bench on one's own machine, never
for a server on the internet.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

CPU_HEADER = "X-Enkat-Cpu-Ms"
STATEMENTS_HEADER = "X-Enkat-Statements"

#: The transaction's frame: not counted as statements (`counts_as_statement`).
TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})

#: The statements counted so far in the request being served (one list per request).
_counted: ContextVar[list[str] | None] = ContextVar("enkat_counted_statements", default=None)


def counts_as_statement(statement: str) -> bool:
    """A statement that reads or writes data counts; the transaction around it (BEGIN,
    COMMIT, savepoints) does not: SQLite's BEGIN is a statement of its own where
    PostgreSQL's is not, and the tests run each request inside a savepoint of theirs."""
    words = statement.split(None, 1)
    return bool(words) and words[0].upper() not in TRANSACTION_CONTROL


def count_statements(engine: Engine) -> None:
    """Count the statements `engine` runs for the request being profiled (`collect`)."""
    if not event.contains(engine, "before_cursor_execute", _count):
        event.listen(engine, "before_cursor_execute", _count)


def _count(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any,
           executemany: bool) -> None:
    counted = _counted.get()
    if counted is not None and counts_as_statement(statement):
        counted.append(statement)


class collect:  # noqa: N801 (used as a function: `with collect() as statements`)
    """The statements run while the block is open, in order."""

    def __enter__(self) -> list[str]:
        self.statements: list[str] = []
        self._token = _counted.set(self.statements)
        return self.statements

    def __exit__(self, *exception: object) -> None:
        _counted.reset(self._token)


class ProfiledApp:
    """WSGI middleware adding the two headers to every response."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        began = time.thread_time()
        with collect() as statements:

            def start_with_profile(status: str, headers: list[tuple[str, str]],
                                   exc_info: Any = None) -> Any:
                spent = (time.thread_time() - began) * 1000
                headers = [*headers, (CPU_HEADER, f"{spent:.3f}"),
                           (STATEMENTS_HEADER, str(len(statements)))]
                return start_response(status, headers, exc_info)

            return self.app(environ, start_with_profile)
