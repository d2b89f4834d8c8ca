"""Voices: the reference library (upload with the API's checks shown inline, listen, analysis),
region defaults (set with confirmation), and delete (the API refuses while jobs use the voice)."""

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from vocalio_ui import voice_library
from vocalio_ui.api_client import ApiError
from vocalio_ui.audio_proxy import proxy_audio
from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, SettingsDep, is_htmx, redirect, render
from vocalio_ui.routes import voice_recording
from vocalio_ui.sessions import Session
from vocalio_ui.voice_errors import FieldError, too_large, upload_errors

router = APIRouter()
router.include_router(voice_recording.router)  # Voices → Record a voice: its page and its save
log = structlog.get_logger("ui")

EMPTY_FORM: dict[str, Any] = {
    "name": "",
    "transcript": "",
    "region": "neutral",
    "description": "",
    "licence": "",
    "source": "",
    "consent": False,
    "shared": False,
}
OPTIONAL_FIELDS = ("description", "licence", "source")
TextForm = Annotated[str, Form()]


async def _library(api: ApiDep, session: Session, **extra: Any) -> dict[str, Any]:
    key = session.api_key or ""
    voices = await voice_library.list_voices(api, key)
    return {
        "voices": voices,
        "voice_names": {voice["id"]: voice["name"] for voice in voices},
        "region_defaults": await voice_library.region_defaults(api, key, with_failures=True),
        "regions": voice_library.REGIONS,
        **extra,
    }


async def _page(request: Request, api: ApiDep, session: Session, status_code: int = 200, **extra: Any) -> Response:
    context = {"title": "Voices", "form": EMPTY_FORM, "errors": {}, **extra}
    return render(request, "voices.html", await _library(api, session, **context), status_code=status_code)


async def _library_fragment(request: Request, api: ApiDep, session: Session, **extra: Any) -> Response:
    """What the htmx actions answer: the library re-rendered, with their notice or refusal in it."""
    context = await _library(api, session, **extra)
    if is_htmx(request):
        return render(request, "voices.html", context, block="library")
    # Without htmx (a plain form post), show the whole page; a refusal keeps its status.
    status_code = 409 if extra.get("action_error") else 200
    return render(request, "voices.html", {"title": "Voices", "form": EMPTY_FORM, "errors": {}, **context}, status_code)


@router.get("/voices")
async def voices_page(request: Request, session: OperatorDep, api: ApiDep, added: str | None = None) -> Response:
    return await _page(request, api, session, added=added)


@router.post("/voices", dependencies=[CsrfDep])
async def upload_voice(
    request: Request,
    session: OperatorDep,
    api: ApiDep,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
    name: TextForm = "",
    transcript: TextForm = "",
    region: TextForm = "neutral",
    description: TextForm = "",
    licence: TextForm = "",
    source: TextForm = "",
    consent: TextForm = "",
    shared: TextForm = "",
) -> Response:
    form = {
        "name": name,
        "transcript": transcript,
        "region": region,
        "description": description,
        "licence": licence,
        "source": source,
        "consent": bool(consent),
        "shared": bool(shared) and session.is_admin,
    }
    errors: list[FieldError] = []
    if file is None or not file.filename:
        errors = [FieldError("file", "no file was chosen", "Choose a recording of the speaker (WAV, FLAC, OGG, MP3).")]
    elif file.size is not None and file.size > settings.ui_max_voice_upload_bytes:
        errors = [too_large(file.size, settings.ui_max_voice_upload_bytes)]
    if file is not None and not errors:
        # Consent is always sent, false included: whether an upload may be stored is the API's decision.
        data = {
            "name": name,
            "transcript": transcript,
            "region": region,
            "language": "es",
            "consent": "true" if form["consent"] else "false",
            **{field: form[field].strip() for field in OPTIONAL_FIELDS if form[field].strip()},
            **({"shared": "true"} if form["shared"] else {}),
        }
        upload = (file.filename, file.file, file.content_type or "application/octet-stream")
        try:
            created = await api.post("/api/v1/voices", session.api_key, data=data, files={"file": upload})
        except ApiError as error:
            errors = upload_errors(error)
            log.info("voice_upload_refused", code=error.code, key_id=session.key_id)
        else:
            log.info("voice_uploaded", voice_id=created["id"], key_id=session.key_id)
            return redirect(request, f"/voices?added={created['id']}")
    by_field = {error.field: error for error in errors}
    return await _page(request, api, session, status_code=422, form=form, errors=by_field)


@router.get("/voices/{voice_id}/audio")
async def voice_audio(request: Request, voice_id: str, session: OperatorDep, api: ApiDep) -> Response:
    return await proxy_audio(request, api, f"/api/v1/voices/{voice_id}/audio", session.api_key or "")


@router.post("/voices/{voice_id}/default", dependencies=[CsrfDep])
async def set_default(
    request: Request, voice_id: str, session: OperatorDep, api: ApiDep, region: TextForm = ""
) -> Response:
    if region not in voice_library.REGIONS:
        return await _library_fragment(request, api, session, action_error=f"unknown region “{region}”")
    try:
        voice = await api.put(f"/api/v1/regions/{region}/default-voice", session.api_key, json={"voice_id": voice_id})
    except ApiError as error:
        return await _library_fragment(request, api, session, action_error=error.message)
    log.info("region_default_set", region=region, voice_id=voice_id, key_id=session.key_id)
    notice = f"{voice['name']} is now the default voice for {region}."
    return await _library_fragment(request, api, session, notice=notice)


@router.post("/voices/{voice_id}/delete", dependencies=[CsrfDep])
async def delete_voice(request: Request, voice_id: str, session: OperatorDep, api: ApiDep) -> Response:
    try:
        await api.delete(f"/api/v1/voices/{voice_id}", session.api_key)
    except ApiError as error:  # 409 VOICE_IN_USE: queued or running jobs still need the reference
        return await _library_fragment(request, api, session, action_error=f"Not deleted: {error.message}.")
    log.info("voice_deleted", voice_id=voice_id, key_id=session.key_id)
    return await _library_fragment(request, api, session, notice="Voice deleted.")


@router.get("/fragments/voices")
async def voices_fragment(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    return await _library_fragment(request, api, session)
