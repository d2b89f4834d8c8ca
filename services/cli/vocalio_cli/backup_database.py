"""The database half of `vocalio backup` / `vocalio restore`: a consistent snapshot while the API writes.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the file page by page under
SQLite's own locking, so the copy is one committed state even while the API writes (WAL included).
PostgreSQL: `pg_dump --format=custom` (one transaction snapshot) and `pg_restore`; the binaries come
from the `pgserver` package when it is installed (the suite's server), else from PATH.
"""

import importlib.util
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

# Every column holding a path into the data dir: rewritten when a backup is restored elsewhere.
PATH_COLUMNS: tuple[tuple[str, str], ...] = (("jobs", "audio_path"), ("voices", "audio_path"), ("books", "cover_path"))
PG_TOOL_TIMEOUT_S = 3600.0  # a dump or restore of a large database; far above what any test needs


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


def is_sqlite(sync_url: str) -> bool:
    return sync_url.startswith("sqlite")


def sqlite_path(sync_url: str) -> Path:
    database = make_url(sync_url).database
    if not database or database == ":memory:":
        raise BackupError(f"no SQLite file in {sync_url}")
    return Path(database)


def libpq_url(sync_url: str) -> str:
    """What pg_dump/pg_restore take: the URL without SQLAlchemy's driver suffix."""
    url = make_url(sync_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def snapshot_sqlite(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}: is VOCALIO_DATA_DIR (or VOCALIO_DATABASE_URL) right?")
    # Read-only URI: the backup never creates or changes the live file.
    live = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(destination)
    try:
        live.backup(target)
    finally:
        target.close()
        live.close()


def postgres_tool(name: str) -> str:
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / name
        if bundled.is_file():
            return str(bundled)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (same major version as the server)")
    return found


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=PG_TOOL_TIMEOUT_S)
    if result.returncode != 0:
        # pg tools print the URL's host and database, never the password.
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def dump_postgres(sync_url: str, destination: Path) -> None:
    _run(
        [postgres_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={destination}", libpq_url(sync_url)],
        "pg_dump",
    )


def has_tables(sync_url: str) -> bool:
    engine = create_engine(sync_url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def restore_postgres(sync_url: str, dump: Path) -> None:
    _run(
        [postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={libpq_url(sync_url)}", str(dump)],
        "pg_restore",
    )


def rewrite_paths(sync_url: str, old_prefixes: list[str], new_prefix: str) -> int:
    """Stored paths under an old data dir now point under the new one; returns the rows changed."""
    changed = 0
    engine = create_engine(sync_url)
    try:
        with engine.begin() as connection:
            tables = set(inspect(connection).get_table_names())
            for old in dict.fromkeys(prefix.rstrip("/") + "/" for prefix in old_prefixes):
                if old == new_prefix.rstrip("/") + "/":
                    continue
                for table, column in PATH_COLUMNS:
                    if table not in tables:
                        continue
                    result = connection.execute(
                        text(
                            f"UPDATE {table} SET {column} = :new || substr({column}, :cut) "
                            f"WHERE substr({column}, 1, :length) = :old"
                        ),
                        {"new": new_prefix.rstrip("/") + "/", "cut": len(old) + 1, "length": len(old), "old": old},
                    )
                    changed += result.rowcount or 0
    finally:
        engine.dispose()
    return changed
