"""Who is calling: API keys for clients/operators/admins, the worker token for workers.

Key lookups are cached in Redis for `key_cache_ttl_s`; revocation deletes the cache entry and adds
the id to a revoked set checked on every request, so it takes effect at once on every API replica.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from redis.asyncio import Redis
from sqlmodel import select
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.queue import API_KEY_CACHE_PREFIX, REVOKED_KEYS_SET

from vocalio_api.config import ApiSettings
from vocalio_api.models import ApiKey, KeyRole
from vocalio_api.security import hash_key, key_id_of, tokens_equal
from vocalio_api.state import AppState


@dataclass(frozen=True)
class Caller:
    key_id: str
    name: str
    role: KeyRole
    rate_requests_per_min: int
    rate_chars_per_day: int

    @property
    def is_operator(self) -> bool:
        return self.role in (KeyRole.ADMIN, KeyRole.OPERATOR)

    @property
    def is_admin(self) -> bool:
        return self.role == KeyRole.ADMIN


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


def _unauthenticated(message: str) -> VocalioError:
    return VocalioError(ErrorCode.UNAUTHENTICATED, message, headers={"WWW-Authenticate": "Bearer"})


def _caller_of(key: ApiKey, settings: ApiSettings) -> Caller:
    return Caller(
        key_id=key.id,
        name=key.name,
        role=KeyRole(key.role),
        rate_requests_per_min=key.rate_requests_per_min or settings.rate_requests_per_min,
        rate_chars_per_day=key.rate_chars_per_day or settings.rate_chars_per_day,
    )


async def resolve_api_key(state: AppState, api_key: str) -> Caller:
    key_hash = hash_key(api_key)
    key_id = key_id_of(api_key)
    if key_id is None:
        raise _unauthenticated("malformed API key")
    cache_key = API_KEY_CACHE_PREFIX + key_hash
    async with state.redis.pipeline(transaction=False) as pipe:
        pipe.get(cache_key)
        pipe.sismember(REVOKED_KEYS_SET, key_id)
        cached, revoked = await pipe.execute()
    if revoked:
        raise _unauthenticated("API key revoked")
    if cached:
        data = json.loads(cached)
        return Caller(**(data | {"role": KeyRole(data["role"])}))
    async with state.sessions() as session:
        key = (await session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash))).first()
        if key is None or key.revoked_at is not None:
            raise _unauthenticated("unknown or revoked API key")
        key.last_used_at = datetime.now(UTC)
        session.add(key)
        await session.commit()
    caller = _caller_of(key, state.settings)
    if state.settings.key_cache_ttl_s:
        payload = caller.__dict__ | {"role": caller.role.value}
        await state.redis.set(cache_key, json.dumps(payload), ex=state.settings.key_cache_ttl_s)
    return caller


async def forget_key(redis: Redis, key_id: str, key_hash: str) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.sadd(REVOKED_KEYS_SET, key_id)
        pipe.delete(API_KEY_CACHE_PREFIX + key_hash)
        await pipe.execute()


def check_worker_token(request: Request, settings: ApiSettings) -> None:
    token = bearer_token(request)
    if token is None:
        raise _unauthenticated("worker token required")
    if not tokens_equal(token, settings.worker_token.get_secret_value()):
        raise VocalioError(ErrorCode.FORBIDDEN, "invalid worker token")
