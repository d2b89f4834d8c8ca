"""Audio of a job: clients download (HTTP Range supported), the job's worker uploads."""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import FileResponse
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.audio_files import stored_audio
from vocalio_api.deps import CallerDep, SessionDep, StateDep, WorkerAuth
from vocalio_api.jobs_service import accept_audio
from vocalio_api.routes.jobs import load_visible_job
from vocalio_api.storage import discard_upload, receive_upload

router = APIRouter(prefix="/api/v1/jobs", tags=["audio"])


@router.get("/{job_id}/audio", response_class=FileResponse)
async def download_audio(job_id: str, session: SessionDep, caller: CallerDep) -> FileResponse:
    job = await load_visible_job(session, caller, job_id)
    await session.commit()  # end the (SQLite: write-locking) transaction before streaming the file
    return stored_audio(job, job_id)


@router.put("/{job_id}/audio", status_code=201, dependencies=[WorkerAuth])
async def upload_audio(
    job_id: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    x_worker_id: Annotated[str, Header()],
    x_job_attempt: Annotated[int, Header(ge=1)],
    x_audio_sha256: Annotated[str, Header(min_length=64, max_length=64)],
) -> dict[str, object]:
    """Streamed to disk with the size limit enforced while reading; moved into place only after
    the checksum matches and the job is still this attempt's, so exactly one result is stored."""
    settings = state.settings
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes:
        raise VocalioError(
            ErrorCode.UPLOAD_TOO_LARGE,
            f"upload of {declared} bytes exceeds {settings.max_upload_bytes}",
            {"max_upload_bytes": settings.max_upload_bytes},
        )
    upload = await receive_upload(request.stream(), settings.audio_dir, settings.max_upload_bytes, x_audio_sha256)
    try:
        await accept_audio(state, session, job_id, x_job_attempt, x_worker_id, upload)
    except BaseException:
        discard_upload(upload)
        raise
    return {"job_id": job_id, "size_bytes": upload.size_bytes, "sha256": upload.sha256}
