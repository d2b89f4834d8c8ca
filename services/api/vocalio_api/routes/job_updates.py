"""Worker-side job route: status, progress, result and structured errors."""

from fastapi import APIRouter
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import JobSpec, JobStatusAck, JobStatusUpdate

from vocalio_api.deps import SessionDep, StateDep, WorkerAuth
from vocalio_api.jobs_service import apply_status_update, job_spec
from vocalio_api.models import Job

router = APIRouter(prefix="/api/v1/jobs", tags=["worker protocol"], dependencies=[WorkerAuth])


@router.post("/{job_id}/status", response_model=JobStatusAck)
async def post_status(job_id: str, update: JobStatusUpdate, state: StateDep, session: SessionDep) -> JobStatusAck:
    return await apply_status_update(state, session, job_id, update)


@router.get("/{job_id}/spec", response_model=JobSpec)
async def get_spec(job_id: str, session: SessionDep) -> JobSpec:
    """The job as a worker needs it (also in the queue payload; here for tools and re-fetches)."""
    job = await session.get(Job, job_id)
    if job is None:
        raise VocalioError(ErrorCode.JOB_NOT_FOUND, f"job {job_id} not found", {"job_id": job_id})
    return job_spec(job)
