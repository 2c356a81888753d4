"""Alembic environment, run through Flask-Migrate (`enkat db upgrade`)."""

import contextlib
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import enkat.models  # noqa: F401  (registers every table on the metadata)
from enkat.models import UTCDateTime

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Render enkat's UTC timestamp type as the plain DateTime it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


@contextlib.contextmanager
def _foreign_keys_deferred(connection):
    """SQLite alters a table by copying it and dropping the old one, which foreign keys
    in force forbid while other tables point at it. They are off during the migration
    (the pragma works only outside a transaction), every key is checked once the
    migration is done, and they are on again before the connection goes back."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def run_migrations_online():
    def skip_empty_revision(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    with target_db.engine.connect() as connection, _foreign_keys_deferred(connection):
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
            render_item=render_item,
            process_revision_directives=skip_empty_revision,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("enkat runs migrations online only: `enkat db upgrade`")
run_migrations_online()
