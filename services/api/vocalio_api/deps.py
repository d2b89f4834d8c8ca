"""Route dependencies: routes read like plain functions with typed parameters."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.auth import Caller, bearer_token, check_worker_token, resolve_api_key
from vocalio_api.metrics import RATE_LIMITED
from vocalio_api.rate_limits import check_request_rate
from vocalio_api.security import tokens_equal
from vocalio_api.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.vocalio  # type: ignore[no-any-return]


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def current_caller(request: Request, state: StateDep) -> Caller:
    token = bearer_token(request)
    if token is None:
        raise VocalioError(ErrorCode.UNAUTHENTICATED, "API key required", headers={"WWW-Authenticate": "Bearer"})
    caller = await resolve_api_key(state, token)
    try:
        await check_request_rate(state.redis, caller.key_id, caller.rate_requests_per_min)
    except VocalioError:
        RATE_LIMITED.labels(reason="requests").inc()
        raise
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


async def operator_caller(caller: CallerDep) -> Caller:
    if not caller.is_operator:
        raise VocalioError(ErrorCode.FORBIDDEN, "operator or admin role required")
    return caller


async def admin_caller(caller: CallerDep) -> Caller:
    if not caller.is_admin:
        raise VocalioError(ErrorCode.FORBIDDEN, "admin role required")
    return caller


OperatorDep = Annotated[Caller, Depends(operator_caller)]
AdminDep = Annotated[Caller, Depends(admin_caller)]


async def worker_auth(request: Request, state: StateDep) -> None:
    check_worker_token(request, state.settings)


WorkerAuth = Depends(worker_auth)


async def caller_or_worker(request: Request, state: StateDep) -> Caller | None:
    """Routes workers and clients share (voice downloads): None means the worker token was shown."""
    token = bearer_token(request)
    if token is not None and tokens_equal(token, state.settings.worker_token.get_secret_value()):
        return None
    return await current_caller(request, state)


ViewerDep = Annotated[Caller | None, Depends(caller_or_worker)]
