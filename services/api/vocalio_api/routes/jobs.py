"""Client routes for jobs: submit, read, list, cancel."""

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from sqlmodel import and_, col, or_, select
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import JobCreate, JobList, JobPublic, JobStatus, Priority

from vocalio_api.auth import Caller
from vocalio_api.deps import CallerDep, SessionDep, StateDep, SubmitterDep
from vocalio_api.jobs_service import cancel_job, create_job
from vocalio_api.models import Job, as_utc
from vocalio_api.public import job_public

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


async def load_visible_job(session: SessionDep, caller: Caller, job_id: str) -> Job:
    """A client sees its own jobs; operators and admins see every job. Others get 404, not 403."""
    job = await session.get(Job, job_id)
    if job is None or (job.api_key_id != caller.key_id and not caller.is_operator):
        raise VocalioError(ErrorCode.JOB_NOT_FOUND, f"job {job_id} not found", {"job_id": job_id})
    return job


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=JobPublic)
async def submit_job(
    body: JobCreate,
    response: Response,
    state: StateDep,
    session: SessionDep,
    submitter: SubmitterDep,
    # min_length: an empty key would be stored like any other and collide with the next empty one.
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=255)] = None,
) -> JobPublic:
    job, created = await create_job(state, session, submitter.caller, body, idempotency_key, submitter.reservation)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return job_public(job)


@router.get("/{job_id}", response_model=JobPublic)
async def get_job(job_id: str, session: SessionDep, caller: CallerDep) -> JobPublic:
    job = await load_visible_job(session, caller, job_id)
    return job_public(job).model_copy(update={"text": job.text})


def _encode_cursor(job: Job) -> str:
    created = as_utc(job.created_at)
    assert created is not None
    return base64.urlsafe_b64encode(f"{created.isoformat()}|{job.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, job_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created), job_id
    except (ValueError, UnicodeDecodeError):
        raise VocalioError(
            ErrorCode.VALIDATION_ERROR, "invalid cursor", {"fields": [{"field": "query.cursor"}]}
        ) from None


@router.get("", response_model=JobList)
async def list_jobs(
    session: SessionDep,
    caller: CallerDep,
    status_filter: Annotated[list[JobStatus] | None, Query(alias="status")] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> JobList:
    """Newest first; `next_cursor` continues where the page ended, stable under inserts."""
    query = select(Job)
    if not caller.is_operator:
        query = query.where(Job.api_key_id == caller.key_id)
    if status_filter:
        query = query.where(col(Job.status).in_([s.value for s in status_filter]))
    if priority:
        query = query.where(col(Job.priority).in_([p.value for p in priority]))
    if cursor:
        created, job_id = _decode_cursor(cursor)
        query = query.where(
            or_(col(Job.created_at) < created, and_(col(Job.created_at) == created, col(Job.id) < job_id))
        )
    query = query.order_by(col(Job.created_at).desc(), col(Job.id).desc()).limit(limit + 1)
    rows = list((await session.exec(query)).all())
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return JobList(items=[job_public(job) for job in rows[:limit]], next_cursor=next_cursor)


@router.post("/{job_id}/cancel", status_code=status.HTTP_202_ACCEPTED, response_model=JobPublic)
async def cancel(job_id: str, state: StateDep, session: SessionDep, caller: CallerDep) -> JobPublic:
    job = await load_visible_job(session, caller, job_id)
    await session.commit()  # end the read transaction before the Redis round trip
    return job_public(await cancel_job(state, session, job))
