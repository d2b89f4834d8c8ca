"""Suite-wide fixtures: real processes only (a real redis-server, real databases)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from vocalio_shared.embedded_redis import EmbeddedRedis


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
