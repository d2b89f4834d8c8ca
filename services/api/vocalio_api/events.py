"""Job events: recorded in the database (the truth), announced on Redis (the wake-up call)."""

from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.events import EventType
from vocalio_shared.queue import EVENTS_ALL_CHANNEL, EVENTS_CHANNEL_PREFIX

from vocalio_api.models import Job, JobEventRow


def add_event(
    session: AsyncSession,
    job: Job,
    event_type: EventType,
    now: datetime,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> JobEventRow:
    """Add an event in the caller's transaction; its seq is the job's next (job row is locked)."""
    job.event_seq += 1
    row = JobEventRow(
        job_id=job.id,
        seq=job.event_seq,
        type=event_type.value,
        status=job.status,
        progress=job.progress,
        stage=job.stage,
        message=message,
        data=data,
        created_at=now,
    )
    session.add(job)
    session.add(row)
    return row


def announcements(job_id: str, seq: int) -> list[tuple[str, str]]:
    """(channel, message) pairs that tell listeners a job has a new event."""
    return [(EVENTS_CHANNEL_PREFIX + job_id, str(seq)), (EVENTS_ALL_CHANNEL, f"{job_id}:{seq}")]


async def announce(redis: Redis, job_id: str, seq: int) -> None:
    """Best effort: listeners also poll, so a lost announcement only delays them."""
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for channel, message in announcements(job_id, seq):
                pipe.publish(channel, message)
            await pipe.execute()
    except Exception:
        pass


async def events_after(session: AsyncSession, job_id: str, after_seq: int, limit: int = 500) -> list[JobEventRow]:
    query = (
        select(JobEventRow)
        .where(JobEventRow.job_id == job_id, col(JobEventRow.seq) > after_seq)
        .order_by(col(JobEventRow.seq))
        .limit(limit)
    )
    return list((await session.exec(query)).all())
