"""Reference voices for a job: metadata and audio from the API, audio cached on disk by sha256.

The worker never reads the API's storage: it downloads a voice once through the API, verifies the
sha256 the API published, and keeps it under its own data dir. Voices are immutable (a new upload
is a new id), so metadata is cached by id for the life of the process. A region's default voice can
change, so the answer is remembered only `defaults_ttl_s` (VOCALIO_VOICE_DEFAULT_TTL_S): back-to-back
jobs do not each pay a round trip, and a new default reaches the worker within that time.

An engine that clones gets a `fallback` voice for a job that has none at all (F5: the demo reference its
package ships, `engines/f5/demo_voice.py`); `warnings_for` says what the job must tell its caller about it.
"""

import asyncio
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_shared.schemas.voices import VoicePublic

from vocalio_worker.api_client import ApiClient, ApiError
from vocalio_worker.engines.base import VoiceRef

log = structlog.get_logger("worker.voices")

# Engine voices need no reference audio: `espeak:es`, `kokoro:ef_dora` (or a mix, `kokoro:ef_dora*0.7+em_alex*0.3`).
ENGINE_VOICE_PREFIXES = ("espeak:", "kokoro:")


@dataclass(frozen=True)
class FallbackVoice:
    """A reference on the worker's own disk, used when a job has no voice, no region or neutral default."""

    voice_id: str
    audio_path: Path
    sample_rate_hz: int
    transcript: str
    sha256: str  # of the audio file: stable, so sentences rendered with it keep their cache keys
    warning: str | None  # what every job that used it reports (None: the operator chose it)

    def voice_ref(self, region: Region) -> VoiceRef:
        return VoiceRef(
            voice_id=self.voice_id,
            region=region,
            reference_audio_path=self.audio_path,
            reference_sample_rate_hz=self.sample_rate_hz,
            reference_transcript=self.transcript,
            sha256=self.sha256,
        )


class VoiceLibrary:
    def __init__(
        self,
        api: ApiClient,
        cache_dir: Path,
        needs_reference: bool,
        defaults_ttl_s: float = 0.0,
        fallback: FallbackVoice | None = None,
        engine_warnings: Callable[[VoiceRef], list[str]] | None = None,
    ) -> None:
        self.api = api
        self.cache_dir = cache_dir
        self.needs_reference = needs_reference
        self.defaults_ttl_s = defaults_ttl_s
        self.fallback = fallback if needs_reference else None  # eSpeak needs no reference: never a fallback
        self.engine_warnings = engine_warnings  # the engine's word on a voice it cannot speak as asked
        self._metadata: dict[str, VoicePublic] = {}
        self._defaults: dict[Region, tuple[float, VoicePublic | None]] = {}  # region → (asked at, answer)
        self._downloads: dict[str, asyncio.Lock] = {}

    async def voice_for(self, voice: str | None, region: Region) -> VoiceRef:
        """The job's voice (id, or engine voice like `espeak:es`), else its region's default,
        else neutral's default, else (an engine that clones) the fallback voice; with none of them an
        engine that clones fails clearly."""
        if voice and voice.startswith(ENGINE_VOICE_PREFIXES):
            return VoiceRef(voice_id=voice, region=region)
        metadata = await self._metadata_for(voice) if voice else await self._default_for(region)
        if metadata is None:
            if self.fallback is not None:
                log.warning("no voice for the job: using the fallback voice", voice_id=self.fallback.voice_id)
                return self.fallback.voice_ref(region)
            if self.needs_reference:
                raise VocalioError(
                    ErrorCode.UNKNOWN_VOICE,
                    f"no reference voice for region {region.value} (nor a neutral default): upload one and set "
                    "it as the region's default (PUT /api/v1/regions/{region}/default-voice)",
                    {"region": region.value},
                )
            return VoiceRef(voice_id=f"default:{region.value}", region=region)
        if not self.needs_reference:
            return VoiceRef(
                voice_id=metadata.id, region=region, reference_transcript=metadata.transcript, sha256=metadata.sha256
            )
        path = await self._cached_audio(metadata)
        return VoiceRef(
            voice_id=metadata.id,
            region=region,
            reference_audio_path=path,
            reference_sample_rate_hz=metadata.analysis.sample_rate_hz,
            reference_transcript=metadata.transcript,
            sha256=metadata.sha256,
        )

    def warnings_for(self, voice: VoiceRef) -> list[str]:
        """What a job must report about the voice it spoke with (the demo voice is not a narrator)."""
        fallback = self.fallback
        warnings = [fallback.warning] if fallback and fallback.warning and voice.voice_id == fallback.voice_id else []
        return warnings + (self.engine_warnings(voice) if self.engine_warnings else [])

    async def _metadata_for(self, voice_id: str) -> VoicePublic:
        if voice_id not in self._metadata:
            try:
                self._metadata[voice_id] = await self.api.get_voice(voice_id)
            except ApiError as error:
                raise VocalioError(
                    ErrorCode.UNKNOWN_VOICE, f"voice {voice_id} is not available: {error.message}", {"voice": voice_id}
                ) from None
        return self._metadata[voice_id]

    async def _default_for(self, region: Region) -> VoicePublic | None:
        for candidate in dict.fromkeys((region, Region.NEUTRAL)):
            metadata = await self._region_default(candidate)
            if metadata is not None:
                self._metadata[metadata.id] = metadata
                return metadata
        return None

    async def _region_default(self, region: Region) -> VoicePublic | None:
        now = time.monotonic()
        remembered = self._defaults.get(region)
        if remembered is not None and now - remembered[0] < self.defaults_ttl_s:
            return remembered[1]
        metadata = await self.api.get_region_default_voice(region.value)
        self._defaults[region] = (now, metadata)
        return metadata

    async def _cached_audio(self, metadata: VoicePublic) -> Path:
        path = self.cache_dir / f"{metadata.sha256}.wav"
        lock = self._downloads.setdefault(metadata.sha256, asyncio.Lock())
        async with lock:  # one download per voice, however many jobs want it at once
            if path.exists():
                return path
            data = await self.api.download_voice_audio(metadata.id)
            digest = hashlib.sha256(data).hexdigest()
            if digest != metadata.sha256:
                raise VocalioError(
                    ErrorCode.UPLOAD_CHECKSUM_MISMATCH,
                    "downloaded reference audio does not match the voice's sha256",
                    {"voice_id": metadata.id, "expected": metadata.sha256, "received": digest},
                )
            await asyncio.to_thread(_write_atomically, path, data)
            log.info("voice cached", voice_id=metadata.id, sha256=metadata.sha256, size_bytes=len(data))
        return path


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.part")
    temp.write_bytes(data)
    os.replace(temp, path)
