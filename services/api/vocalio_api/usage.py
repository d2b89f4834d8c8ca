"""Per-key usage (jobs, characters, audio seconds) by UTC day."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from vocalio_api.models import KeyUsage


async def add_usage(
    session: AsyncSession, key_id: str, now: datetime, jobs: int = 0, characters: int = 0, audio_seconds: float = 0.0
) -> None:
    day = now.date().isoformat()
    usage = await session.get(KeyUsage, (key_id, day))
    if usage is None:
        usage = KeyUsage(key_id=key_id, day=day)
    usage.jobs += jobs
    usage.characters += characters
    usage.audio_seconds += audio_seconds
    session.add(usage)
