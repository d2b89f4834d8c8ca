"""Register the default voice of each region from the registry file on start (checksum-verified).

Runs in the background so an offline host starts at once; what could not be registered is kept on
the app state and reported by /ready and the dashboard. Replicas starting at once take turns
(a Redis mutex, `replica_locks`): the first registers, the next ones find the regions taken.
"""

import hashlib
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import structlog
from pydantic import BaseModel, Field
from redis.exceptions import RedisError
from vocalio_shared.errors import VocalioError
from vocalio_shared.regions import Region

from vocalio_api import voices_service
from vocalio_api.replica_locks import mutex
from vocalio_api.state import AppState, DefaultVoicesStatus

log = structlog.get_logger("api.default_voices")

BUILTIN_REGISTRY = Path(__file__).with_name("default_voices.toml")
MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024
MUTEX_NAME = "default-voices"


class DefaultVoiceEntry(BaseModel):
    name: str
    region: Region
    url: str
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    transcript: str
    licence: str | None = None
    source: str | None = None
    language: str = "es"


def load_registry(path: Path | None) -> list[DefaultVoiceEntry]:
    data = tomllib.loads((path or BUILTIN_REGISTRY).read_text())
    return [DefaultVoiceEntry.model_validate(entry) for entry in data.get("voice", [])]


async def _fetch(client: httpx.AsyncClient, url: str) -> bytes:
    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        return Path(parts.path).read_bytes()
    chunks: list[bytes] = []
    size = 0
    async with client.stream("GET", url, follow_redirects=True, timeout=60) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_DOWNLOAD_BYTES:
                raise ValueError(f"larger than {MAX_DOWNLOAD_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


async def register_defaults(state: AppState, registry_file: Path | None) -> DefaultVoicesStatus:
    status: DefaultVoicesStatus = state.default_voices
    entries = load_registry(registry_file)
    if entries:
        try:
            # held while downloading (renewed), so a holder that dies frees it within its ttl
            async with mutex(state.redis, MUTEX_NAME, ttl_s=30.0):
                await _register(state, entries, status)
        except RedisError as error:  # registering without the mutex could register a region twice
            reason = f"registration lock unavailable: {type(error).__name__}: {error}"
            missed = [entry.region.value for entry in entries if entry.region.value not in status.registered]
            status.failed.update(dict.fromkeys(missed, reason))
            log.warning("default voices not registered", reason=reason)
    status.done = True
    return status


async def _register(state: AppState, entries: list[DefaultVoiceEntry], status: DefaultVoicesStatus) -> None:
    async with state.sessions() as session:
        taken = {region for region in Region if await voices_service.default_voice(session, region) is not None}
    for entry in entries:
        if entry.region in taken:
            continue
        try:
            payload = await _fetch(state.http, entry.url)
            digest = hashlib.sha256(payload).hexdigest()
            if digest != entry.sha256.lower():
                raise ValueError(f"sha256 mismatch: got {digest}")
            async with state.sessions() as session:
                voice = await voices_service.create_voice(
                    session,
                    state.settings.data_dir / "voices",
                    owner_key_id=None,
                    payload=payload,
                    name=entry.name,
                    transcript=entry.transcript,
                    region=entry.region,
                    language=entry.language,
                    description="default voice from the registry",
                    licence=entry.licence,
                    source=entry.source or entry.url,
                    consent=True,
                    shared=True,
                )
                await voices_service.set_region_default(session, entry.region, voice.id)
            taken.add(entry.region)
            status.registered.append(entry.region.value)
            log.info("default voice registered", region=entry.region.value, voice_id=voice.id)
        except (OSError, httpx.HTTPError, ValueError, VocalioError) as error:
            reason = error.message if isinstance(error, VocalioError) else f"{type(error).__name__}: {error}"
            status.failed[entry.region.value] = reason
            log.warning("default voice not registered", region=entry.region.value, reason=reason)
