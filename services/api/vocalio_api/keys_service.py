"""API keys: create (secret shown once), list, revoke (effective at once), usage, first admin key."""

import os
from datetime import UTC, datetime
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy import text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyUsage, KeyUsageDay

from vocalio_api.auth import forget_key
from vocalio_api.db import ADMIN_KEY_LOCK_ID
from vocalio_api.models import ApiKey, KeyRole, KeyUsage
from vocalio_api.public import key_public
from vocalio_api.security import hash_key, new_api_key, new_key_id


async def create_key(session: AsyncSession, body: ApiKeyCreate) -> ApiKeyCreated:
    key_id = new_key_id()
    secret = new_api_key(key_id)
    row = ApiKey(
        id=key_id,
        name=body.name,
        role=body.role,
        key_hash=hash_key(secret),
        rate_requests_per_min=body.rate_requests_per_min,
        rate_chars_per_day=body.rate_chars_per_day,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    await session.commit()
    return ApiKeyCreated(**key_public(row).model_dump(), key=secret)


async def get_key(session: AsyncSession, key_id: str) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise VocalioError(ErrorCode.KEY_NOT_FOUND, f"API key {key_id} not found", {"key_id": key_id})
    return key


async def revoke_key(session: AsyncSession, redis: Redis, key_id: str) -> ApiKey:
    key = await get_key(session, key_id)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.add(key)
        await session.commit()
    await forget_key(redis, key.id, key.key_hash)
    return key


async def key_usage(session: AsyncSession, key_id: str, days: int = 31) -> ApiKeyUsage:
    await get_key(session, key_id)
    rows = (
        await session.exec(
            select(KeyUsage).where(KeyUsage.key_id == key_id).order_by(col(KeyUsage.day).desc()).limit(days)
        )
    ).all()
    totals = (
        await session.exec(
            select(
                func.coalesce(func.sum(KeyUsage.jobs), 0),
                func.coalesce(func.sum(KeyUsage.characters), 0),
                func.coalesce(func.sum(KeyUsage.audio_seconds), 0.0),
            ).where(KeyUsage.key_id == key_id)
        )
    ).one()
    return ApiKeyUsage(
        key_id=key_id,
        total_jobs=int(totals[0]),
        total_characters=int(totals[1]),
        total_audio_seconds=float(totals[2]),
        days=[
            KeyUsageDay(day=r.day, jobs=r.jobs, characters=r.characters, audio_seconds=r.audio_seconds) for r in rows
        ],
    )


async def ensure_admin_key(session: AsyncSession, key_file: Path) -> str | None:
    """On a first start with no usable key, create an admin key, write it 0600, return it once.

    Replicas starting at once take turns from the count to the commit, so exactly one creates it:
    on PostgreSQL a transaction advisory lock; on SQLite the session's BEGIN IMMEDIATE already
    holds the write lock from the first statement."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:id)").bindparams(id=ADMIN_KEY_LOCK_ID))  # type: ignore[call-overload]
    live = (await session.exec(select(func.count()).select_from(ApiKey).where(col(ApiKey.revoked_at).is_(None)))).one()
    if live:
        return None
    created = await create_key(session, ApiKeyCreate(name="bootstrap admin", role=KeyRole.ADMIN.value))
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(created.key + "\n")
    os.chmod(key_file, 0o600)
    return created.key
