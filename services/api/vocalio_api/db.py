"""Database engine and sessions (async), and migrations applied at start.

SQLite is the embedded default: WAL so readers never wait on the writer, and BEGIN IMMEDIATE so a
transaction takes the write lock up front instead of failing to upgrade a read lock later.

Several API processes may start at once against one database (uvicorn workers, replicas): the
migrations run under a lock across processes (PostgreSQL: an advisory lock; SQLite: an flock on a
file beside the database), so one applies them and the others find the schema at head.
"""

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy
import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

from vocalio_api.config import ApiSettings

log = structlog.get_logger("api.db")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# PostgreSQL advisory lock ids (one 64-bit key space per database): b"vocalio" + a purpose byte.
MIGRATIONS_LOCK_ID = 0x766F63616C696F01
ADMIN_KEY_LOCK_ID = 0x766F63616C696F02


def create_engine(settings: ApiSettings) -> AsyncEngine:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        busy_s = settings.sqlite_busy_timeout_s
        engine = create_async_engine(
            settings.async_database_url, connect_args={"timeout": busy_s}, pool_size=8, max_overflow=8
        )
        _configure_sqlite(engine, busy_s)
        return engine
    return create_async_engine(settings.async_database_url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_s: float) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # a lock held by another process (a backup, a sqlite3 shell) is waited for this long, then 503
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config(settings: ApiSettings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.sync_database_url.replace("%", "%%"))
    return config


def sqlite_lock_path(settings: ApiSettings) -> Path | None:
    """The file beside the SQLite database that start-up work flocks; None for an in-memory one."""
    database = sqlalchemy.engine.make_url(settings.sync_database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".lock")


@contextlib.contextmanager
def migrations_lock(settings: ApiSettings, connection: Connection) -> Iterator[None]:
    """Held by one process at a time across the host (SQLite) or the database (PostgreSQL); the
    others wait here. Released by the process's death too (flock, the advisory lock's session)."""
    if not settings.is_sqlite:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATIONS_LOCK_ID})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATIONS_LOCK_ID})
        return
    path = sqlite_lock_path(settings)
    if path is None:
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(settings: ApiSettings, revision: str = "head") -> bool:
    """Apply migrations (idempotent), one process at a time. Called at API start and by
    `vocalio db upgrade`. True when this call changed the schema's revision."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy.create_engine(settings.sync_database_url, poolclass=NullPool)
    try:
        # autocommit: the lock's connection holds no transaction (and no snapshot) while others migrate
        with (
            engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection,
            migrations_lock(settings, connection),
        ):
            before = _revision(connection)
            command.upgrade(alembic_config(settings), revision)
            after = _revision(connection)
    finally:
        engine.dispose()
    if before != after:
        log.info("database migrated", from_revision=before, to_revision=after)
    return before != after
