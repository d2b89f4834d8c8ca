"""The worker protocol (worker token) and the operators' view of the fleet (API key)."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlmodel import col, select
from vocalio_shared.schemas.workers import (
    Heartbeat,
    HeartbeatAnswer,
    LeaseRelease,
    LeaseReleaseAnswer,
    RegistrationAnswer,
    ScalingSignal,
    WorkerCommand,
    WorkerList,
    WorkerPublic,
    WorkerRegistration,
    WorkerState,
)

from vocalio_api import job_leases, workers_service
from vocalio_api.deps import OperatorDep, SessionDep, StateDep, WorkerAuth
from vocalio_api.models import Worker
from vocalio_api.public import worker_public
from vocalio_api.pull_dispatch import answer_pull, is_pull

router = APIRouter(prefix="/api/v1", tags=["workers"])


@router.post(
    "/workers", status_code=status.HTTP_201_CREATED, response_model=RegistrationAnswer, dependencies=[WorkerAuth]
)
async def register_worker(body: WorkerRegistration, state: StateDep, session: SessionDep) -> RegistrationAnswer:
    worker = await workers_service.register(session, body, datetime.now(UTC))
    return RegistrationAnswer(
        worker_id=worker.worker_id,
        heartbeat_interval_s=state.settings.heartbeat_interval_s,
        state=WorkerState(worker.state),
    )


@router.post("/workers/{worker_id}/heartbeat", response_model=HeartbeatAnswer, dependencies=[WorkerAuth])
async def worker_heartbeat(worker_id: str, beat: Heartbeat, state: StateDep, session: SessionDep) -> HeartbeatAnswer:
    answer = await workers_service.heartbeat(
        session, worker_id, beat, datetime.now(UTC), state.settings.heartbeat_interval_s
    )
    if is_pull(beat):  # a pull worker: its leases and its next job ride on the heartbeat
        answer = await answer_pull(state, worker_id, beat, answer)
    return answer


@router.post(
    "/workers/{worker_id}/leases/{job_id}/release", response_model=LeaseReleaseAnswer, dependencies=[WorkerAuth]
)
async def release_lease(worker_id: str, job_id: str, body: LeaseRelease, state: StateDep) -> LeaseReleaseAnswer:
    released = await job_leases.release_lease(
        state.redis,
        worker_id,
        job_id,
        body.attempt,
        body.outcome,
        defer_ms=body.defer_ms,
        success=body.success,
        result=body.result,
        started_at_ms=body.started_at_ms,
    )
    return LeaseReleaseAnswer(released=released)


@router.delete("/workers/{worker_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[WorkerAuth])
async def deregister_worker(worker_id: str, session: SessionDep) -> Response:
    await workers_service.deregister(session, worker_id, datetime.now(UTC))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/workers", response_model=WorkerList)
async def list_workers(
    session: SessionDep,
    _caller: OperatorDep,
    state_filter: Annotated[list[WorkerState] | None, Query(alias="state")] = None,
) -> WorkerList:
    query = select(Worker).order_by(col(Worker.registered_at).desc())
    if state_filter:
        query = query.where(col(Worker.state).in_([s.value for s in state_filter]))
    return WorkerList(items=[worker_public(w) for w in (await session.exec(query)).all()])


@router.get("/workers/{worker_id}", response_model=WorkerPublic)
async def get_worker(worker_id: str, session: SessionDep, _caller: OperatorDep) -> WorkerPublic:
    return worker_public(await workers_service.get_worker(session, worker_id))


@router.post("/workers/{worker_id}/drain", status_code=status.HTTP_202_ACCEPTED, response_model=WorkerPublic)
async def drain_worker(worker_id: str, session: SessionDep, _caller: OperatorDep) -> WorkerPublic:
    return worker_public(await workers_service.send_command(session, worker_id, WorkerCommand.DRAIN))


@router.post("/workers/{worker_id}/resume", status_code=status.HTTP_202_ACCEPTED, response_model=WorkerPublic)
async def resume_worker(worker_id: str, session: SessionDep, _caller: OperatorDep) -> WorkerPublic:
    return worker_public(await workers_service.send_command(session, worker_id, WorkerCommand.RESUME))


@router.get("/scaling", response_model=ScalingSignal)
async def scaling(session: SessionDep, _caller: OperatorDep) -> ScalingSignal:
    return await workers_service.scaling_signal(session)
