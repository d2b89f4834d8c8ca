"""The API's side of the arq queue: enqueue in a lane, cancel while queued (depths come from the DB)."""

from datetime import timedelta

from arq.connections import ArqRedis, RedisSettings, create_pool
from vocalio_shared.queue import (
    ARQ_IN_PROGRESS_KEY_PREFIX,
    ARQ_JOB_KEY_PREFIX,
    ARQ_RETRY_KEY_PREFIX,
    CANCEL_KEY_PREFIX,
    JOB_FUNCTION,
    QUEUE_NAME,
    deserialize_job,
    lane_defer,
    serialize_job,
)
from vocalio_shared.schemas.jobs import JobSpec

QUEUED_JOB_TTL = timedelta(days=7)

# Removes a job from the queue only if no worker holds it; atomic so a worker cannot start it
# between our check and the removal. Returns 1 removed, 0 running, -1 not in the queue.
_CANCEL_IF_QUEUED = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 then
  redis.call('DEL', KEYS[3], KEYS[4])
  return 1
end
return -1
"""


async def connect_queue(redis_url: str) -> ArqRedis:
    return await create_pool(
        RedisSettings.from_dsn(redis_url),
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        default_queue_name=QUEUE_NAME,
    )


async def enqueue(pool: ArqRedis, spec: JobSpec) -> bool:
    """False if arq already holds a job with this id (enqueue is idempotent by job id)."""
    defer = lane_defer(spec.priority)
    job = await pool.enqueue_job(
        JOB_FUNCTION,
        spec.model_dump(mode="json"),
        _job_id=spec.job_id,
        _queue_name=QUEUE_NAME,
        _defer_by=defer,
        _expires=defer + QUEUED_JOB_TTL,
    )
    return job is not None


async def cancel_if_queued(pool: ArqRedis, job_id: str) -> int:
    keys = [
        QUEUE_NAME,
        ARQ_IN_PROGRESS_KEY_PREFIX + job_id,
        ARQ_JOB_KEY_PREFIX + job_id,
        ARQ_RETRY_KEY_PREFIX + job_id,
    ]
    return int(await pool.eval(_CANCEL_IF_QUEUED, len(keys), *keys, job_id))


async def request_cancel(pool: ArqRedis, job_id: str, ttl_s: int = 7 * 86_400) -> None:
    """Flag a running job; its worker checks the flag between chunks."""
    await pool.set(CANCEL_KEY_PREFIX + job_id, b"1", ex=ttl_s)
