"""Coordination of API replicas through their one Redis: a periodic task's turn, and a mutex.

Several API processes (uvicorn workers, containers, pods) share one Redis and one database. What
must happen once, not once per replica, goes through here:

- `claim_turn`: a periodic task (the reconciler, the lost-worker sweep, the sentence-cache sweep)
  runs in whichever replica claims the interval first: SET key NX PX interval. The key is never
  deleted; its expiry is the interval, so a replica that dies mid-task costs at most one turn, and
  no clock but Redis's is involved.
- `RedisMutex` / `mutex`: one holder at a time for work longer than a request (registering the
  default voices at start): SET NX PX ttl, renewed by its holder every ttl/3 while held, released
  only by the holder (a token compare-and-delete), so a holder that dies frees it within ttl.

Key names are in vocalio_shared.queue with the project's other Redis keys.
"""

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis
from vocalio_shared.queue import REPLICA_MUTEX_PREFIX, REPLICA_TURN_PREFIX

from vocalio_api.lua import LuaScript

log = structlog.get_logger("api.replica_locks")

# Who holds a turn or a mutex, for a person reading Redis (`GET vocalio:replica:turn:…`).
REPLICA_ID = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"

# Only the holder (its token) may extend or delete; 1 done, 0 the key is someone else's or gone.
_RENEW = LuaScript("""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
""")
_RELEASE = LuaScript("""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
""")


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


async def claim_turn(redis: Redis, task: str, interval_s: float) -> bool:
    """True in exactly one replica per `interval_s` for `task` (the first to ask); False elsewhere."""
    return bool(await redis.set(REPLICA_TURN_PREFIX + task, REPLICA_ID, nx=True, px=_ms(interval_s)))


class RedisMutex:
    """A mutex across replicas with an expiry, renewed in the background while held."""

    def __init__(self, redis: Redis, name: str, ttl_s: float = 30.0, poll_s: float = 0.2) -> None:
        self.redis = redis
        self.key = REPLICA_MUTEX_PREFIX + name
        self.ttl_s = ttl_s
        self.poll_s = poll_s
        self.token = f"{REPLICA_ID}-{uuid.uuid4().hex[:8]}"
        self._renewer: asyncio.Task[None] | None = None
        self.lost = False  # set when a renewal found the mutex gone (held past its ttl without renewal)

    async def acquire(self, wait_s: float | None = None) -> bool:
        """Take it, waiting up to `wait_s` (None: as long as it takes); False if not taken by then."""
        deadline = None if wait_s is None else time.monotonic() + wait_s
        while not await self.redis.set(self.key, self.token, nx=True, px=_ms(self.ttl_s)):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            await asyncio.sleep(self.poll_s)
        self.lost = False
        self._renewer = asyncio.create_task(self._renew())
        return True

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            try:
                renewed = await _RENEW(self.redis, [self.key], [self.token, _ms(self.ttl_s)])
            except Exception as error:  # Redis away for a moment: the next renewal may still make it
                log.warning("mutex renewal failed", key=self.key, error=repr(error))
                continue
            if not renewed:
                self.lost = True
                log.warning("mutex lost before release", key=self.key)
                return

    async def release(self) -> bool:
        """Give it back; False if it was no longer ours (expired, taken by another)."""
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        return bool(await _RELEASE(self.redis, [self.key], [self.token]))


@contextlib.asynccontextmanager
async def mutex(redis: Redis, name: str, ttl_s: float = 30.0, wait_s: float | None = None) -> AsyncIterator[bool]:
    """`async with mutex(...) as held:` held is False when `wait_s` passed without taking it."""
    lock = RedisMutex(redis, name, ttl_s)
    held = await lock.acquire(wait_s)
    try:
        yield held
    finally:
        if held:
            await lock.release()
