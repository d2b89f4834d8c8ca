"""The API's side of the arq queue: enqueue in a lane, cancel while queued (depths come from the DB)."""

from collections.abc import Sequence
from datetime import timedelta

from arq.connections import ArqRedis
from arq.constants import result_key_prefix
from arq.jobs import serialize_job as arq_job_payload
from arq.utils import timestamp_ms, to_ms
from vocalio_runtime.queue_pool import connect_queue
from vocalio_shared.queue import (
    ARQ_IN_PROGRESS_KEY_PREFIX,
    ARQ_JOB_KEY_PREFIX,
    ARQ_RETRY_KEY_PREFIX,
    CANCEL_KEY_PREFIX,
    JOB_FUNCTION,
    QUEUE_NAME,
    lane_defer,
)
from vocalio_shared.schemas.jobs import JobSpec

from vocalio_api.lua import LuaScript

__all__ = ["cancel_if_queued", "connect_queue", "enqueue"]

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


# What arq's enqueue_job does (no job or result under this id yet: store the job, add it to the
# queue), as one atomic script instead of WATCH/EXISTS/MULTI round trips, followed by the
# announcements to publish. KEYS: job key, result key, queue. ARGV: job id, score, expiry (ms),
# payload, then channel/message pairs. Returns 1 enqueued, 0 already there.
_ENQUEUE = LuaScript("""
local enqueued = 0
if redis.call('EXISTS', KEYS[1], KEYS[2]) == 0 then
  redis.call('PSETEX', KEYS[1], ARGV[3], ARGV[4])
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
  enqueued = 1
end
for i = 5, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
return enqueued
""")


async def enqueue(pool: ArqRedis, spec: JobSpec, announcements: Sequence[tuple[str, str]] = ()) -> bool:
    """False if arq already holds a job with this id (enqueue is idempotent by job id). The
    announcements (channel, message) are published in the same round trip, enqueued or not."""
    defer = lane_defer(spec.priority)
    defer_ms, expires_ms = to_ms(defer), to_ms(defer + QUEUED_JOB_TTL)
    enqueue_time_ms = timestamp_ms()
    payload = arq_job_payload(
        JOB_FUNCTION, (spec.model_dump(mode="json"),), {}, None, enqueue_time_ms, serializer=pool.job_serializer
    )
    keys = [ARQ_JOB_KEY_PREFIX + spec.job_id, result_key_prefix + spec.job_id, QUEUE_NAME]
    args: list[str | bytes | int] = [spec.job_id, enqueue_time_ms + defer_ms, expires_ms, payload]
    for channel, message in announcements:
        args += [channel, message]
    return int(await _ENQUEUE(pool, keys, args)) == 1


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
