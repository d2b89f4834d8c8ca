"""Reads a streamed job's audio from its Redis stream (written by the worker) as PCM16 pieces.

The request that created the job waits here: first for the job's first audio (so a job that fails
before speaking still gets a proper HTTP error), then piece by piece until the `end` entry. A
recoverable error before any audio was sent waits for the retry; after audio was sent it cannot be
taken back, so the response breaks off. Between entries the job row is checked now and then, so a
job that ended without a word on the stream (a crashed worker's last attempt) does not hang us.
"""

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog
from vocalio_runtime.strings import as_str
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.queue import AUDIO_STREAM_PREFIX, STREAM_AUDIO, STREAM_END, STREAM_ERROR, STREAM_START
from vocalio_shared.schemas.jobs import JobStatus

from vocalio_api.models import Job
from vocalio_api.state import AppState

log = structlog.get_logger("api.openai.relay")
READ_BLOCK_MS = 500
READ_COUNT = 64
STATUS_CHECK_EVERY_S = 3.0


class AudioRelay:
    def __init__(self, state: AppState, job_id: str, first_audio_timeout_s: float, idle_timeout_s: float) -> None:
        self.state = state
        self.job_id = job_id
        self.key = AUDIO_STREAM_PREFIX + job_id
        self.first_audio_timeout_s = first_audio_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.sample_rate_hz: int | None = None
        self.sent_bytes = 0
        self.ended = False
        self._attempt: int | None = None
        self._last_id = "0-0"
        self._buffered: list[bytes] = []

    async def wait_first_audio(self, disconnected: Callable[[], Awaitable[bool]]) -> None:
        """Return once audio (or the end) is buffered; raise the job's error if it stops first."""
        deadline = time.monotonic() + self.first_audio_timeout_s
        while not self._buffered and not self.ended:
            if await disconnected():
                raise VocalioError(ErrorCode.JOB_CANCELLED, "client went away before the first audio")
            await self._read(deadline)

    async def pieces(self) -> AsyncIterator[bytes]:
        while True:
            while self._buffered:
                piece = self._buffered.pop(0)
                self.sent_bytes += len(piece)
                yield piece
            if self.ended:
                return
            await self._read(time.monotonic() + self.idle_timeout_s)

    async def _read(self, deadline: float) -> None:
        """One round: take new entries, or (when there are none for a while) look at the job row."""
        next_status_check = time.monotonic() + STATUS_CHECK_EVERY_S
        while True:
            answer = await self.state.redis.xread({self.key: self._last_id}, count=READ_COUNT, block=READ_BLOCK_MS)
            if answer:
                for entry_id, fields in answer[0][1]:
                    self._last_id = as_str(entry_id)
                    self._take({as_str(k): v for k, v in fields.items()})
                return
            now = time.monotonic()
            if now >= deadline:
                raise VocalioError(
                    ErrorCode.UPSTREAM_ERROR, "no audio from the worker in time", {"job_id": self.job_id}
                )
            if now >= next_status_check:
                ended = await self._job_ended_error()
                if ended is not None:  # one last look: the end may have landed just before the row changed
                    last = await self.state.redis.xread({self.key: self._last_id}, count=READ_COUNT)
                    if not last:
                        raise ended
                    continue
                next_status_check = now + STATUS_CHECK_EVERY_S

    def _take(self, fields: dict[str, Any]) -> None:
        kind, attempt = as_str(fields["type"]), int(fields["attempt"])
        if kind == STREAM_START:
            if self._attempt is not None and attempt != self._attempt and self.sent_bytes:
                raise VocalioError(
                    ErrorCode.WORKER_LOST, "the job restarted after audio was sent", {"attempt": attempt}
                )
            self._attempt, self._buffered = attempt, []  # a retry before any audio: start over
            self.sample_rate_hz = int(fields["sample_rate"])
            return
        if attempt != self._attempt:
            return  # an older attempt's leftovers
        if kind == STREAM_AUDIO:
            self._buffered.append(bytes(fields["pcm"]))
        elif kind == STREAM_END:
            self.ended = True
        elif kind == STREAM_ERROR:
            code, message = as_str(fields["code"]), as_str(fields["message"])
            if as_str(fields.get("recoverable", "0")) == "1" and not self.sent_bytes and not self._buffered:
                log.info("stream_attempt_failed_waiting_for_retry", job_id=self.job_id, code=code)
                return
            raise VocalioError(_error_code(code), message, {"job_id": self.job_id})

    async def _job_ended_error(self) -> VocalioError | None:
        """The error to raise if the job has ended (its stream then has nothing more to say)."""
        async with self.state.sessions() as session:
            job = await session.get(Job, self.job_id)
        if job is None:
            return VocalioError(ErrorCode.JOB_NOT_FOUND, f"job {self.job_id} not found", {"job_id": self.job_id})
        status = JobStatus(job.status)
        if not status.terminal:
            return None
        if status == JobStatus.SUCCEEDED:
            return VocalioError(ErrorCode.UPSTREAM_ERROR, "the job's audio stream is gone", {"job_id": self.job_id})
        code = (job.error or {}).get("code") or ErrorCode.JOB_CANCELLED.value
        return VocalioError(_error_code(code), f"job {status.value}", {"job_id": self.job_id})


def _error_code(code: str) -> ErrorCode:
    try:
        return ErrorCode(code)
    except ValueError:
        return ErrorCode.SYNTHESIS_FAILED
