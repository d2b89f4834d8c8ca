"""Database tables. Routes never return these directly: see `public.py` for what leaves the API."""

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel
from vocalio_shared.schemas.jobs import ChapterRender, JobParams


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; every datetime we store is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class KeyRole(StrEnum):
    """admin: everything; operator: runs the fleet (workers, every job); client: its own jobs."""

    ADMIN = "admin"
    OPERATOR = "operator"
    CLIENT = "client"


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    rate_requests_per_min: int | None = None
    rate_chars_per_day: int | None = None
    created_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))


class KeyUsage(SQLModel, table=True):
    __tablename__ = "key_usage"

    key_id: str = Field(primary_key=True, max_length=32)
    day: str = Field(primary_key=True, max_length=10)
    jobs: int = 0
    characters: int = 0
    audio_seconds: float = 0.0


class Job(SQLModel, table=True):
    __tablename__ = "jobs"
    __table_args__ = (
        sa.UniqueConstraint("api_key_id", "idempotency_key", name="uq_jobs_key_idempotency"),
        sa.Index("ix_jobs_created_id", "created_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    api_key_id: str = Field(index=True, max_length=32)
    status: str = Field(index=True, max_length=16)
    priority: str = Field(index=True, max_length=8)
    progress: float = 0.0
    stage: str | None = Field(default=None, max_length=100)
    text: str = Field(sa_column=Column(sa.Text, nullable=False))
    text_chars: int
    params: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    callback_url: str | None = Field(default=None, max_length=2000)
    job_metadata: dict[str, Any] | None = Field(default=None, sa_column=Column("metadata", JSON))
    idempotency_key: str | None = Field(default=None, max_length=255)
    request_hash: str | None = Field(default=None, max_length=64)
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    metrics: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    worker_id: str | None = Field(default=None, max_length=128)
    voice_id: str | None = Field(default=None, index=True, max_length=36)
    attempts: int = 0
    cancel_requested: bool = False
    audio_path: str | None = Field(default=None, max_length=500)
    audio_sha256: str | None = Field(default=None, max_length=64)
    audio_size_bytes: int | None = None
    audio_attempt: int | None = None
    event_seq: int = 0
    created_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))
    finished_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))


# The params column holds the job's JobParams and, beside them, the internal `stream` switch
# (JobSpec.stream, set by /v1/audio/speech) and a book chapter's render spec (JobSpec.chapter, set by
# the book service): one JSON column, so no migration for what only the queue payload carries.
STREAM_PARAM = "stream"
CHAPTER_PARAM = "chapter"
INTERNAL_PARAMS = frozenset({STREAM_PARAM, CHAPTER_PARAM})


def stored_params(params: JobParams, stream: bool, chapter: ChapterRender | None = None) -> dict[str, Any]:
    public = JobParams.model_validate(params.model_dump(include=set(JobParams.model_fields)))
    stored = public.model_dump(mode="json") | {STREAM_PARAM: stream}
    return stored | {CHAPTER_PARAM: chapter.model_dump(mode="json")} if chapter is not None else stored


def job_params(job: Job) -> JobParams:
    return JobParams.model_validate({name: value for name, value in job.params.items() if name not in INTERNAL_PARAMS})


def job_streams(job: Job) -> bool:
    return bool(job.params.get(STREAM_PARAM, False))


def job_chapter(job: Job) -> ChapterRender | None:
    chapter = job.params.get(CHAPTER_PARAM)
    return ChapterRender.model_validate(chapter) if chapter else None


class JobEventRow(SQLModel, table=True):
    __tablename__ = "job_events"
    __table_args__ = (sa.UniqueConstraint("job_id", "seq", name="uq_job_events_job_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(index=True, max_length=36)
    seq: int
    type: str = Field(max_length=40)
    status: str = Field(max_length=16)
    progress: float = 0.0
    stage: str | None = Field(default=None, max_length=100)
    message: str | None = Field(default=None, sa_column=Column(sa.Text))
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))


class Worker(SQLModel, table=True):
    __tablename__ = "workers"

    worker_id: str = Field(primary_key=True, max_length=128)
    worker_type: str = Field(max_length=64)
    state: str = Field(index=True, max_length=16)
    capabilities: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    host: str = Field(max_length=255)
    port: int
    version: str = Field(max_length=64)
    metrics: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    active_job_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pending_command: str | None = Field(default=None, max_length=16)
    registered_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    last_heartbeat_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(index=True, max_length=36)
    url: str = Field(max_length=2000)
    event_type: str = Field(max_length=40)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", index=True, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False, index=True))
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(sa.Text))
    created_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))


