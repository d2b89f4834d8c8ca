"""Who is calling: API keys for clients/operators/admins, the worker token for workers.

Key lookups are cached in Redis for `key_cache_ttl_s`; revocation deletes the cache entry and adds
the id to a revoked set checked on every request, so it takes effect at once on every API replica.
The revoked set, the cache, the request rate and the character quota are checked in one script
(rate_limits.admit), so a request with a cached key costs one Redis round trip before its work.
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from redis.asyncio import Redis
from sqlmodel import select
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.queue import API_KEY_CACHE_PREFIX, REVOKED_KEYS_SET

from vocalio_api import rate_limits
from vocalio_api.config import ApiSettings
from vocalio_api.metrics import RATE_LIMITED
from vocalio_api.models import ApiKey, KeyRole
from vocalio_api.rate_limits import CharacterReservation
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


@dataclass(frozen=True)
class Admitted:
    caller: Caller
    reservation: CharacterReservation | None  # only when characters were asked for


async def admit(state: AppState, api_key: str, characters: int = 0) -> Admitted:
    """Who is calling, counted against its request rate and, for a job submission, its character
    quota: one Redis round trip when the key is cached (then the database and a second one)."""
    key_hash = hash_key(api_key)
    key_id = key_id_of(api_key)
    if key_id is None:
        raise _unauthenticated("malformed API key")
    now = time.time()
    cache_key = API_KEY_CACHE_PREFIX + key_hash
    admission = await rate_limits.admit(state.redis, key_id, cache_key, now, characters)
    if admission.revoked:
        raise _unauthenticated("API key revoked")
    if admission.entry is None:
        caller = await _caller_from_database(state, key_hash)
        entry = json.dumps(caller.__dict__ | {"role": caller.role.value})
        admission = await rate_limits.admit(
            state.redis, key_id, cache_key, now, characters, entry, state.settings.key_cache_ttl_s
        )
    else:
        caller = Caller(**(admission.entry | {"role": KeyRole(admission.entry["role"])}))
    if admission.rate_limited:
        RATE_LIMITED.labels(reason="requests").inc()
        raise rate_limits.rate_limited(caller.rate_requests_per_min, now)
    reservation = None
    if characters > 0:
        reservation = CharacterReservation(
            key_id=caller.key_id,
            characters=characters,
            counter=rate_limits.chars_counter(key_id, now),
            limit_per_day=caller.rate_chars_per_day,
            granted=admission.quota == 1,
            admitted_at=now,
        )
    return Admitted(caller, reservation)


async def _caller_from_database(state: AppState, key_hash: str) -> Caller:
    async with state.sessions() as session:
        key = (await session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash))).first()
        if key is None or key.revoked_at is not None:
            raise _unauthenticated("unknown or revoked API key")
        key.last_used_at = datetime.now(UTC)
        session.add(key)
        await session.commit()
    return _caller_of(key, state.settings)


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
