"""Worker settings: one class, loaded once per process from VOCALIO_* variables (or `.env`).

Named `WorkerConfig`, not `WorkerSettings`, because arq calls its own worker description that.
The audio-path fields come from `AudioSettings` and the sentence QA's from `SentenceQASettings` by
inheritance, so one object holds everything.
"""

import os
import socket
import ssl
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from vocalio_runtime.tls import http_verify, load_ca_bundle
from vocalio_shared.settings import WorkerTokenSettings

from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.engines.registry import EngineSetting
from vocalio_worker.qa_settings import SentenceQASettings


def _default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class WorkerConfig(AudioSettings, SentenceQASettings, WorkerTokenSettings):
    api_url: str = Field(default="http://127.0.0.1:8000", description="Base URL of the Vocalio API.")
    worker_mode: Literal["push", "pull"] = Field(
        default="push",
        description="push: take jobs from the arq queue in Redis (needs VOCALIO_REDIS_URL). pull: reach only the "
        "API; jobs come leased in heartbeat answers (for workers behind NAT, on another cloud, on spot).",
    )
    pull_wait_s: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="Pull mode: how long a heartbeat asking for work may wait at the API for a job (long poll; "
        "the API caps it at VOCALIO_PULL_WAIT_MAX_S and its heartbeat interval).",
    )
    worker_id: str = Field(default_factory=_default_worker_id, description="Unique id; default hostname-pid.")
    engine: EngineSetting = Field(
        default="auto", description="auto (F5 on a GPU, else Kokoro, else eSpeak), f5, kokoro or espeak."
    )
    metrics_host: str = Field(default="0.0.0.0", description="Interface of the worker's HTTP server.")
    metrics_port: int = Field(default=9100, ge=0, le=65535, description="Port of /health, /metrics, /tts.")
    advertised_host: str | None = Field(default=None, description="Host the API records; default hostname.")
    max_concurrent_jobs: int = Field(default=1, ge=1, le=64, description="Jobs this worker runs at once.")
    batch_size: int = Field(default=0, ge=0, le=256, description="Chunks per engine call; 0 = engine's max.")
    shutdown_grace_s: float = Field(default=120.0, ge=0, description="How long SIGTERM waits for active jobs.")
    heartbeat_interval_s: float = Field(
        default=10.0, gt=0, description="Used until the API's registration answer says otherwise."
    )
    in_progress_ttl_s: float = Field(
        default=30.0,
        ge=1.0,
        description="TTL of a running job's claim in Redis, refreshed every third of it: a killed worker's "
        "job is picked up by another worker this long after the kill.",
    )
    job_timeout_s: float = Field(default=4 * 3600, gt=0, description="Longest one job may run (a whole chapter).")
    max_attempts: int = Field(default=3, ge=1, le=20, description="Tries of a job before it fails for good.")
    retry_backoff_s: float = Field(default=5.0, ge=0, description="Delay before the first retry; doubles.")
    progress_interval_s: float = Field(default=0.5, ge=0, description="Least time between progress updates.")
    voice_default_ttl_s: float = Field(
        default=10.0,
        ge=0,
        description="How long a region's default voice is remembered between jobs; 0 = asked for every job. "
        "A new default reaches this worker within this time.",
    )
    poll_delay_s: float = Field(default=0.5, gt=0, description="How often the queue is polled when idle.")
    api_timeout_s: float = Field(default=30.0, gt=0, description="Timeout of one API call.")
    api_retry_max_wait_s: float = Field(default=10.0, gt=0, description="Longest backoff between API retries.")
    api_breaker_failures: int = Field(default=5, ge=1, description="Failures in a row that open the circuit.")
    api_breaker_recovery_s: float = Field(
        default=30.0, gt=0, description="Longest open time before trial calls (what the doubling stops at)."
    )
    api_breaker_first_recovery_s: float = Field(
        default=0.5,
        gt=0,
        description="Open time before the first trial call; doubles after each failed trial, up to "
        "api_breaker_recovery_s.",
    )
    api_breaker_refused_recovery_s: float = Field(
        default=2.0,
        gt=0,
        description="Longest open time while the API refuses connections (restarting: a refused "
        "connection costs it nothing), so a restarted API sees the worker again within this.",
    )
    api_breaker_half_open_calls: int = Field(default=3, ge=1, description="Trial calls that close the circuit.")
    spot_interruption_url: str | None = Field(
        default=None,
        description="Cloud metadata URL announcing a spot interruption (200 = interrupted); unset = off.",
    )
    spot_poll_interval_s: float = Field(default=5.0, gt=0, description="How often the spot URL is polled.")
    simulated_chunk_delay_s: float = Field(
        default=0.0,
        ge=0,
        le=60,
        description="Testing and demos only: blocking delay added per chunk, as if the engine were slower.",
    )
    llm_bridge_url: str | None = Field(default=None, description="Base URL of llm_bridge; unset = no expansion.")
    llm_bridge_token: SecretStr | None = Field(default=None, description="Token for llm_bridge.")
    ca_bundle: Path | None = Field(
        default=None,
        description="PEM file of the CA certificates the worker trusts for every HTTPS call to the API and the "
        "llm_bridge (registration, heartbeats, pulls, uploads) and for a `rediss://` VOCALIO_REDIS_URL: e.g. the "
        "services host's Caddy local CA, `root.crt`. Unset = the public roots (a certificate for a domain). "
        "Only these certificates are trusted when set; verification is never off.",
    )

    @field_validator("ca_bundle", mode="before")
    @classmethod
    def _empty_ca_bundle_is_unset(cls, value: object) -> object:
        # compose passes `${VOCALIO_CA_BUNDLE:-}`: an empty variable means "not set"
        return None if value == "" else value

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle_loads(cls, value: Path | None) -> Path | None:
        if value is not None:
            load_ca_bundle(value)  # a missing or broken file stops the worker at start, naming the variable
        return value

    @model_validator(mode="after")
    def _push_needs_redis(self) -> "WorkerConfig":
        # pull workers reach only the API; push workers take jobs from Redis
        if self.worker_mode == "push" and not self.redis_url:
            raise ValueError("VOCALIO_REDIS_URL is required with VOCALIO_WORKER_MODE=push (pull needs only the API)")
        return self

    @model_validator(mode="after")
    def _long_poll_inside_the_call_timeout(self) -> "WorkerConfig":
        # a heartbeat held at the API for pull_wait_s must not time out on our side first
        if self.worker_mode == "pull" and self.pull_wait_s >= self.api_timeout_s:
            raise ValueError(
                f"VOCALIO_PULL_WAIT_S ({self.pull_wait_s:g}) must be below "
                f"VOCALIO_API_TIMEOUT_S ({self.api_timeout_s:g})"
            )
        return self

    @cached_property
    def http_verify(self) -> "ssl.SSLContext | bool":
        """httpx's `verify=` for the worker's calls across hosts (one context, shared by its clients)."""
        return http_verify(self.ca_bundle)

    @cached_property
    def host_for_registry(self) -> str:
        return self.advertised_host or socket.gethostname()

    @property
    def in_progress_refresh_s(self) -> float:
        return self.in_progress_ttl_s / 3
