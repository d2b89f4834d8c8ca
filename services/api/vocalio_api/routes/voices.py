"""The voice library: upload (multipart), list, read, download, delete, region defaults."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi.responses import FileResponse
from sqlmodel import col, select
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_shared.schemas.voices import DefaultVoiceSet, RegionDefaults, VoiceList, VoicePromptList, VoicePublic

from vocalio_api import voice_prompts, voices_service
from vocalio_api.deps import CallerDep, OperatorDep, SessionDep, StateDep, ViewerDep
from vocalio_api.models import Voice

router = APIRouter(prefix="/api/v1", tags=["voices"])


@router.post("/voices", status_code=status.HTTP_201_CREATED, response_model=VoicePublic)
async def upload_voice(
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    file: Annotated[
        UploadFile, File(description="Reference audio: 2-30 s of clean speech (WAV, FLAC, OGG, MP3, WebM/Opus, M4A).")
    ],
    transcript: Annotated[str, Form(description="Exactly what is said in the clip.")],
    name: Annotated[str, Form(max_length=200)],
    consent: Annotated[bool, Form(description="The speaker agreed to have their voice cloned.")],
    region: Annotated[Region, Form()] = Region.NEUTRAL,
    language: Annotated[str, Form(max_length=16)] = "es",
    description: Annotated[str | None, Form(max_length=1000)] = None,
    licence: Annotated[str | None, Form(max_length=200)] = None,
    source: Annotated[str | None, Form(max_length=500)] = None,
    shared: Annotated[bool, Form(description="Visible to every key (admins only).")] = False,
) -> VoicePublic:
    if shared and not caller.is_admin:
        raise VocalioError(ErrorCode.FORBIDDEN, "only an admin can share a voice with every key")
    payload = await file.read()
    voice = await voices_service.create_voice(
        session,
        state.settings.data_dir / "voices",
        owner_key_id=caller.key_id,
        payload=payload,
        name=name,
        transcript=transcript,
        region=region,
        language=language,
        description=description,
        licence=licence,
        source=source,
        consent=consent,
        shared=shared,
    )
    return voices_service.voice_public(voice, [])


@router.get("/voices", response_model=VoiceList)
async def list_voices(
    session: SessionDep, viewer: ViewerDep, region: Annotated[Region | None, Query()] = None
) -> VoiceList:
    query = select(Voice).where(voices_service.visible_to(viewer)).order_by(col(Voice.created_at).desc())
    if region is not None:
        query = query.where(Voice.region == region.value)
    defaults = await voices_service.defaults_by_voice(session)
    rows = (await session.exec(query)).all()
    return VoiceList(
        items=[voices_service.voice_public(v, defaults.get(v.id, [])) for v in rows],
        engine_voices=await voices_service.engine_voices(session),
    )


# Declared before /voices/{voice_id}, which would otherwise take "prompts" for an id.
@router.get("/voices/prompts", response_model=VoicePromptList)
async def recording_prompts(_viewer: ViewerDep) -> VoicePromptList:
    """Sentences to read aloud when recording a reference; the one read becomes the voice's transcript."""
    return voice_prompts.prompt_list()


@router.get("/voices/{voice_id}", response_model=VoicePublic)
async def get_voice(voice_id: str, session: SessionDep, viewer: ViewerDep) -> VoicePublic:
    voice = await voices_service.get_visible(session, viewer, voice_id)
    defaults = await voices_service.defaults_by_voice(session)
    return voices_service.voice_public(voice, defaults.get(voice.id, []))


@router.get("/voices/{voice_id}/audio", response_class=FileResponse)
async def voice_audio(voice_id: str, session: SessionDep, viewer: ViewerDep) -> FileResponse:
    voice = await voices_service.get_visible(session, viewer, voice_id)
    await session.commit()  # end the read transaction before streaming
    return FileResponse(
        Path(voice.audio_path),
        media_type="audio/wav",
        filename=f"{voice.id}.wav",
        headers={"ETag": f'"{voice.sha256}"'},
    )


@router.delete("/voices/{voice_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_voice(voice_id: str, session: SessionDep, caller: CallerDep) -> Response:
    await voices_service.delete_voice(session, caller, voice_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/regions/defaults", response_model=RegionDefaults)
async def region_defaults(session: SessionDep, _viewer: ViewerDep) -> RegionDefaults:
    return await voices_service.region_defaults(session)


@router.get("/regions/{region}/default-voice", response_model=VoicePublic)
async def get_region_default(region: Region, session: SessionDep, _viewer: ViewerDep) -> VoicePublic:
    voice = await voices_service.default_voice(session, region)
    if voice is None:
        raise VocalioError(ErrorCode.VOICE_NOT_FOUND, f"region {region.value} has no default voice", {"region": region})
    defaults = await voices_service.defaults_by_voice(session)
    return voices_service.voice_public(voice, defaults.get(voice.id, []))


@router.put("/regions/{region}/default-voice", response_model=VoicePublic)
async def set_region_default(
    region: Region, body: DefaultVoiceSet, session: SessionDep, _operator: OperatorDep
) -> VoicePublic:
    voice = await voices_service.set_region_default(session, region, body.voice_id)
    defaults = await voices_service.defaults_by_voice(session)
    return voices_service.voice_public(voice, defaults.get(voice.id, []))
