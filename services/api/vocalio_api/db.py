"""Database engine and sessions (async), and migrations applied at start.

SQLite is the embedded default: WAL so readers never wait on the writer, and BEGIN IMMEDIATE so a
transaction takes the write lock up front instead of failing to upgrade a read lock later.
"""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from vocalio_api.config import ApiSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


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


def upgrade_database(settings: ApiSettings, revision: str = "head") -> None:
    """Apply migrations (idempotent). Called at API start and by `vocalio db upgrade`."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), revision)
