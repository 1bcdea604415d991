"""Alembic environment: migrations run on the connection `bot.migrate` opens, for `python -m bot db upgrade`,
the tests and the `alembic` command alike, so SQLite and PostgreSQL take one path."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import models.all  # noqa: F401  (registers every table on Base.metadata)
from bot import migrate
from models.base import Base, compared


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=compared,
        process_revision_directives=migrate.number_revision,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("offline migrations (--sql) are not supported: migrations run on a live connection")
if given is None:  # the `alembic` command: open the database the settings name, then come back here
    migrate.run_alembic_command(context.config, run_migrations)
else:
    run_migrations(given)
