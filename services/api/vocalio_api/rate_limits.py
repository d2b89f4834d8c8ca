"""Per-key limits kept in Redis: requests per minute (fixed window) and characters per day."""

import time

from redis.asyncio import Redis
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.queue import RATE_CHARS_PREFIX, RATE_REQUESTS_PREFIX

SECONDS_PER_DAY = 86_400


async def check_request_rate(redis: Redis, key_id: str, limit_per_min: int) -> None:
    now = time.time()
    window = int(now // 60)
    counter = f"{RATE_REQUESTS_PREFIX}{key_id}:{window}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(counter)
        pipe.expire(counter, 120)
        count, _ = await pipe.execute()
    if int(count) > limit_per_min:
        retry_after = max(1, int(60 - (now % 60)) + 1)
        raise VocalioError(
            ErrorCode.RATE_LIMITED,
            f"rate limit of {limit_per_min} requests per minute exceeded",
            {"limit_per_min": limit_per_min, "retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


async def reserve_characters(redis: Redis, key_id: str, characters: int, limit_per_day: int) -> None:
    """Count characters against today's quota; refuses (and counts nothing) if it would go over."""
    now = time.time()
    day = int(now // SECONDS_PER_DAY)
    counter = f"{RATE_CHARS_PREFIX}{key_id}:{day}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incrby(counter, characters)
        pipe.expire(counter, SECONDS_PER_DAY * 2)
        total, _ = await pipe.execute()
    if int(total) > limit_per_day:
        await redis.decrby(counter, characters)
        retry_after = max(1, int(SECONDS_PER_DAY - (now % SECONDS_PER_DAY)))
        raise VocalioError(
            ErrorCode.QUOTA_EXCEEDED,
            f"daily quota of {limit_per_day} characters exceeded",
            {"limit_per_day": limit_per_day, "requested": characters, "retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


async def release_characters(redis: Redis, key_id: str, characters: int) -> None:
    """Give characters back when the job they were reserved for was never stored."""
    day = int(time.time() // SECONDS_PER_DAY)
    await redis.decrby(f"{RATE_CHARS_PREFIX}{key_id}:{day}", characters)
