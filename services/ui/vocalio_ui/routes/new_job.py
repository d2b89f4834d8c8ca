"""New job: the form, its live preview, and submission (then the job's own live page)."""

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.jobs import (
    NFE_STEP_DEFAULT,
    NFE_STEP_MAX,
    NFE_STEP_MIN,
    PRIORITY_ORDER,
    SPEED_MAX,
    SPEED_MIN,
    SUPPORTED_SAMPLE_RATES,
    OutputFormat,
)

from vocalio_ui.api_client import ApiError, ApiUnavailable
from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, redirect, render
from vocalio_ui.preview import preview
from vocalio_ui.voice_library import voice_choices

router = APIRouter()
log = structlog.get_logger("ui")

CHOICES = {
    "regions": [region.value for region in RegionChoice],
    "formats": [fmt.value for fmt in OutputFormat],
    "rates": list(SUPPORTED_SAMPLE_RATES),
    "priorities": [priority.value for priority in PRIORITY_ORDER],
    "nfe_min": NFE_STEP_MIN,
    "nfe_max": NFE_STEP_MAX,
    "speed_min": SPEED_MIN,
    "speed_max": SPEED_MAX,
}
DEFAULTS: dict[str, Any] = {
    "text": "",
    "voice": "",
    "region": "auto",
    "nfe_step": NFE_STEP_DEFAULT,
    "speed": 1.0,
    "output_format": "wav",
    "sample_rate": 24000,
    "priority": "normal",
}


@router.get("/new")
async def new_job_page(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    voices = await voice_choices(api, session.api_key or "")
    context = {"title": "New job", "form": DEFAULTS, "errors": {}, "voices": voices, **CHOICES}
    return render(request, "new_job.html", context)


@router.post("/preview", dependencies=[CsrfDep])
async def preview_fragment(
    request: Request,
    session: OperatorDep,
    api: ApiDep,
    text: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "auto",
) -> Response:
    context: dict[str, Any] = {"preview": None}
    if text.strip():
        region = region if region in CHOICES["regions"] else "auto"
        # Errors stay inside the preview box (200), so typing on never swaps the page for an error page.
        try:
            context["preview"] = await preview(api, session.api_key or "", text, region)
        except ApiError as error:
            context["preview_error"] = error.message
        except ApiUnavailable:
            context["preview_error"] = "the API is unreachable; the preview comes back when it answers"
    return render(request, "new_job.html", context, block="preview")


@router.post("/new", dependencies=[CsrfDep])
async def submit_job(
    request: Request,
    session: OperatorDep,
    api: ApiDep,
    text: Annotated[str, Form()] = "",
    voice: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "auto",
    nfe_step: Annotated[str, Form()] = str(NFE_STEP_DEFAULT),
    speed: Annotated[str, Form()] = "1.0",
    output_format: Annotated[str, Form()] = "wav",
    sample_rate: Annotated[str, Form()] = "24000",
    priority: Annotated[str, Form()] = "normal",
) -> Response:
    form = {
        "text": text,
        "voice": voice.strip(),
        "region": region,
        "nfe_step": nfe_step,
        "speed": speed,
        "output_format": output_format,
        "sample_rate": sample_rate,
        "priority": priority,
    }
    body: dict[str, Any] = {key: value for key, value in form.items() if value != ""}
    # The API validates everything; the form only passes strings through, so its errors are the API's.
    try:
        created = await api.post("/api/v1/jobs", session.api_key, json=body)
    except ApiError as error:
        errors = _field_errors(error)
        voices = await voice_choices(api, session.api_key or "")
        context = {"title": "New job", "form": form, "errors": errors, "error": error.message, "voices": voices}
        context |= CHOICES
        return render(request, "new_job.html", context, status_code=422)
    log.info("job_submitted", job_id=created["id"], key_id=session.key_id)
    return redirect(request, f"/jobs/{created['id']}")


def _field_errors(error: ApiError) -> dict[str, str]:
    """`context.fields` of a 422 names `body.<field>`; the form shows each next to its input."""
    fields = (error.error.get("context") or {}).get("fields") or []
    errors = {str(item.get("field", "")).removeprefix("body."): str(item.get("message", "")) for item in fields}
    if not errors and error.code in ("TEXT_TOO_LONG",):
        errors["text"] = error.message
    return errors