class Voice(SQLModel, table=True):
    """A reference voice: normalised mono WAV in data_dir/voices, its transcript and analysis."""

    __tablename__ = "voices"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(index=True, max_length=100)
    region: str = Field(index=True, max_length=16)
    language: str = Field(max_length=16)
    description: str | None = Field(default=None, max_length=1000)
    licence: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=500)
    transcript: str = Field(sa_column=Column(sa.Text, nullable=False))
    owner_key_id: str | None = Field(default=None, index=True, max_length=32)
    shared: bool = False
    consent_attested_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    audio_path: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    size_bytes: int
    analysis: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))


class RegionDefaultVoice(SQLModel, table=True):
    __tablename__ = "region_default_voices"

    region: str = Field(primary_key=True, max_length=16)
    voice_id: str = Field(max_length=36)
    updated_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))


class Book(SQLModel, table=True):
    """A book's own data: metadata, settings, pinned voice, seed. Its status is not stored here as
    truth: it is computed from the chapter jobs (`books.status`); `announced_status` only remembers
    the last aggregate the event log announced, so a change is announced once."""

    __tablename__ = "books"
    __table_args__ = (
        sa.UniqueConstraint("api_key_id", "idempotency_key", name="uq_books_key_idempotency"),
        sa.Index("ix_books_created_id", "created_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    api_key_id: str = Field(index=True, max_length=32)
    state: str = Field(max_length=16)  # books.status.BookState: what the client asked last
    announced_status: str = Field(max_length=16)
    book_metadata: dict[str, Any] = Field(sa_column=Column("metadata", JSON, nullable=False))
    settings: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source_format: str = Field(max_length=8)
    cover_path: str | None = Field(default=None, max_length=500)
    cover_media_type: str | None = Field(default=None, max_length=40)
    voice: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # PinnedVoice + reference
    seed: int | None = None
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    text_chars: int
    idempotency_key: str | None = Field(default=None, max_length=255)
    request_hash: str | None = Field(default=None, max_length=64)
    event_seq: int = 0
    created_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))
    finished_at: datetime | None = Field(default=None, sa_column=Column(sa.DateTime(timezone=True)))


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class BookChapter(SQLModel, table=True):
    """One section of a book in reading order (`position`), included or set aside. `job_id` is its
    latest chapter job; `job_signature` the content that job renders (text, title, effective
    settings, voice, seed): a chapter whose signature changed needs a new job."""

    __tablename__ = "book_chapters"
    __table_args__ = (sa.UniqueConstraint("book_id", "position", name="uq_book_chapters_book_position"),)

    id: str = Field(primary_key=True, max_length=36)
    book_id: str = Field(index=True, max_length=36)
    position: int
    title: str = Field(max_length=500)
    text: str = Field(sa_column=Column(sa.Text, nullable=False))
    text_chars: int
    text_sha256: str = Field(max_length=64)  # the signature hashes this, so aggregation never loads the text
    kind: str = Field(max_length=32)
    included: bool = True
    source: str | None = Field(default=None, max_length=500)
    settings: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # SynthesisOverrides
    pinned_voice: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # an override's pin
    job_id: str | None = Field(default=None, index=True, max_length=36)
    job_signature: str | None = Field(default=None, max_length=64)
    sentences_synthesized: int = 0  # engine renders over all of this chapter's jobs
    # A user's "render again", by the sentence's draw-0 key: {"draw": the next render's first draw,
    # "text": its spoken text, "keys": the keys it was stored under since, "voice": the voice
    # fingerprint it applies to} (books.redraw).
    redraws: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    updated_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))


class BookEventRow(SQLModel, table=True):
    """A book's event log (SSE id = seq); `status`/`progress` are the book's at that moment."""

    __tablename__ = "book_events"
    __table_args__ = (sa.UniqueConstraint("book_id", "seq", name="uq_book_events_book_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: str = Field(index=True, max_length=36)
    seq: int
    type: str = Field(max_length=40)
    status: str = Field(max_length=16)
    progress: float = 0.0
    chapter_id: str | None = Field(default=None, max_length=36)
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
