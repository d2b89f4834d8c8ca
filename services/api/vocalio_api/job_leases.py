"""Leases on the arq queue for pull workers (workers that reach only the API, never Redis).

A pull worker asks for work in its heartbeat; the API takes the job for it from the same queue the
push workers poll, with the same keys arq's own worker writes, so both kinds share one queue:

- lease: the first ready job, lanes in priority order (high → normal → bulk, as `lanes.py`),
  whose `arq:in-progress:<id>` claim is free. The claim is written with the worker id as its value
  and the lease TTL, and `arq:retry:<id>` is incremented (arq's job_try, our attempt number) in the
  same Lua script, so no job is given twice, not even to a push worker (its claim is a WATCHed
  check of the same key).
- renew: every heartbeat re-arms the claims of the leases it lists. A lease is (worker, job,
  attempt): one whose claim another worker took, or whose attempt moved on, is reported lost. One
  that lapsed but nobody took yet is re-armed: the job was back on the queue meanwhile, and still
  is this worker's attempt.
- release: the attempt's end, as arq's `finish_job` writes it (done: off the queue, result kept;
  retry: the score moved on by the deferral; requeue: the claim dropped). Fenced the same way.

A lease that is not renewed lapses after the TTL: the job is ready again for any worker, and the
next lease counts one more attempt, as arq does when a push worker dies.
"""

import json
from dataclasses import dataclass
from typing import Any

from arq.connections import ArqRedis
from arq.constants import abort_jobs_ss, result_key_prefix
from arq.jobs import deserialize_job_raw, serialize_result
from arq.utils import timestamp_ms
from vocalio_shared.queue import (
    ARQ_IN_PROGRESS_KEY_PREFIX,
    ARQ_JOB_KEY_PREFIX,
    ARQ_KEEP_RESULT_S,
    ARQ_RETRY_KEY_PREFIX,
    CANCEL_KEY_PREFIX,
    JOB_FUNCTION,
    QUEUE_NAME,
    deserialize_job,
    lane_offset_ms,
    serialize_job,
)
from vocalio_shared.schemas.jobs import PRIORITY_ORDER, JobSpec
from vocalio_shared.schemas.workers import LeaseRef

from vocalio_api.lua import LuaScript

__all__ = ["Lease", "LeaseCheck", "lease_job", "release_lease", "renew_leases"]

# arq's run_job keeps `arq:retry:<id>` this long (seconds).
ARQ_RETRY_KEY_TTL_S = 88_400
# Ready jobs read per ZRANGEBYSCORE page while looking past the ones other workers hold.
LEASE_PAGE = 100

# KEYS[1]: queue. ARGV: worker id, lease ms, page size, retry-key TTL, the three key prefixes
# (in-progress, job, retry), then per lane in priority order its min and max score (ready now).
# Returns {id, job_try, payload, score} or false. A queued id whose job key expired is removed, as
# arq's run_job removes it ("job expired").
_LEASE = LuaScript("""
local worker, lease_ms, page, retry_ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local p_ip, p_job, p_retry = ARGV[5], ARGV[6], ARGV[7]
for lane = 8, #ARGV, 2 do
  local start = 0
  while true do
    local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[lane], ARGV[lane + 1], 'LIMIT', start, page)
    for _, id in ipairs(ids) do
      if redis.call('EXISTS', p_ip .. id) == 0 then
        local payload = redis.call('GET', p_job .. id)
        if payload then
          redis.call('PSETEX', p_ip .. id, lease_ms, worker)
          local try = redis.call('INCR', p_retry .. id)
          redis.call('EXPIRE', p_retry .. id, retry_ttl)
          return {id, try, payload, redis.call('ZSCORE', KEYS[1], id)}
        end
        redis.call('ZREM', KEYS[1], id)
        redis.call('DEL', p_retry .. id)
        start = start - 1
      end
    end
    if #ids < page then break end
    start = start + page
  end
end
return false
""")

# KEYS[1]: queue. ARGV: worker id, lease ms, prefixes (in-progress, retry, cancel), then job id and
# attempt pairs. Returns {lost ids, cancelled ids}.
_RENEW = LuaScript("""
local worker, lease_ms = ARGV[1], ARGV[2]
local p_ip, p_retry, p_cancel = ARGV[3], ARGV[4], ARGV[5]
local lost, cancelled = {}, {}
for i = 6, #ARGV, 2 do
  local id, attempt = ARGV[i], tonumber(ARGV[i + 1])
  local holder = redis.call('GET', p_ip .. id)
  local try = tonumber(redis.call('GET', p_retry .. id))
  if try ~= attempt then
    table.insert(lost, id)
  elseif holder == worker then
    redis.call('PEXPIRE', p_ip .. id, lease_ms)
  elseif not holder and redis.call('ZSCORE', KEYS[1], id) then
    redis.call('PSETEX', p_ip .. id, lease_ms, worker)
  else
    table.insert(lost, id)
  end
  if redis.call('EXISTS', p_cancel .. id) == 1 then table.insert(cancelled, id) end
end
return {lost, cancelled}
""")

