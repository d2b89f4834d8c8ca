"""Suite-wide fixtures: real processes only (a real redis-server, real databases)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from vocalio_cli.embedded_redis import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """One real redis-server for the session; tests isolate themselves with `redis_url` (own db)."""
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis"))).start()
    yield server
    server.stop()


_next_db = iter(range(1, 16))


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> Iterator[str]:
    """A flushed logical database of the session's redis-server, so tests do not see each other's keys."""
    db = next(_next_db, None)
    if db is None:  # more tests than logical dbs: reuse db 15, flushed
        db = 15
    url = f"redis://{redis_server.host}:{redis_server.port}/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL for the session: the system's server when `pg_ctl` is on PATH would also
    do, but `pgserver` (PyPI) needs no system install, so CI machines need nothing extra."""
    import pgserver

    server = pgserver.get_server(Path(tmp_path_factory.mktemp("pg")), cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


_database_counter = iter(range(1, 10_000))


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    import psycopg

    name = f"vocalio_test_{next(_database_counter)}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    base, _, query = postgres_server.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
