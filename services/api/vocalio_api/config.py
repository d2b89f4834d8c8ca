"""API settings: one class, one instance per process, derived values computed here only."""

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, computed_field, model_validator
from vocalio_shared.schemas.books import MAX_BOOK_UPLOAD_BYTES
from vocalio_shared.settings import WorkerTokenSettings


def sync_database_url(database_url: str | None, data_dir: Path) -> str:
    """The SQLAlchemy sync URL of VOCALIO_DATABASE_URL (default: the data dir's SQLite file); also what
    `vocalio backup`/`restore` use, so they find the database exactly where the API does."""
    if database_url:
        url = database_url
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url.replace("sqlite+aiosqlite://", "sqlite://")
    return f"sqlite:///{(data_dir / 'vocalio.db').resolve()}"


class ApiSettings(WorkerTokenSettings):
    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the API listens on.")
    api_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="API processes (uvicorn workers) serving the one port. Above 1, /metrics merges every "
        "process's metrics (prometheus-client multiprocess mode, in PROMETHEUS_MULTIPROC_DIR or a temporary "
        "directory the launcher creates and removes).",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in the data dir."
    )
    sqlite_busy_timeout_s: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="How long a request waits for a SQLite write lock held elsewhere before it is answered "
        "503 DATABASE_UNAVAILABLE (with Retry-After).",
    )
    webhook_secret: SecretStr = Field(min_length=16, description="HMAC-SHA256 key that signs webhook calls.")
    webhook_allowlist: list[str] = Field(
        default_factory=list,
        description="Hosts or CIDRs webhooks may reach even though private/loopback (JSON list).",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one webhook call.")
    webhook_max_attempts: int = Field(default=6, ge=1, le=20, description="Webhook tries before giving up.")
    max_text_chars: int = Field(default=200_000, ge=1, description="Longest text one job may carry.")
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, description="Largest JSON request body.")
    max_voice_upload_bytes: int = Field(
        default=25 * 1024 * 1024, ge=1024, description="Largest voice reference upload (multipart)."
    )
    max_book_upload_bytes: int = Field(
        default=MAX_BOOK_UPLOAD_BYTES, ge=1024, description="Largest book upload (EPUB/TXT multipart, or a JSON book)."
    )
    max_upload_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024, description="Largest audio upload.")
    max_sentence_upload_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024,
        description="Largest sentence-cache upload (one sentence's FLAC; a minute of 44.1 kHz 24-bit mono is ~6 MB).",
    )
    sentence_cache_keep_s: float = Field(
        default=7 * 24 * 3600,
        ge=0,
        description="Sentence-cache files no chapter's last render uses are removed once older than this "
        "(a paused book's unfinished chapter keeps its sentences this long).",
    )
    sentence_cache_sweep_interval_s: float = Field(
        default=3600, ge=0, description="How often the sentence cache is swept (0: never)."
    )
    abandoned_upload_after_s: float = Field(
        default=3600,
        gt=0,
        description="An upload's part file, or a temp file of the books' delivery files, unchanged for "
        "this long is deleted as abandoned (one of a dead API process on this host goes at once; see "
        "Faults in the docs). Keep it above the longest ffmpeg run of a book (30 min).",
    )
    key_cache_ttl_s: int = Field(default=300, ge=0, description="How long API key lookups stay cached in Redis.")
    rate_requests_per_min: int = Field(default=600, ge=1, description="Default per-key requests per minute.")
    rate_chars_per_day: int = Field(default=5_000_000, ge=1, description="Default per-key characters per day.")
    heartbeat_interval_s: float = Field(default=10.0, gt=0, description="Interval told to workers.")
    worker_lost_after_intervals: int = Field(default=3, ge=1, description="Silent intervals before LOST.")
    job_lease_ttl_s: float = Field(
        default=30.0,
        gt=0,
        description="Pull workers: a job leased through the heartbeat goes back to the queue this long after "
        "the last heartbeat that renewed it (at least twice the heartbeat interval).",
    )
    pull_wait_max_s: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="Pull workers: longest a heartbeat asking for work is held open while no job is ready "
        "(long poll; never longer than the heartbeat interval). 0 = answer at once.",
    )
    default_voices_file: Path | None = Field(
        default=None, description="Registry of default voices per region (TOML); default: the built-in one."
    )
    admin_key_file: Path | None = Field(default=None, description="Where the first admin key is written (0600).")
    header_read_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="A request's line and headers must arrive within this; else the connection is closed.",
    )
    body_idle_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Longest wait for the next piece of a request body: 408 REQUEST_TIMEOUT past it.",
    )
    body_read_timeout_s: float = Field(
        default=600.0, gt=0, description="A whole request body (uploads included) must arrive within this: 408 past it."
    )

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def sync_database_url(self) -> str:
        """URL for Alembic and sync tools."""
        return sync_database_url(self.database_url, self.data_dir)

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def async_database_url(self) -> str:
        url = self.sync_database_url
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
        return url  # psycopg 3 serves both sync and async engines under one dialect

    @property
    def is_sqlite(self) -> bool:
        return self.sync_database_url.startswith("sqlite")

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def resolved_admin_key_file(self) -> Path:
        return self.admin_key_file or self.data_dir / "admin-key.txt"

    @property
    def worker_lost_after_s(self) -> float:
        return self.heartbeat_interval_s * self.worker_lost_after_intervals

    @model_validator(mode="after")
    def _lease_outlasts_heartbeats(self) -> "ApiSettings":
        # a lease renewed only every interval must survive one late heartbeat
        if self.job_lease_ttl_s < 2 * self.heartbeat_interval_s:
            raise ValueError(
                f"VOCALIO_JOB_LEASE_TTL_S ({self.job_lease_ttl_s:g}) must be at least twice "
                f"VOCALIO_HEARTBEAT_INTERVAL_S ({self.heartbeat_interval_s:g})"
            )
        return self
