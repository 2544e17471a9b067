"""Engines, sessions and migrations for the one database every face shares.

    url = database_url(settings)      # DRAFTER_DATABASE_URL, or SQLite in the data directory
    migrate(url)                      # alembic upgrade head, safe to call from several processes
    Session = session_factory(url)

SQLite runs in WAL mode with foreign keys on and a busy timeout, so readers never wait for the
writer and concurrent writers queue instead of failing. A plain `postgresql://` URL uses
psycopg 3. Tables subclass `Base`; schema changes are Alembic revisions under
`drafter/store/migrations/versions`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from ..config import Settings
from ..errors import ConfigError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE = "drafter.db"
SQLITE_BUSY_MS = 30_000
_MIGRATE_LOCK_KEY = 0x64726166  # pg_advisory_xact_lock key: "draf"

_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}
_migrated: set[str] = set()
_lock = threading.Lock()


class Base(DeclarativeBase):
    """The declarative base of every table."""


def database_url(settings: Settings) -> str:
    """DRAFTER_DATABASE_URL, or a SQLite file in the data directory (created if missing)."""
    if settings.database_url:
        return _normalise(settings.database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.data_dir / SQLITE_FILE}"


def _normalise(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            "DRAFTER_DATABASE_URL is not a database URL: use postgresql://USER:PASSWORD@HOST/DB "
            "or sqlite:///PATH."
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif not parsed.drivername.startswith(("postgresql", "sqlite")):
        raise ConfigError(
            f"Unsupported database {parsed.drivername!r} in DRAFTER_DATABASE_URL: use PostgreSQL or SQLite."
        )
    return parsed.render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def get_engine(url: str) -> Engine:
    """One engine per URL per process; SQLite gets WAL, foreign keys and a busy timeout."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            _engines[url] = engine
        return engine


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def session_factory(url: str) -> sessionmaker[Session]:
    """A sessionmaker bound to the URL's engine (objects stay readable after commit)."""
    with _lock:
        factory = _factories.get(url)
    if factory is None:
        factory = sessionmaker(get_engine(url), expire_on_commit=False)
        with _lock:
            factory = _factories.setdefault(url, factory)
    return factory


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (alembic upgrade head).

    Several processes may start at once: PostgreSQL serialises them with an advisory lock,
    SQLite with a lock file beside the database.
    """
    if url in _migrated:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    engine = get_engine(url)
    try:
        with _migration_lock(url), engine.begin() as connection:
            if is_postgres(url):
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise ConfigError(
            f"Cannot open the database ({type(exc.orig).__name__}): check DRAFTER_DATABASE_URL and that "
            "the server is running."
        ) from None
    _migrated.add(url)
    logger.info("database schema up to date (%s)", make_url(url).get_backend_name())


@contextlib.contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dispose_all() -> None:
    """Close every pooled connection (tests, and before a process forks)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()
        _migrated.clear()
