"""Coordination of API replicas (vocalio_api/replica_locks.py) on a real Redis."""

import asyncio

from redis.asyncio import Redis
from vocalio_api.replica_locks import RedisMutex, claim_turn, mutex
from vocalio_shared.queue import REPLICA_MUTEX_PREFIX, REPLICA_TURN_PREFIX


async def test_one_turn_per_interval_among_many_replicas(redis_url: str) -> None:
    clients = [Redis.from_url(redis_url) for _ in range(5)]
    try:
        first = await asyncio.gather(*(claim_turn(client, "sweep", 0.3) for client in clients))
        assert sum(first) == 1
        assert await claim_turn(clients[0], "sweep", 0.3) is False  # still this interval, even for the holder
        assert await claim_turn(clients[0], "other-task", 0.3) is True  # turns are per task
        ttl_ms = await clients[0].pttl(REPLICA_TURN_PREFIX + "sweep")
        assert 0 < ttl_ms <= 300
        await asyncio.sleep(0.35)
        second = await asyncio.gather(*(claim_turn(client, "sweep", 0.3) for client in clients))
        assert sum(second) == 1
    finally:
        for client in clients:
            await client.aclose()


async def test_mutex_one_holder_at_a_time_and_only_the_holder_releases(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        inside = 0
        most_inside = 0
        order: list[int] = []

        async def critical(n: int) -> None:
            nonlocal inside, most_inside
            async with mutex(redis, "registration", ttl_s=5.0) as held:
                assert held
                inside += 1
                most_inside = max(most_inside, inside)
                await asyncio.sleep(0.05)
                order.append(n)
                inside -= 1

        await asyncio.gather(*(critical(n) for n in range(4)))
        assert most_inside == 1 and sorted(order) == [0, 1, 2, 3]
        assert await redis.exists(REPLICA_MUTEX_PREFIX + "registration") == 0

        holder = RedisMutex(redis, "registration", ttl_s=5.0)
        assert await holder.acquire(wait_s=0)
        other = RedisMutex(redis, "registration", ttl_s=5.0)
        assert await other.acquire(wait_s=0.3) is False  # waited, then gave up
        assert await other.release() is False  # not its mutex: the holder's stays
        assert await redis.exists(REPLICA_MUTEX_PREFIX + "registration") == 1
        assert await holder.release() is True
    finally:
        await redis.aclose()


async def test_mutex_is_renewed_while_held_and_freed_when_its_holder_stops_renewing(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        holder = RedisMutex(redis, "long-work", ttl_s=0.3)
        assert await holder.acquire(wait_s=0)
        await asyncio.sleep(0.8)  # well past the ttl: the renewals kept it
        assert not holder.lost
        assert await RedisMutex(redis, "long-work", ttl_s=0.3).acquire(wait_s=0) is False

        # a holder that dies (its renewals stop) frees it within the ttl
        assert holder._renewer is not None
        holder._renewer.cancel()
        successor = RedisMutex(redis, "long-work", ttl_s=0.3)
        assert await successor.acquire(wait_s=2.0)
        assert await holder.release() is False  # the dead holder's late release leaves the successor's
        assert await successor.release() is True
    finally:
        await redis.aclose()