# KEYS: queue, in-progress, retry, job, result, abort set. ARGV: worker id, attempt, outcome,
# defer ms, now ms, result payload ('' = none), result TTL ms, job id. Returns 1 released, 0 not this
# lease's to release (a newer attempt holds the job, or another worker does).
_RELEASE = LuaScript("""
local holder = redis.call('GET', KEYS[2])
local try = tonumber(redis.call('GET', KEYS[3]))
if try ~= tonumber(ARGV[2]) or (holder and holder ~= ARGV[1]) then return 0 end
local outcome = ARGV[3]
if outcome == 'done' then
  if ARGV[6] ~= '' then redis.call('PSETEX', KEYS[5], ARGV[7], ARGV[6]) end
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  redis.call('ZREM', KEYS[6], ARGV[8])
  redis.call('ZREM', KEYS[1], ARGV[8])
elseif outcome == 'retry' then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[8])
  if score and tonumber(ARGV[4]) > 0 then
    redis.call('ZINCRBY', KEYS[1], tonumber(ARGV[4]) + tonumber(ARGV[5]) - tonumber(score), ARGV[8])
  end
  redis.call('DEL', KEYS[2])
else
  redis.call('DEL', KEYS[2])
end
return 1
""")


@dataclass(frozen=True)
class Lease:
    job_id: str
    attempt: int
    enqueued_at_ms: int
    score: int
    spec: JobSpec


@dataclass(frozen=True)
class LeaseCheck:
    lost: list[str]
    cancelled: list[str]


def _ready_bounds(now_ms: int) -> list[str]:
    """Each lane's band up to now, in priority order (as the lane worker polls)."""
    bounds: list[str] = []
    for priority in PRIORITY_ORDER:
        offset = lane_offset_ms(priority)
        bounds += [str(offset), str(now_ms + offset)]
    return bounds


async def lease_job(redis: ArqRedis, worker_id: str, lease_ttl_s: float) -> Lease | None:
    """Lease the first ready job to `worker_id`, or None when nothing is ready.

    A payload that does not parse is finished as failed, as arq's run_job does with one it cannot
    deserialize, and the next job is tried."""
    while True:
        args: list[str | bytes | int] = [
            worker_id,
            int(lease_ttl_s * 1000),
            LEASE_PAGE,
            ARQ_RETRY_KEY_TTL_S,
            ARQ_IN_PROGRESS_KEY_PREFIX,
            ARQ_JOB_KEY_PREFIX,
            ARQ_RETRY_KEY_PREFIX,
            *_ready_bounds(timestamp_ms()),
        ]
        found = await _LEASE(redis, [QUEUE_NAME], args)
        if not found:
            return None
        raw_id, job_try, payload, score = found
        job_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
        try:
            function, job_args, _kwargs, _enqueue_try, enqueue_time_ms = deserialize_job_raw(
                payload, deserializer=deserialize_job
            )
            if function != JOB_FUNCTION or not job_args:
                raise ValueError(f"not a {JOB_FUNCTION} job: {function!r}")
            spec = JobSpec.model_validate(job_args[0])
        except Exception as error:  # arq's "deserializing job failed": any malformed payload
            await release_lease(
                redis, worker_id, job_id, int(job_try), "done", success=False, result={"error": repr(error)}
            )
            continue
        return Lease(job_id, int(job_try), int(enqueue_time_ms), int(float(score)), spec)


async def renew_leases(redis: ArqRedis, worker_id: str, lease_ttl_s: float, leases: list[LeaseRef]) -> LeaseCheck:
    if not leases:
        return LeaseCheck([], [])
    args: list[str | bytes | int] = [
        worker_id,
        int(lease_ttl_s * 1000),
        ARQ_IN_PROGRESS_KEY_PREFIX,
        ARQ_RETRY_KEY_PREFIX,
        CANCEL_KEY_PREFIX,
    ]
    for lease in leases:
        args += [lease.job_id, lease.attempt]
    lost, cancelled = await _RENEW(redis, [QUEUE_NAME], args)
    return LeaseCheck([_text(i) for i in lost], [_text(i) for i in cancelled])


async def release_lease(
    redis: ArqRedis,
    worker_id: str,
    job_id: str,
    attempt: int,
    outcome: str,
    defer_ms: int = 0,
    success: bool = True,
    result: dict[str, Any] | None = None,
    started_at_ms: int | None = None,
) -> bool:
    now = timestamp_ms()
    payload = b""
    if outcome == "done":
        # arq keeps the job's result under arq:result:<id>; enqueue refuses an id that has one
        payload = (
            serialize_result(
                JOB_FUNCTION,
                (),
                {},
                attempt,
                0,
                success,
                json.loads(json.dumps(result, default=str)) if result is not None else None,
                started_at_ms or now,
                now,
                f"{job_id}:{JOB_FUNCTION}",
                QUEUE_NAME,
                job_id=job_id,
                serializer=serialize_job,
            )
            or b""
        )
    keys = [
        QUEUE_NAME,
        ARQ_IN_PROGRESS_KEY_PREFIX + job_id,
        ARQ_RETRY_KEY_PREFIX + job_id,
        ARQ_JOB_KEY_PREFIX + job_id,
        result_key_prefix + job_id,
        abort_jobs_ss,
    ]
    args: list[str | bytes | int] = [worker_id, attempt, outcome, defer_ms, now, payload, ARQ_KEEP_RESULT_S * 1000]
    args.append(job_id)
    return int(await _RELEASE(redis, keys, args)) == 1


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
