"""The one way the API and the worker open the job queue's Redis: arq's pool with the job codec, and
a retry policy on every command, so a Redis restart (kill -9 and back, a failover) is a pause, not an
error: a command that finds the connection gone reconnects and is sent again, with exponential
backoff, for up to `REDIS_RETRY_BUDGET_S`. Redis keeps the queue itself across the restart (AOF:
`vocalio_cli.embedded_redis`; compose runs Redis with `--appendonly yes`).

Past the budget the command raises as before: a job fails recoverably (it is re-run), and the
worker's poll loop stops the worker (its supervisor starts it again).
"""

from pathlib import Path

from arq.connections import ArqRedis, RedisSettings, create_pool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from vocalio_shared.queue import QUEUE_NAME, deserialize_job, serialize_job

from vocalio_runtime.tls import redis_tls_options

REDIS_RETRIES = 25
REDIS_BACKOFF_BASE_S = 0.05
REDIS_BACKOFF_CAP_S = 2.0
# 0.05 + 0.1 + ... doubling up to the 2 s cap, then 2 s a retry: about 41 s in all.
REDIS_RETRY_BUDGET_S = sum(min(REDIS_BACKOFF_CAP_S, REDIS_BACKOFF_BASE_S * 2**n) for n in range(REDIS_RETRIES))


def redis_retry() -> Retry:
    return Retry(ExponentialBackoff(cap=REDIS_BACKOFF_CAP_S, base=REDIS_BACKOFF_BASE_S), REDIS_RETRIES)


def queue_settings(redis_url: str, ca_bundle: Path | None = None) -> RedisSettings:
    """`rediss://` URLs are verified against `ca_bundle` when given (vocalio_runtime.tls)."""
    settings = RedisSettings.from_dsn(redis_url)
    for name, value in redis_tls_options(redis_url, ca_bundle).items():
        setattr(settings, name, value)
    settings.retry = redis_retry()
    settings.retry_on_error = [RedisConnectionError, RedisTimeoutError, OSError]
    return settings


async def connect_queue(redis_url: str, ca_bundle: Path | None = None) -> ArqRedis:
    return await create_pool(
        queue_settings(redis_url, ca_bundle),
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        default_queue_name=QUEUE_NAME,
    )
