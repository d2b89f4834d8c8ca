"""Per-key limits kept in Redis: requests per minute (fixed window) and characters per UTC day.

A request is admitted in one round trip: one script checks the revoked set, reads the cached key,
counts the request and, for a job submission, reserves its characters. A reservation is kept when
the job is stored and released when the request is refused for any other reason, so a refused
request counts nothing against the quota.
"""

import json
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from vocalio_runtime.strings import as_str
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.queue import RATE_CHARS_PREFIX, RATE_REQUESTS_PREFIX, REVOKED_KEYS_SET

from vocalio_api.lua import LuaScript

SECONDS_PER_DAY = 86_400
REQUEST_COUNTER_TTL_S = 120
CHARS_COUNTER_TTL_S = SECONDS_PER_DAY * 2

# KEYS: key cache entry, revoked set, this minute's request counter, today's character counter.
# ARGV: key id, characters to reserve (0: none), the key's cache entry when just read from the
# database ('' otherwise: read it from the cache), cache TTL in seconds for that entry.
# Answers {'revoked'}, {'unknown'} (not cached: look it up and call again with ARGV[3]),
# {'rate', entry} (over the request rate; no characters reserved) or {'ok', entry, quota} with
# quota 1 reserved, -1 refused (nothing counted), 0 none asked.
_ADMIT = LuaScript(f"""
local entry = ARGV[3]
if entry == '' then
  if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {{'revoked'}} end
  entry = redis.call('GET', KEYS[1])
  if not entry then return {{'unknown'}} end
elseif tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], entry, 'EX', ARGV[4])
end
local limits = cjson.decode(entry)
local requests = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], {REQUEST_COUNTER_TTL_S})
if requests > tonumber(limits['rate_requests_per_min']) then return {{'rate', entry}} end
local characters = tonumber(ARGV[2])
if characters <= 0 then return {{'ok', entry, 0}} end
local total = redis.call('INCRBY', KEYS[4], characters)
redis.call('EXPIRE', KEYS[4], {CHARS_COUNTER_TTL_S})
if total > tonumber(limits['rate_chars_per_day']) then
  redis.call('DECRBY', KEYS[4], characters)
  return {{'ok', entry, -1}}
end
return {{'ok', entry, 1}}
""")


def request_counter(key_id: str, now: float) -> str:
    return f"{RATE_REQUESTS_PREFIX}{key_id}:{int(now // 60)}"


def chars_counter(key_id: str, now: float) -> str:
    return f"{RATE_CHARS_PREFIX}{key_id}:{int(now // SECONDS_PER_DAY)}"


def rate_limited(limit_per_min: int, now: float) -> VocalioError:
    retry_after = max(1, int(60 - (now % 60)) + 1)
    return VocalioError(
        ErrorCode.RATE_LIMITED,
        f"rate limit of {limit_per_min} requests per minute exceeded",
        {"limit_per_min": limit_per_min, "retry_after_s": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


def quota_exceeded(limit_per_day: int, characters: int, now: float) -> VocalioError:
    retry_after = max(1, int(SECONDS_PER_DAY - (now % SECONDS_PER_DAY)))
    return VocalioError(
        ErrorCode.QUOTA_EXCEEDED,
        f"daily quota of {limit_per_day} characters exceeded",
        {"limit_per_day": limit_per_day, "requested": characters, "retry_after_s": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


@dataclass
class Admission:
    """What the admission script found. `entry` is the key's cache entry (JSON), None if not cached."""

    revoked: bool = False
    entry: dict[str, Any] | None = None
    rate_limited: bool = False
    quota: int = 0  # 1 reserved, -1 refused, 0 none asked


async def admit(
    redis: Redis,
    key_id: str,
    cache_key: str,
    now: float,
    characters: int = 0,
    entry_from_database: str = "",
    cache_ttl_s: int = 0,
) -> Admission:
    keys = [cache_key, REVOKED_KEYS_SET, request_counter(key_id, now), chars_counter(key_id, now)]
    answer = await _ADMIT(redis, keys, [key_id, max(characters, 0), entry_from_database, cache_ttl_s])
    outcome = as_str(answer[0])
    if outcome == "revoked":
        return Admission(revoked=True)
    if outcome == "unknown":
        return Admission()
    entry = json.loads(answer[1])
    if outcome == "rate":
        return Admission(entry=entry, rate_limited=True)
    return Admission(entry=entry, quota=int(answer[2]))


@dataclass
class CharacterReservation:
    """A job submission's characters, counted (or refused) against today's quota at admission."""

    key_id: str
    characters: int
    counter: str
    limit_per_day: int
    granted: bool
    admitted_at: float
    settled: bool = False

    def refusal(self) -> VocalioError:
        return quota_exceeded(self.limit_per_day, self.characters, self.admitted_at)

    def keep(self) -> None:
        """The job is stored: its characters stay counted."""
        self.settled = True

    async def release(self, redis: Redis) -> None:
        """Give the characters back (the request was refused for another reason); idempotent."""
        if self.granted and not self.settled:
            self.settled = True
            await redis.decrby(self.counter, self.characters)


async def reserve_characters(redis: Redis, key_id: str, characters: int, limit_per_day: int) -> CharacterReservation:
    """Count characters against today's quota, or refuse (counting nothing) if they would go over."""
    now = time.time()
    counter = chars_counter(key_id, now)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incrby(counter, characters)
        pipe.expire(counter, CHARS_COUNTER_TTL_S)
        total, _ = await pipe.execute()
    granted = int(total) <= limit_per_day
    if not granted:
        await redis.decrby(counter, characters)
    return CharacterReservation(key_id, characters, counter, limit_per_day, granted, now)
