"""Jobs: the filterable live list, one job's page, cancel, retry and the audio proxy."""

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from vocalio_shared.schemas.jobs import PRIORITY_ORDER, TERMINAL_STATUSES, JobStatus

from vocalio_ui.api_client import ApiError
from vocalio_ui.audio_proxy import proxy_audio
from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, redirect, render

router = APIRouter()
log = structlog.get_logger("ui")

PAGE_SIZE = 25
STATUSES = [status.value for status in JobStatus]
PRIORITIES = [priority.value for priority in PRIORITY_ORDER]
TERMINAL = {status.value for status in TERMINAL_STATUSES}


def _filters(status: list[str] | None, priority: list[str] | None) -> dict[str, list[str]]:
    return {
        "status": [value for value in status or [] if value in STATUSES],
        "priority": [value for value in priority or [] if value in PRIORITIES],
    }


async def _job_page(api: ApiDep, api_key: str, filters: dict[str, list[str]], cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": PAGE_SIZE, **{key: value for key, value in filters.items() if value}}
    if cursor:
        params["cursor"] = cursor
    listing = await api.get("/api/v1/jobs", api_key, params=params)
    return {
        "jobs": listing["items"],
        "next_cursor": listing.get("next_cursor"),
        "cursor": cursor,
        "filters": filters,
        "statuses": STATUSES,
        "priorities": PRIORITIES,
        "terminal": TERMINAL,
    }


StatusQuery = Annotated[list[str] | None, Query()]


@router.get("/jobs")
async def jobs_page(
    request: Request,
    session: OperatorDep,
    api: ApiDep,
    status: StatusQuery = None,
    priority: StatusQuery = None,
    cursor: str | None = None,
) -> Response:
    context = await _job_page(api, session.api_key or "", _filters(status, priority), cursor)
    return render(request, "jobs.html", context | {"title": "Jobs", "query": request.url.query})


@router.get("/fragments/jobs")
async def jobs_fragment(
    request: Request,
    session: OperatorDep,
    api: ApiDep,
    status: StatusQuery = None,
    priority: StatusQuery = None,
    cursor: str | None = None,
) -> Response:
    context = await _job_page(api, session.api_key or "", _filters(status, priority), cursor)
    return render(request, "jobs.html", context | {"query": request.url.query}, block="table")


async def _job_context(api: ApiDep, api_key: str, job_id: str) -> dict[str, Any]:
    job = await api.get(f"/api/v1/jobs/{job_id}", api_key)
    events = await api.get(f"/api/v1/jobs/{job_id}/events/history", api_key)
    return {"job": job, "events": events, "terminal": TERMINAL, "live": job["status"] not in TERMINAL}


@router.get("/jobs/{job_id}")
async def job_page(request: Request, job_id: str, session: OperatorDep, api: ApiDep) -> Response:
    context = await _job_context(api, session.api_key or "", job_id)
    return render(request, "job.html", context | {"title": f"Job {job_id}"})


@router.get("/fragments/jobs/{job_id}")
async def job_fragment(request: Request, job_id: str, session: OperatorDep, api: ApiDep) -> Response:
    context = await _job_context(api, session.api_key or "", job_id)
    return render(request, "job.html", context, block="live")


@router.post("/jobs/{job_id}/cancel", dependencies=[CsrfDep])
async def cancel_job(request: Request, job_id: str, session: OperatorDep, api: ApiDep) -> Response:
    await api.post(f"/api/v1/jobs/{job_id}/cancel", session.api_key)
    log.info("job_cancel_requested", job_id=job_id, key_id=session.key_id)
    back = request.headers.get("HX-Current-URL") or f"/jobs/{job_id}"
    return redirect(request, back if back.startswith(("/", str(request.base_url))) else f"/jobs/{job_id}")


@router.post("/jobs/{job_id}/retry", dependencies=[CsrfDep])
async def retry_job(request: Request, job_id: str, session: OperatorDep, api: ApiDep) -> Response:
    """The API has no retry route: submit a new job with the same text and parameters."""
    job = await api.get(f"/api/v1/jobs/{job_id}", session.api_key)
    text = job.get("text")
    if not text:  # JobPublic does not carry the text yet; say so rather than guess
        message = "Retry needs the job's text, which this API version does not return. Submit it again from New job."
        return render(request, "message.html", {"title": "Cannot retry", "message": message}, status_code=409)
    params = {key: value for key, value in job["params"].items() if value is not None}
    body = {**params, "text": text, "priority": job["priority"], "metadata": {**(job.get("metadata") or {})}}
    body["metadata"]["retry_of"] = job_id
    try:
        created = await api.post("/api/v1/jobs", session.api_key, json=body)
    except ApiError as error:
        return render(request, "message.html", {"title": "Retry refused", "message": error.message}, status_code=400)
    log.info("job_retried", job_id=created["id"], retry_of=job_id, key_id=session.key_id)
    return redirect(request, f"/jobs/{created['id']}")


@router.get("/jobs/{job_id}/audio")
async def job_audio(request: Request, job_id: str, session: OperatorDep, api: ApiDep, download: int = 0) -> Response:
    """Stream the API's audio through the dashboard so the browser never holds an API key."""
    path = f"/api/v1/jobs/{job_id}/audio"
    return await proxy_audio(request, api, path, session.api_key or "", download_name=job_id if download else None)
