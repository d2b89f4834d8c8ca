"""Route dependencies: routes read like plain functions with typed parameters."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.auth import Admitted, Caller, admit, bearer_token, check_worker_token
from vocalio_api.security import tokens_equal
from vocalio_api.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.vocalio  # type: ignore[no-any-return]


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def _required_token(request: Request) -> str:
    token = bearer_token(request)
    if token is None:
        raise VocalioError(ErrorCode.UNAUTHENTICATED, "API key required", headers={"WWW-Authenticate": "Bearer"})
    return token


async def current_caller(request: Request, state: StateDep) -> Caller:
    caller = (await admit(state, _required_token(request))).caller
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


async def _text_characters(request: Request, max_text_chars: int) -> int:
    """The characters of a JSON body's `text` (already parsed and cached by FastAPI); 0 when there is
    nothing sensible to reserve: the body will be refused before the quota counts, or create_job
    reserves the exact amount itself."""
    if "json" not in request.headers.get("content-type", ""):
        return 0
    try:
        body = await request.json()
    except ValueError:
        return 0
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > max_text_chars:
        return 0
    return len(text)


async def job_submitter(request: Request, state: StateDep) -> AsyncIterator[Admitted]:
    """The caller of a job submission, with the text's characters already reserved against its
    quota in the same round trip as the key and rate checks. Whatever refuses the request later
    (validation, idempotent replay, unknown voice, a database error) gives the characters back
    before the answer goes out; create_job keeps them once the job is stored."""
    token = _required_token(request)
    admitted = await admit(state, token, await _text_characters(request, state.settings.max_text_chars))
    request.state.caller = admitted.caller
    try:
        yield admitted
    finally:
        if admitted.reservation is not None:
            await admitted.reservation.release(state.redis)


# Function scope: the characters go back before the answer is sent, not after.
SubmitterDep = Annotated[Admitted, Depends(job_submitter, scope="function")]


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
