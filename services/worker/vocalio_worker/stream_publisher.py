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


# Pull mode sends each batch's audio in pieces of at most this many bytes (under the API's JSON body limit).
API_STREAM_PIECE_BYTES = 512 * 1024


class ApiStreamPublisher:
    """Pull mode (no Redis): the same entries, through the API (`POST /api/v1/jobs/{id}/stream`)."""

    def __init__(self, api: Any, job_id: str, attempt: int, sample_rate_hz: int) -> None:
        self.api = api
        self.job_id = job_id
        self.attempt = attempt
        self.sample_rate_hz = sample_rate_hz
        self.samples = 0
        self._seq = 0
        self._ended = False

    async def _add(self, entry: str, body: bytes = b"", **params: str | int) -> None:
        await self.api.post_stream_entry(self.job_id, {"attempt": self.attempt, "type": entry, **params}, body)

    async def start(self) -> None:
        await self._add(STREAM_START, sample_rate=self.sample_rate_hz)

    async def audio(self, pcm16: bytes) -> None:
        for at in range(0, len(pcm16), API_STREAM_PIECE_BYTES):  # nothing when all is still held back
            piece = pcm16[at : at + API_STREAM_PIECE_BYTES]
            self._seq += 1
            self.samples += len(piece) // 2
            await self._add(STREAM_AUDIO, piece, seq=self._seq)

    async def end(self, segments: list[Segment]) -> None:
        segments_json = json.dumps([segment.model_dump(mode="json") for segment in segments])
        await self._add(STREAM_END, segments_json.encode(), samples=self.samples)
        self._ended = True

    async def error(self, code: str, message: str, recoverable: bool) -> None:
        """Tell the listener this attempt stopped; never raises (we are already failing)."""
        if self._ended:
            return
        with contextlib.suppress(Exception):
            await self._add(STREAM_ERROR, message[:500].encode(), code=code, recoverable=int(recoverable))
            log.info("stream_error_published", code=code)
