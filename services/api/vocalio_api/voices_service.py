"""The voice library: store, list, resolve, delete, and one default voice per region.

Files are written to a temporary name and moved into place only after the row is committed, so a
failure at any step leaves neither a file nor a row behind.
"""

import asyncio
import hashlib
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import RUNNING_STATUSES, JobStatus
from vocalio_shared.schemas.voices import EngineVoice, RegionDefaults, VoiceAnalysis, VoicePublic
from vocalio_shared.schemas.workers import LIVE_WORKER_STATES

from vocalio_api.auth import Caller
from vocalio_api.models import Job, RegionDefaultVoice, Voice, Worker, as_utc
from vocalio_api.storage import write_synced
from vocalio_api.voice_analysis import check_audio, check_name, check_transcript

ESPEAK_VOICE_PREFIX = "espeak:"  # engine-specific voices need no reference audio
KOKORO_VOICE_PREFIX = "kokoro:"
ENGINE_VOICE_PREFIXES = (ESPEAK_VOICE_PREFIX, KOKORO_VOICE_PREFIX)
# A Kokoro voice or weighted mix named without its prefix: `ef_dora`, `ef_dora*0.7+em_alex*0.3`.
_KOKORO_NAME = r"[a-z]{2}_[a-z0-9]+\s*(?:\*\s*(?:\d+(?:\.\d*)?|\.\d+)\s*)?"
KOKORO_VOICE_SPEC = re.compile(rf"^\s*{_KOKORO_NAME}(?:\+\s*{_KOKORO_NAME})*$")
_BUSY_STATUSES = [JobStatus.QUEUED.value, *(s.value for s in RUNNING_STATUSES)]


def voice_public(voice: Voice, default_for: list[Region]) -> VoicePublic:
    return VoicePublic(
        id=voice.id,
        name=voice.name,
        region=Region(voice.region),
        language=voice.language,
        description=voice.description,
        licence=voice.licence,
        source=voice.source,
        transcript=voice.transcript,
        shared=voice.shared,
        owner_key_id=voice.owner_key_id,
        consent_attested_at=as_utc(voice.consent_attested_at),
        sha256=voice.sha256,
        size_bytes=voice.size_bytes,
        default_for=default_for,
        analysis=VoiceAnalysis.model_validate(voice.analysis),
        created_at=as_utc(voice.created_at),
        audio_url=f"/api/v1/voices/{voice.id}/audio",
    )


async def defaults_by_voice(session: AsyncSession) -> dict[str, list[Region]]:
    rows = (await session.exec(select(RegionDefaultVoice))).all()
    mapping: dict[str, list[Region]] = {}
    for row in rows:
        mapping.setdefault(row.voice_id, []).append(Region(row.region))
    return mapping


def visible_to(caller: Caller | None):  # type: ignore[no-untyped-def]
    """Workers (caller None), operators and admins see every voice; clients their own and shared ones."""
    if caller is None or caller.is_operator:
        return True
    return or_(col(Voice.shared).is_(True), Voice.owner_key_id == caller.key_id)


async def get_visible(session: AsyncSession, caller: Caller | None, voice_id: str) -> Voice:
    voice = (await session.exec(select(Voice).where(Voice.id == voice_id, visible_to(caller)))).first()
    if voice is None:
        raise VocalioError(ErrorCode.VOICE_NOT_FOUND, f"voice {voice_id} not found", {"voice": voice_id})
    return voice


async def resolve_for_job(session: AsyncSession, caller: Caller, reference: str) -> str:
    """A job's `voice` may be an id or a name; the caller's own voice wins over a shared namesake."""
    if reference.startswith(ENGINE_VOICE_PREFIXES):
        return reference
    by_id = (await session.exec(select(Voice).where(Voice.id == reference, visible_to(caller)))).first()
    if by_id is not None:
        return by_id.id
    candidates = (
        await session.exec(select(Voice).where(func.lower(Voice.name) == reference.strip().lower(), visible_to(caller)))
    ).all()
    if not candidates and KOKORO_VOICE_SPEC.match(reference):
        return KOKORO_VOICE_PREFIX + reference.replace(" ", "")  # no library voice of that name: Kokoro's
    if not candidates:
        raise VocalioError(
            ErrorCode.UNKNOWN_VOICE,
            f"no voice with id or name {reference!r}",
            {"fields": [{"field": "body.voice", "message": "unknown voice"}], "voice": reference},
        )
    own = [voice for voice in candidates if voice.owner_key_id == caller.key_id]
    return (own or candidates)[0].id


