"""Alembic environment: runs online on the connection that `drafter.store.db.migrate` passes in.

To write a new revision from a checkout:
    .venv/bin/alembic -c drafter/store/migrations/alembic.ini revision -m "what" --rev-id 000N_name
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from drafter.store import job_tables  # noqa: F401 - registers the tables on Base.metadata
from drafter.store.db import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # the alembic command line: the URL comes from alembic.ini or -x url=...
        url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
            "sqlalchemy.url"
        )
        with create_engine(str(url)).begin() as own:
            context.configure(connection=own, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
