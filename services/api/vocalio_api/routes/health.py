"""Liveness, readiness and Prometheus metrics."""

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from vocalio_shared.schemas.jobs import JobStatus
from vocalio_shared.schemas.workers import WorkerState

from vocalio_api import voices_service, workers_service
from vocalio_api.deps import StateDep
from vocalio_api.metrics import JOBS, PENDING_PER_WORKER, QUEUE_DEPTH, WORKERS, exposition
from vocalio_api.models import Job, Worker

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(state: StateDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        async with state.sessions() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    try:
        await state.redis.ping()
        checks["redis"] = "ok"
    except Exception as error:
        checks["redis"] = f"error: {type(error).__name__}"
    ok = all(value == "ok" for value in checks.values())
    body: dict[str, object] = {"status": "ready" if ok else "not ready", "checks": checks}
    # Missing default voices degrade the service (jobs without a voice fall back) but do not stop it.
    try:
        async with state.sessions() as session:
            missing = (await voices_service.region_defaults(session)).missing
        body["default_voices"] = {
            "missing": [region.value for region in missing],
            "failed": state.default_voices.failed,
        }
    except Exception as error:
        body["default_voices"] = {"error": type(error).__name__}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics")
async def metrics(state: StateDep) -> Response:
    """Gauges that describe the database are refreshed at scrape time, so they are never stale;
    with several API processes, every process's counters are merged in (metrics.exposition)."""
    async with state.sessions() as session:
        by_status = await workers_service.count_by(session, Job.status, Job)
        signal = await workers_service.scaling_signal(session)
        by_state = await workers_service.count_by(session, Worker.state, Worker)
    for job_status in JobStatus:
        JOBS.labels(status=job_status.value).set(by_status.get(job_status.value, 0))
    for lane, depth in signal.pending_by_lane.items():
        QUEUE_DEPTH.labels(lane=lane).set(depth)
    for worker_state in WorkerState:
        WORKERS.labels(state=worker_state.value).set(by_state.get(worker_state.value, 0))
    PENDING_PER_WORKER.set(signal.pending_per_live_worker if signal.pending_per_live_worker is not None else -1)
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
