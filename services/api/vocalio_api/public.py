"""Table rows → what the API returns. Nothing leaves the API except through here."""

from vocalio_shared.errors import ErrorDetail
from vocalio_shared.schemas.jobs import (
    JobEvent,
    JobLinks,
    JobMetrics,
    JobPublic,
    JobResult,
    JobStatus,
    Priority,
)
from vocalio_shared.schemas.keys import ApiKeyPublic
from vocalio_shared.schemas.workers import (
    WorkerCapabilities,
    WorkerCommand,
    WorkerMetrics,
    WorkerPublic,
    WorkerState,
)

from vocalio_api.models import ApiKey, Job, JobEventRow, Worker, as_utc, job_params

JOBS_PATH = "/api/v1/jobs"


def job_links(job_id: str) -> JobLinks:
    base = f"{JOBS_PATH}/{job_id}"
    return JobLinks(self=base, events=f"{base}/events", audio=f"{base}/audio", cancel=f"{base}/cancel")


def job_public(job: Job) -> JobPublic:
    return JobPublic(
        id=job.id,
        status=JobStatus(job.status),
        progress=job.progress,
        stage=job.stage,
        priority=Priority(job.priority),
        text_chars=job.text_chars,
        params=job_params(job),
        callback_url=job.callback_url,
        metadata=job.job_metadata,
        result=JobResult.model_validate(job.result) if job.result else None,
        metrics=JobMetrics.model_validate(job.metrics) if job.metrics else None,
        error=ErrorDetail.model_validate(job.error) if job.error else None,
        worker_id=job.worker_id,
        attempts=job.attempts,
        cancel_requested=job.cancel_requested,
        created_at=as_utc(job.created_at),
        updated_at=as_utc(job.updated_at),
        started_at=as_utc(job.started_at),
        finished_at=as_utc(job.finished_at),
        links=job_links(job.id),
    )


def event_public(row: JobEventRow) -> JobEvent:
    return JobEvent(
        seq=row.seq,
        job_id=row.job_id,
        type=row.type,
        status=JobStatus(row.status),
        progress=row.progress,
        stage=row.stage,
        message=row.message,
        data=row.data,
        created_at=as_utc(row.created_at),
    )


def worker_public(worker: Worker) -> WorkerPublic:
    return WorkerPublic(
        worker_id=worker.worker_id,
        worker_type=worker.worker_type,
        state=WorkerState(worker.state),
        capabilities=WorkerCapabilities.model_validate(worker.capabilities),
        host=worker.host,
        port=worker.port,
        version=worker.version,
        metrics=WorkerMetrics.model_validate(worker.metrics) if worker.metrics else None,
        active_job_ids=list(worker.active_job_ids or []),
        pending_command=WorkerCommand(worker.pending_command) if worker.pending_command else None,
        registered_at=as_utc(worker.registered_at),
        last_heartbeat_at=as_utc(worker.last_heartbeat_at),
    )


def key_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        name=key.name,
        role=key.role,
        rate_requests_per_min=key.rate_requests_per_min,
        rate_chars_per_day=key.rate_chars_per_day,
        created_at=as_utc(key.created_at),
        revoked_at=as_utc(key.revoked_at),
        last_used_at=as_utc(key.last_used_at),
    )
