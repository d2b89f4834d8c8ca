"""Accepted LLM rewrites cached in Redis.

Key = (model, prompt version, region, style, sha256 of the text): a new model or prompt version never
serves an old answer. Only guard-accepted rewrites are stored; fallbacks are not, so a passing outage
is not remembered for a week. Redis trouble never fails a request: the cache is an optimisation.
"""

import hashlib
import json

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger("llm_bridge.cache")

KEY_PREFIX = "vocalio:llm_bridge:expand"


def cache_key(model: str, prompt_version: str, region: str, style: str | None, text: str) -> str:
    digest = hashlib.sha256(f"{style or ''}\x00{text}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{model}:{prompt_version}:{region}:{digest}"


class ExpandCache:
    def __init__(self, redis: Redis, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    async def get(self, key: str) -> str | None:
        if not self.enabled:
            return None
        try:
            raw = await self.redis.get(key)
        except RedisError as error:
            log.warning("expand_cache_unavailable", op="get", error=str(error)[:200])
            return None
        if raw is None:
            return None
        try:
            return str(json.loads(raw)["text"])
        except (ValueError, KeyError, TypeError):
            return None

    async def put(self, key: str, text: str) -> None:
        if not self.enabled:
            return
        try:
            await self.redis.set(key, json.dumps({"text": text}, ensure_ascii=False), ex=self.ttl_s)
        except RedisError as error:
            log.warning("expand_cache_unavailable", op="set", error=str(error)[:200])

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False
