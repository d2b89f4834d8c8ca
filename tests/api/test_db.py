"""Migrations at start (vocalio_api/db.py): several processes at once on one SQLite file."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text
from vocalio_api.config import ApiSettings
from vocalio_api.db import sqlite_lock_path, upgrade_database


def test_migrations_started_at_once_apply_once_under_the_file_lock(tmp_path: Path) -> None:
    settings = ApiSettings(
        data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0", worker_token="t" * 24, webhook_secret="s" * 24
    )
    # flock conflicts between open file descriptions, so threads contend as processes would
    with ThreadPoolExecutor(4) as pool:
        applied = list(pool.map(lambda _: upgrade_database(settings), range(4)))
    assert sorted(applied) == [False, False, False, True]
    assert sqlite_lock_path(settings) == tmp_path / "vocalio.db.lock"
    engine = create_engine(settings.sync_database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()
    assert upgrade_database(settings) is False  # at head: nothing to do
