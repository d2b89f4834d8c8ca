"""GET /api/v1/jobs/{id}/captions?format=srt|vtt|json — sentence timings of a finished job."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import JobResult, JobStatus

from vocalio_api.captions import MEDIA_TYPES, CaptionFormat, render
from vocalio_api.deps import CallerDep, SessionDep
from vocalio_api.routes.jobs import load_visible_job

router = APIRouter(prefix="/api/v1/jobs", tags=["captions"])


@router.get("/{job_id}/captions")
async def job_captions(
    job_id: str,
    session: SessionDep,
    caller: CallerDep,
    caption_format: Annotated[CaptionFormat, Query(alias="format")] = CaptionFormat.VTT,
) -> Response:
    job = await load_visible_job(session, caller, job_id)
    if job.status != JobStatus.SUCCEEDED or job.result is None:
        raise VocalioError(
            ErrorCode.AUDIO_NOT_READY, f"captions are not ready (job is {job.status})", {"status": job.status}
        )
    segments = JobResult.model_validate(job.result).segments
    headers = {"Content-Disposition": f'inline; filename="{job_id}.{caption_format.value}"'}
    return Response(render(segments, caption_format), media_type=MEDIA_TYPES[caption_format], headers=headers)
