"""Admin routes for API keys, plus `/me` for any key."""

from fastapi import APIRouter, status
from sqlmodel import col, select
from vocalio_shared.schemas.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyPublic, ApiKeyUsage

from vocalio_api import keys_service
from vocalio_api.deps import AdminDep, CallerDep, SessionDep, StateDep
from vocalio_api.models import ApiKey
from vocalio_api.public import key_public

router = APIRouter(prefix="/api/v1", tags=["keys"])


@router.get("/me", response_model=ApiKeyPublic)
async def whoami(session: SessionDep, caller: CallerDep) -> ApiKeyPublic:
    return key_public(await keys_service.get_key(session, caller.key_id))


@router.post("/keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
async def create_key(body: ApiKeyCreate, session: SessionDep, _admin: AdminDep) -> ApiKeyCreated:
    return await keys_service.create_key(session, body)


@router.get("/keys", response_model=ApiKeyList)
async def list_keys(session: SessionDep, _admin: AdminDep) -> ApiKeyList:
    rows = (await session.exec(select(ApiKey).order_by(col(ApiKey.created_at).desc()))).all()
    return ApiKeyList(items=[key_public(row) for row in rows])


@router.get("/keys/{key_id}/usage", response_model=ApiKeyUsage)
async def usage(key_id: str, session: SessionDep, _admin: AdminDep) -> ApiKeyUsage:
    return await keys_service.key_usage(session, key_id)


@router.post("/keys/{key_id}/revoke", response_model=ApiKeyPublic)
async def revoke(key_id: str, state: StateDep, session: SessionDep, _admin: AdminDep) -> ApiKeyPublic:
    return key_public(await keys_service.revoke_key(session, state.redis, key_id))


@router.delete("/keys/{key_id}", response_model=ApiKeyPublic)
async def revoke_by_delete(key_id: str, state: StateDep, session: SessionDep, _admin: AdminDep) -> ApiKeyPublic:
    """Same as /revoke: keys are never erased, so usage history stays attributable."""
    return key_public(await keys_service.revoke_key(session, state.redis, key_id))