async def engine_voices(session: AsyncSession) -> list[EngineVoice]:
    """The voices the live workers' engines speak by name (their registration's `voices`), with who offers them."""
    live = [state.value for state in LIVE_WORKER_STATES]
    workers = (await session.exec(select(Worker).where(col(Worker.state).in_(live)))).all()
    offered: dict[str, EngineVoice] = {}
    for worker in sorted(workers, key=lambda row: row.worker_id):
        engine = str(worker.capabilities.get("engine") or "")
        for voice_id in worker.capabilities.get("voices") or []:
            entry = offered.setdefault(
                voice_id, EngineVoice(id=voice_id, name=voice_id.split(":", 1)[-1], engine=engine)
            )
            entry.workers.append(worker.worker_id)
    return sorted(offered.values(), key=lambda voice: voice.id)


async def create_voice(
    session: AsyncSession,
    voices_dir: Path,
    *,
    owner_key_id: str | None,
    payload: bytes,
    name: str,
    transcript: str,
    region: Region,
    language: str,
    description: str | None,
    licence: str | None,
    source: str | None,
    consent: bool,
    shared: bool,
) -> Voice:
    if not consent:
        raise VocalioError(
            ErrorCode.VOICE_CONSENT_REQUIRED,
            "attest that the speaker agreed to have their voice cloned (consent=true)",
        )
    name = check_name(name)
    transcript = check_transcript(transcript)
    checked = await asyncio.to_thread(check_audio, payload, transcript)  # CPU work off the loop
    voice_id = str(uuid.uuid4())
    final_path = voices_dir / f"{voice_id}.wav"
    temp_path = voices_dir / f".{voice_id}.wav.part"
    await asyncio.to_thread(write_synced, temp_path, checked.mono_wav)
    now = datetime.now(UTC)
    voice = Voice(
        id=voice_id,
        name=name,
        region=region.value,
        language=language,
        description=description,
        licence=licence,
        source=source,
        transcript=transcript,
        owner_key_id=owner_key_id,
        shared=shared,
        consent_attested_at=now,
        audio_path=str(final_path),
        sha256=hashlib.sha256(checked.mono_wav).hexdigest(),
        size_bytes=len(checked.mono_wav),
        analysis=checked.analysis.model_dump(mode="json"),
        created_at=now,
    )
    try:
        session.add(voice)
        await session.commit()
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    os.replace(temp_path, final_path)
    return voice


async def delete_voice(session: AsyncSession, caller: Caller, voice_id: str) -> None:
    voice = await get_visible(session, caller, voice_id)
    if not caller.is_admin and voice.owner_key_id != caller.key_id:
        raise VocalioError(ErrorCode.FORBIDDEN, "only the voice's owner or an admin may delete it")
    busy = (
        await session.exec(
            select(func.count()).select_from(Job).where(Job.voice_id == voice_id, col(Job.status).in_(_BUSY_STATUSES))
        )
    ).one()
    if busy:
        raise VocalioError(
            ErrorCode.VOICE_IN_USE,
            f"{busy} queued or running job(s) use this voice; retry when they finish",
            {"voice_id": voice_id, "jobs": int(busy)},
        )
    for row in (await session.exec(select(RegionDefaultVoice).where(RegionDefaultVoice.voice_id == voice_id))).all():
        await session.delete(row)
    await session.delete(voice)
    await session.commit()
    Path(voice.audio_path).unlink(missing_ok=True)


async def set_region_default(session: AsyncSession, region: Region, voice_id: str) -> Voice:
    """A region's default is used by every client, so it becomes shared."""
    voice = await get_visible(session, None, voice_id)
    voice.shared = True
    row = await session.get(RegionDefaultVoice, region.value)
    now = datetime.now(UTC)
    if row is None:
        row = RegionDefaultVoice(region=region.value, voice_id=voice_id, updated_at=now)
    row.voice_id, row.updated_at = voice_id, now
    session.add(voice)
    session.add(row)
    await session.commit()
    return voice


async def region_defaults(session: AsyncSession) -> RegionDefaults:
    rows = {row.region: row.voice_id for row in (await session.exec(select(RegionDefaultVoice))).all()}
    defaults = {region.value: rows.get(region.value) for region in Region}
    return RegionDefaults(defaults=defaults, missing=[region for region in Region if not rows.get(region.value)])


async def default_voice(session: AsyncSession, region: Region) -> Voice | None:
    row = await session.get(RegionDefaultVoice, region.value)
    return None if row is None else await session.get(Voice, row.voice_id)
