"""The worker's one way to reach the API: retries with exponential backoff and jitter (tenacity)
behind a circuit breaker, with failures and the circuit's state as metrics.

Two kinds of call:
- *deliveries* (status updates, audio uploads, registration) retry until the API takes them, so an
  API outage delays a job but loses none of its updates; the job awaits each one, which keeps them
  in order;
- *best-effort* calls (heartbeats) try once: the next interval sends fresher figures anyway.
"""

import asyncio
import ssl
from typing import Any, TypeVar

import httpx
import structlog
from pydantic import BaseModel
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, stop_never, wait_exponential_jitter
from vocalio_runtime.breaker import CircuitBreaker, CircuitOpenError, CircuitState
from vocalio_shared.errors import ERROR_TRAITS, ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import JobStatusAck, JobStatusUpdate
from vocalio_shared.schemas.sentences import (
    SENTENCE_AUDIO_MEDIA_TYPE,
    SENTENCE_SHA256_HEADER,
    SentenceLookup,
    SentenceLookupResult,
)
from vocalio_shared.schemas.voices import VoicePublic
from vocalio_shared.schemas.workers import (
    Heartbeat,
    HeartbeatAnswer,
    LeaseRelease,
    LeaseReleaseAnswer,
    RegistrationAnswer,
    WorkerRegistration,
)

from vocalio_worker.metrics import WorkerMetricsRegistry

log = structlog.get_logger("worker.api_client")
M_ = TypeVar("M_", bound=BaseModel)


class ApiUnavailableError(Exception):
    """The API could not be reached or answered 5xx/429: worth another try."""


