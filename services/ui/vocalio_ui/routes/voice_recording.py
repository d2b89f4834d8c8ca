"""Record a voice in the browser: the page shows a sentence from the API's prompts, the browser records
it (static/record.js), and the take comes here to be forwarded to the API with that exact sentence as
its transcript. The API's checks decide; their refusals come back as field errors for the page to show.

The transcript is looked up here by the prompt's id, never taken from the browser: what is stored is
what the page showed."""

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from vocalio_shared.schemas.voices import VOICE_MAX_DURATION_S, VOICE_MIN_DURATION_S

from vocalio_ui import voice_library
from vocalio_ui.api_client import ApiError, ApiUnavailable
from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, SettingsDep, render
from vocalio_ui.voice_errors import FieldError, too_large, upload_errors

router = APIRouter()
log = structlog.get_logger("ui")
TextForm = Annotated[str, Form()]


def _errors(status_code: int, errors: list[FieldError]) -> JSONResponse:
    items = [{"field": error.field, "message": error.message, "hint": error.hint} for error in errors]
    return JSONResponse({"errors": items}, status_code=status_code)


@router.get("/voices/record")
async def record_page(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    context: dict[str, Any] = {
        "title": "Record a voice",
        "regions": voice_library.REGIONS,
        "min_duration_s": VOICE_MIN_DURATION_S,
        "max_duration_s": VOICE_MAX_DURATION_S,
    }
    try:
        context["prompts"] = await voice_library.recording_prompts(api, session.api_key or "")
    except ApiError as error:
        context["prompts"], context["prompts_error"] = None, error.message
    return render(request, "voice_record.html", context)


@router.post("/voices/record", dependencies=[CsrfDep])
async def save_recording(
    session: OperatorDep,
    api: ApiDep,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
    prompt_id: TextForm = "",
    name: TextForm = "",
    region: TextForm = "neutral",
    consent: TextForm = "",
) -> Response:
    if file is None:
        return _errors(422, [FieldError("file", "no recording arrived", "Record the sentence, then save it.")])
    if file.size is not None and file.size > settings.ui_max_voice_upload_bytes:
        return _errors(413, [too_large(file.size, settings.ui_max_voice_upload_bytes)])
    try:
        prompts = await voice_library.recording_prompts(api, session.api_key or "")
    except ApiError as error:
        return _errors(error.status_code, upload_errors(error))
    prompt = next((item for item in prompts["items"] if item["id"] == prompt_id), None)
    if prompt is None:
        message = f"unknown sentence “{prompt_id}”"
        return _errors(422, [FieldError("prompt", message, "Reload the page and record one of the sentences shown.")])
    data = {
        "name": name,
        "transcript": prompt["text"],
        "region": region,
        "language": "es",
        "consent": "true" if consent else "false",  # always sent: whether it may be stored is the API's call
        "source": f"recorded in the dashboard (prompt {prompt_id})",
    }
    upload = (file.filename or "recording.webm", file.file, file.content_type or "application/octet-stream")
    try:
        created = await api.post("/api/v1/voices", session.api_key, data=data, files={"file": upload})
    except ApiError as error:
        log.info("voice_recording_refused", code=error.code, key_id=session.key_id)
        return _errors(error.status_code, upload_errors(error))
    except ApiUnavailable as error:
        return _errors(503, [FieldError("form", f"the API is unreachable: {error}", "Try saving again in a moment.")])
    log.info("voice_recorded", voice_id=created["id"], prompt_id=prompt_id, key_id=session.key_id)
    return JSONResponse(
        {
            "voice_id": created["id"],
            "warnings": created["analysis"]["warnings"],
            "redirect": f"/voices?added={created['id']}",
        },
        status_code=201,
    )
