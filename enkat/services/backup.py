"""`enkat backup`: a consistent copy of a SQLite database while enkat keeps running.

SQLite's online backup API copies the database page by page under its own locking, so
requests may go on during the copy and the copy is a single consistent state. PostgreSQL
is backed up with its own tools (`pg_dump`, see docs/deployment.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from enkat.database import create_private_file
from enkat.extensions import db
from enkat.services import ServiceError


def backup_sqlite(target: Path) -> Path:
    if db.engine.dialect.name != "sqlite":
        raise ServiceError(
            f"enkat backup kopierar SQLite-databaser; den här är {db.engine.dialect.name}: "
            "använd pg_dump (docs/deployment.md, Backup and restore)")
    if target.exists():
        raise ServiceError(f"{target} finns redan; välj en ny fil")
    create_private_file(target)
    source = db.engine.raw_connection()
    copy = sqlite3.connect(target)
    try:
        source.driver_connection.backup(copy)
    finally:
        copy.close()
        source.close()
    return target