class ApiError(Exception):
    """The API answered and refused (4xx): retrying the same call cannot help."""

    def __init__(self, status_code: int, code: str | None, message: str) -> None:
        super().__init__(f"HTTP {status_code} {code or ''}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message


def _storage_full(response: httpx.Response) -> VocalioError:
    """The API's store is full: a recoverable job error (retried after a backoff), not an outage."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    context = dict(error.get("context") or {}) | {"retry_after_s": response.headers.get("retry-after")}
    return VocalioError(ErrorCode.STORAGE_FULL, error.get("message", "the API's audio store is full"), context)


def _api_error(response: httpx.Response) -> ApiError:
    try:
        error = response.json().get("error", {})
        return ApiError(response.status_code, error.get("code"), error.get("message", response.text[:300]))
    except ValueError:
        return ApiError(response.status_code, None, response.text[:300])


class ApiClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        metrics: WorkerMetricsRegistry,
        *,
        timeout_s: float = 30.0,
        retry_max_wait_s: float = 10.0,
        breaker_failures: int = 5,
        breaker_recovery_s: float = 30.0,
        breaker_half_open_calls: int = 3,
        verify: ssl.SSLContext | bool = True,
        breaker_first_recovery_s: float | None = None,
        breaker_refused_recovery_s: float | None = None,
    ) -> None:
        # verify: the CA the API's certificate must chain to (VOCALIO_CA_BUNDLE), for an https:// API URL
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
            verify=verify,
        )
        self._metrics = metrics
        self._retry_max_wait_s = retry_max_wait_s
        self.breaker = CircuitBreaker(
            breaker_failures,
            breaker_recovery_s,
            breaker_half_open_calls,
            first_recovery_s=breaker_first_recovery_s,
            refused_recovery_s=breaker_refused_recovery_s,
            on_change=self._circuit_changed,
        )
        metrics.api_circuit_state.set(CircuitState.CLOSED)

    async def aclose(self) -> None:
        await self._http.aclose()

    def _circuit_changed(self, state: CircuitState) -> None:
        self._metrics.api_circuit_state.set(int(state))
        log.warning("api_circuit_changed", state=state.name.lower())

    async def _once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One attempt through the breaker; 4xx answers are returned (the API is up), others raise."""
        try:
            self.breaker.before_call()
        except CircuitOpenError as error:
            self._metrics.api_call_failures.labels(reason="circuit_open").inc()
            raise ApiUnavailableError(str(error)) from error
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            # ConnectError: no connection was made (the API restarting, nothing on its port); a
            # ConnectTimeout is a TimeoutException, not one of these: a black hole is no restart.
            self.breaker.record_failure(refused=isinstance(error, httpx.ConnectError))
            reason = "timeout" if isinstance(error, httpx.TimeoutException) else "unreachable"
            self._metrics.api_call_failures.labels(reason=reason).inc()
            raise ApiUnavailableError(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code == ERROR_TRAITS[ErrorCode.STORAGE_FULL].http_status:
            # The API is up and answered; its disk is full. Retrying the same upload at once cannot
            # help and must not open the breaker (heartbeats would stop): the job decides, see upload_audio.
            self.breaker.record_success()
            self._metrics.api_call_failures.labels(reason=f"http_{response.status_code}").inc()
            return response
        if response.status_code >= 500 or response.status_code == 429:
            self.breaker.record_failure()
            self._metrics.api_call_failures.labels(reason=f"http_{response.status_code}").inc()
            raise ApiUnavailableError(f"{method} {path}: HTTP {response.status_code}")
        self.breaker.record_success()
        if response.status_code >= 400:
            self._metrics.api_call_failures.labels(reason=f"http_{response.status_code}").inc()
        return response

    async def _deliver(
        self, method: str, path: str, max_elapsed_s: float | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Retry until the API answers (success or a 4xx); ApiUnavailableError after `max_elapsed_s`."""
        attempt_number = 0
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(ApiUnavailableError),
            wait=wait_exponential_jitter(multiplier=0.2, max=self._retry_max_wait_s, jitter=0.5),
            stop=stop_never if max_elapsed_s is None else stop_after_delay(max_elapsed_s),
            reraise=True,
        ):
            with attempt:
                attempt_number += 1
                if attempt_number > 1 and attempt_number % 5 == 2:
                    log.warning("api_call_retrying", method=method, path=path, attempt=attempt_number)
                return await self._once(method, path, **kwargs)
        raise AssertionError("unreachable")  # AsyncRetrying either returns or re-raises

    @staticmethod
    def _parse(response: httpx.Response, model: type[M_], ok: tuple[int, ...] = (200, 201)) -> M_:
        if response.status_code not in ok:
            raise _api_error(response)
        return model.model_validate_json(response.content)

    async def register(self, registration: WorkerRegistration) -> RegistrationAnswer:
        response = await self._deliver("POST", "/api/v1/workers", json=registration.model_dump(mode="json"))
        return self._parse(response, RegistrationAnswer)

    async def heartbeat(self, worker_id: str, beat: Heartbeat) -> HeartbeatAnswer:
        """One try. Raises ApiUnavailableError (skip this beat) or ApiError (e.g. WORKER_NOT_FOUND)."""
        response = await self._once("POST", f"/api/v1/workers/{worker_id}/heartbeat", json=beat.model_dump(mode="json"))
        return self._parse(response, HeartbeatAnswer)

    async def release_lease(
        self, worker_id: str, job_id: str, release: LeaseRelease, max_elapsed_s: float | None = None
    ) -> LeaseReleaseAnswer:
        """Pull mode: the attempt is over (see `vocalio_worker.pull`)."""
        path = f"/api/v1/workers/{worker_id}/leases/{job_id}/release"
        response = await self._deliver("POST", path, max_elapsed_s, json=release.model_dump(mode="json"))
        return self._parse(response, LeaseReleaseAnswer)

    async def post_stream_entry(self, job_id: str, params: dict[str, str | int], body: bytes = b"") -> None:
        """Pull mode: one entry of a streamed job's audio stream (see routes/job_stream.py)."""
        response = await self._deliver(
            "POST",
            f"/api/v1/jobs/{job_id}/stream",
            params=params,
            content=body,
            headers={"Content-Type": "application/octet-stream"},
        )
        if response.status_code != 204:
            raise _api_error(response)

    async def deregister(self, worker_id: str, max_elapsed_s: float = 10.0) -> None:
        response = await self._deliver("DELETE", f"/api/v1/workers/{worker_id}", max_elapsed_s=max_elapsed_s)
        if response.status_code not in (204, 404):
            raise _api_error(response)

    async def post_status(
        self, job_id: str, update: JobStatusUpdate, max_elapsed_s: float | None = None
    ) -> JobStatusAck:
        response = await self._deliver(
            "POST", f"/api/v1/jobs/{job_id}/status", max_elapsed_s, json=update.model_dump(mode="json")
        )
        return self._parse(response, JobStatusAck)

    async def upload_audio(self, job_id: str, data: bytes, worker_id: str, attempt: int, sha256: str) -> None:
        headers = {
            "X-Worker-Id": worker_id,
            "X-Job-Attempt": str(attempt),
            "X-Audio-Sha256": sha256,
            "Content-Type": "application/octet-stream",
        }
        response = await self._deliver("PUT", f"/api/v1/jobs/{job_id}/audio", content=data, headers=headers)
        if response.status_code == ERROR_TRAITS[ErrorCode.STORAGE_FULL].http_status:
            raise _storage_full(response)
        if response.status_code != 201:
            raise _api_error(response)

    async def get_voice(self, voice_id: str, max_elapsed_s: float = 60.0) -> VoicePublic:
        return self._parse(await self._deliver("GET", f"/api/v1/voices/{voice_id}", max_elapsed_s), VoicePublic)

    async def get_region_default_voice(self, region: str, max_elapsed_s: float = 60.0) -> VoicePublic | None:
        response = await self._deliver("GET", f"/api/v1/regions/{region}/default-voice", max_elapsed_s)
        return None if response.status_code == 404 else self._parse(response, VoicePublic)

    async def download_voice_audio(self, voice_id: str, max_elapsed_s: float = 120.0) -> bytes:
        response = await self._deliver("GET", f"/api/v1/voices/{voice_id}/audio", max_elapsed_s)
        if response.status_code != 200:
            raise _api_error(response)
        return response.content

    # --- the sentence cache (chapter jobs) ---------------------------------------------------------
    async def lookup_sentences(self, keys: list[str]) -> list[str]:
        """The keys (at most MAX_LOOKUP_KEYS) the API's sentence cache holds."""
        body = SentenceLookup(keys=keys).model_dump(mode="json")
        return self._parse(
            await self._deliver("POST", "/api/v1/sentences/lookup", json=body), SentenceLookupResult
        ).present

    async def put_sentence(self, key: str, data: bytes, sha256: str) -> None:
        headers = {SENTENCE_SHA256_HEADER: sha256, "Content-Type": SENTENCE_AUDIO_MEDIA_TYPE}
        response = await self._deliver("PUT", f"/api/v1/sentences/{key}", content=data, headers=headers)
        if response.status_code == ERROR_TRAITS[ErrorCode.STORAGE_FULL].http_status:
            raise _storage_full(response)
        if response.status_code != 201:
            raise _api_error(response)

    async def get_sentence(self, key: str) -> tuple[bytes, str] | None:
        """(FLAC bytes, the sha256 the API published) or None when the cache lacks the key."""
        response = await self._deliver("GET", f"/api/v1/sentences/{key}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise _api_error(response)
        return response.content, response.headers.get(SENTENCE_SHA256_HEADER, "")


def is_stale_attempt(error: ApiError) -> bool:
    """The API refused because the job ended or a newer attempt owns it: stop quietly."""
    return error.code in (ErrorCode.INVALID_STATE, ErrorCode.JOB_NOT_FOUND)


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
