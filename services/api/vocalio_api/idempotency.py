"""Idempotency-Key for every resource a client creates (jobs, books): one row per (key, Idempotency-Key),
kept with the hash of the request that made it. The same key and body again return that row; the same
key with another body is 409 IDEMPOTENCY_CONFLICT."""

from typing import Protocol, TypeVar

from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError


class Idempotent(Protocol):
    id: str
    request_hash: str | None


R = TypeVar("R", bound=SQLModel)


async def find_idempotent(session: AsyncSession, model: type[R], key_id: str, idempotency_key: str) -> R | None:
    query = select(model).where(model.api_key_id == key_id, model.idempotency_key == idempotency_key)  # type: ignore[attr-defined]
    return (await session.exec(query)).first()


def replay_or_conflict(existing: R, body_hash: str, id_name: str) -> R:
    """`existing` when it was made by this same request; `id_name` names its id in the 409's context."""
    if existing.request_hash != body_hash:  # type: ignore[attr-defined]
        raise VocalioError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Idempotency-Key was already used with a different request body",
            {id_name: existing.id},  # type: ignore[attr-defined]
        )
    return existing
