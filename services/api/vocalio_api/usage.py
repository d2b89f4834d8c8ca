"""Per-key usage (jobs, characters, audio seconds) by UTC day."""

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from vocalio_api.models import KeyUsage


async def add_usage(
    session: AsyncSession, key_id: str, now: datetime, jobs: int = 0, characters: int = 0, audio_seconds: float = 0.0
) -> None:
    """Add to the key's row for the day in one statement (insert, or add on conflict): no read
    first, and two first jobs of a day on PostgreSQL cannot both try to insert the row."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(KeyUsage).values(
        key_id=key_id, day=now.date().isoformat(), jobs=jobs, characters=characters, audio_seconds=audio_seconds
    )
    statement = statement.on_conflict_do_update(
        index_elements=[col(KeyUsage.key_id), col(KeyUsage.day)],
        set_={
            "jobs": col(KeyUsage.jobs) + statement.excluded.jobs,
            "characters": col(KeyUsage.characters) + statement.excluded.characters,
            "audio_seconds": col(KeyUsage.audio_seconds) + statement.excluded.audio_seconds,
        },
    )
    await session.exec(statement)
