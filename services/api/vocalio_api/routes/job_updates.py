"""Worker-side job route: status, progress, result and structured errors."""

from fastapi import APIRouter
from vocalio_shared.schemas.jobs import JobStatusAck, JobStatusUpdate

from vocalio_api.deps import SessionDep, StateDep, WorkerAuth
from vocalio_api.jobs_service import apply_status_update

router = APIRouter(prefix="/api/v1/jobs", tags=["worker protocol"], dependencies=[WorkerAuth])


@router.post("/{job_id}/status", response_model=JobStatusAck)
async def post_status(job_id: str, update: JobStatusUpdate, state: StateDep, session: SessionDep) -> JobStatusAck:
    return await apply_status_update(state, session, job_id, update)
