"""The worker registry: registration, heartbeats, operator commands, lost-worker detection."""

from datetime import UTC, datetime, timedelta

from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import RUNNING_STATUSES, JobStatus, Priority
from vocalio_shared.schemas.workers import (
    LIVE_WORKER_STATES,
    Heartbeat,
    HeartbeatAnswer,
    ScalingSignal,
    WorkerCommand,
    WorkerRegistration,
    WorkerState,
)

from vocalio_api.models import Job, Worker

# A command stays pending until the worker's reported state shows it was obeyed, so a lost
# heartbeat answer cannot lose it.
_COMMAND_DONE_STATES = {
    WorkerCommand.DRAIN: {WorkerState.DRAINING, WorkerState.SHUTDOWN},
    WorkerCommand.RESUME: {WorkerState.IDLE, WorkerState.BUSY},
}


async def register(session: AsyncSession, body: WorkerRegistration, now: datetime) -> Worker:
    worker = await session.get(Worker, body.worker_id)
    if worker is None:
        worker = Worker(
            worker_id=body.worker_id,
            registered_at=now,
            state=WorkerState.INITIALIZING.value,
            capabilities={},
            host=body.host,
            port=body.port,
            version=body.version,
            worker_type=body.worker_type,
        )
    worker.worker_type = body.worker_type
    worker.capabilities = body.capabilities.model_dump(mode="json")
    worker.host, worker.port, worker.version = body.host, body.port, body.version
    worker.state = WorkerState.INITIALIZING.value
    worker.registered_at = now
    worker.last_heartbeat_at = now
    worker.pending_command = None
    worker.active_job_ids = []
    session.add(worker)
    await session.commit()
    return worker


async def get_worker(session: AsyncSession, worker_id: str) -> Worker:
    worker = await session.get(Worker, worker_id)
    if worker is None:
        raise VocalioError(ErrorCode.WORKER_NOT_FOUND, f"worker {worker_id} not registered", {"worker_id": worker_id})
    return worker


async def heartbeat(
    session: AsyncSession, worker_id: str, beat: Heartbeat, now: datetime, interval_s: float
) -> HeartbeatAnswer:
    worker = await get_worker(session, worker_id)
    if worker.state == WorkerState.SHUTDOWN:
        raise VocalioError(ErrorCode.WORKER_NOT_FOUND, "worker deregistered; register again", {"worker_id": worker_id})
    worker.state = beat.status.value
    worker.metrics = beat.metrics.model_dump(mode="json")
    worker.active_job_ids = list(beat.active_job_ids)
    worker.last_heartbeat_at = now
    command = WorkerCommand(worker.pending_command) if worker.pending_command else None
    if command and beat.status in _COMMAND_DONE_STATES[command]:
        worker.pending_command = None
        command = None
    session.add(worker)
    await session.commit()
    return HeartbeatAnswer(next_interval_s=interval_s, command=command)


async def deregister(session: AsyncSession, worker_id: str, now: datetime) -> None:
    worker = await get_worker(session, worker_id)
    worker.state = WorkerState.SHUTDOWN.value
    worker.active_job_ids = []
    worker.pending_command = None
    worker.last_heartbeat_at = now
    session.add(worker)
    await session.commit()


async def send_command(session: AsyncSession, worker_id: str, command: WorkerCommand) -> Worker:
    worker = await get_worker(session, worker_id)
    if WorkerState(worker.state) not in LIVE_WORKER_STATES:
        raise VocalioError(ErrorCode.INVALID_STATE, f"worker is {worker.state}", {"state": worker.state})
    worker.pending_command = command.value
    session.add(worker)
    await session.commit()
    return worker


async def mark_lost(session: AsyncSession, lost_after_s: float) -> int:
    cutoff = datetime.now(UTC) - timedelta(seconds=lost_after_s)
    result = await session.exec(
        update(Worker)
        .where(col(Worker.state).in_([s.value for s in LIVE_WORKER_STATES]), col(Worker.last_heartbeat_at) < cutoff)
        .values(state=WorkerState.LOST.value)
    )
    await session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def count_by(session: AsyncSession, column: object, table: type) -> dict[str, int]:
    rows = (await session.exec(select(column, func.count()).select_from(table).group_by(column))).all()  # type: ignore[call-overload]
    return {str(key): int(count) for key, count in rows}


async def scaling_signal(session: AsyncSession) -> ScalingSignal:
    pending_rows = (
        await session.exec(
            select(Job.priority, func.count()).where(Job.status == JobStatus.QUEUED.value).group_by(Job.priority)
        )
    ).all()
    pending_by_lane = {priority.value: 0 for priority in Priority} | {str(p): int(c) for p, c in pending_rows}
    running = (
        await session.exec(
            select(func.count()).select_from(Job).where(col(Job.status).in_([s.value for s in RUNNING_STATUSES]))
        )
    ).one()
    workers = await count_by(session, Worker.state, Worker)
    live = sum(
        count
        for state, count in workers.items()
        if WorkerState(state) in LIVE_WORKER_STATES and state != WorkerState.DRAINING
    )
    pending = sum(pending_by_lane.values())
    return ScalingSignal(
        pending_jobs=pending,
        pending_by_lane=pending_by_lane,
        running_jobs=int(running),
        live_workers=live,
        pending_per_live_worker=(pending / live) if live else None,
    )
