"""Serving a finished job's stored audio file (HTTP Range, ETag): job downloads and book chapters."""

from pathlib import Path

from fastapi.responses import FileResponse
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import AUDIO_EXTENSIONS, AUDIO_MEDIA_TYPES, JobStatus

from vocalio_api.models import Job, job_params


def stored_audio(job: Job, filename_stem: str) -> FileResponse:
    """The job's file as it was stored; Starlette's FileResponse answers Range requests (206/416)."""
    if job.status != JobStatus.SUCCEEDED or not job.audio_path:
        raise VocalioError(
            ErrorCode.AUDIO_NOT_READY, f"audio is not ready (job is {job.status})", {"status": job.status}
        )
    output_format = job_params(job).output_format
    path = Path(job.audio_path)
    if not path.exists():
        raise VocalioError(ErrorCode.NOT_FOUND, "audio file is missing from the store", {"job_id": job.id})
    return FileResponse(
        path,
        media_type=AUDIO_MEDIA_TYPES[output_format],
        filename=f"{filename_stem}.{AUDIO_EXTENSIONS[output_format]}",
        headers={"ETag": f'"{job.audio_sha256}"', "Cache-Control": "private, max-age=86400"},
    )
