"""Hands a streamed job's finished pieces to the API through a Redis stream (never the API's storage).

Entries follow the contract in `vocalio_shared.queue` (start, audio…, end | error). The stream is
capped and its TTL refreshed on every write, so a stream whose reader went away expires by itself.
Publishing is best effort for `error` only: audio and end must arrive, or the listener hangs until
its idle timeout, so those raise like any other Redis failure (the job then retries).
"""

import contextlib
import json
from typing import Any

import structlog
from vocalio_shared.queue import (
    AUDIO_STREAM_MAXLEN,
    AUDIO_STREAM_PREFIX,
    AUDIO_STREAM_TTL_S,
    STREAM_AUDIO,
    STREAM_END,
    STREAM_ERROR,
    STREAM_START,
)
from vocalio_shared.schemas.jobs import Segment

log = structlog.get_logger("worker.stream")


class AudioStreamPublisher:
    def __init__(self, redis: Any, job_id: str, attempt: int, sample_rate_hz: int) -> None:
        self.redis = redis
        self.key = AUDIO_STREAM_PREFIX + job_id
        self.attempt = attempt
        self.sample_rate_hz = sample_rate_hz
        self.samples = 0
        self._seq = 0
        self._ended = False

    async def _add(self, fields: dict[str, Any]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.key, {"attempt": self.attempt, **fields}, maxlen=AUDIO_STREAM_MAXLEN, approximate=True)
            pipe.expire(self.key, AUDIO_STREAM_TTL_S)
            await pipe.execute()

    async def start(self) -> None:
        await self._add({"type": STREAM_START, "sample_rate": self.sample_rate_hz})

    async def audio(self, pcm16: bytes) -> None:
        if not pcm16:  # everything still held back (crossfade, limiter look-ahead)
            return
        self._seq += 1
        self.samples += len(pcm16) // 2
        await self._add({"type": STREAM_AUDIO, "seq": self._seq, "pcm": pcm16})

    async def end(self, segments: list[Segment]) -> None:
        segments_json = json.dumps([segment.model_dump(mode="json") for segment in segments])
        await self._add({"type": STREAM_END, "samples": self.samples, "segments": segments_json})
        self._ended = True

    async def error(self, code: str, message: str, recoverable: bool) -> None:
        """Tell the listener this attempt stopped; never raises (we are already failing)."""
        if self._ended:
            return
        with contextlib.suppress(Exception):
            await self._add(
                {"type": STREAM_ERROR, "code": code, "message": message[:500], "recoverable": int(recoverable)}
            )
            log.info("stream_error_published", code=code)
