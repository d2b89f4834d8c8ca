"""The job queue contract: one arq queue, three priority lanes as score bands.

arq orders a queue by score and runs a job once its score <= now. Lane r lives in the band
[r * LANE_SPAN_MS, (r + 1) * LANE_SPAN_MS): a job's score is its eligible time plus its lane's
offset, so arq's defer/retry arithmetic keeps working inside a lane, and the worker polls the bands
in order (high, normal, bulk) with `max = now + offset`.
"""

import json
from datetime import timedelta
from typing import Any

from vocalio_shared.schemas.jobs import PRIORITY_ORDER, Priority

QUEUE_NAME = "vocalio:queue"
JOB_FUNCTION = "synthesize"
# ~317 years in ms: far beyond any real timestamp, so bands never overlap.
LANE_SPAN_MS = 10**13
ARQ_JOB_KEY_PREFIX = "arq:job:"
ARQ_IN_PROGRESS_KEY_PREFIX = "arq:in-progress:"
ARQ_RETRY_KEY_PREFIX = "arq:retry:"
ARQ_KEEP_RESULT_S = 3600  # how long a finished job's arq result is kept (push and pull workers alike)

# Other Redis keys, in one place so services cannot drift.
CANCEL_KEY_PREFIX = "vocalio:cancel:"
EVENTS_CHANNEL_PREFIX = "vocalio:events:"
EVENTS_ALL_CHANNEL = "vocalio:events:all"
BOOK_EVENTS_CHANNEL_PREFIX = "vocalio:book-events:"  # + book id: a book has a new event (message: seq)
API_KEY_CACHE_PREFIX = "vocalio:apikey:"
REVOKED_KEYS_SET = "vocalio:apikeys:revoked"
RATE_REQUESTS_PREFIX = "vocalio:rate:req:"
RATE_CHARS_PREFIX = "vocalio:rate:chars:"
AUDIO_STREAM_PREFIX = "vocalio:stream:"
# Coordination of API replicas (vocalio_api/replica_locks.py): + a periodic task's name, its turn
# (SET NX PX interval); + a mutex's name, held with an expiry and renewed by its holder.
REPLICA_TURN_PREFIX = "vocalio:replica:turn:"
REPLICA_MUTEX_PREFIX = "vocalio:replica:mutex:"

# A streamed job's audio (Redis stream AUDIO_STREAM_PREFIX + job_id), written by its worker, read
# by the API. Every entry has a `type` field and the `attempt` that wrote it:
#   start: sample_rate (int) — the PCM format of the pieces that follow
#   audio: seq (int), pcm (bytes: 16-bit signed little-endian mono at sample_rate)
#   end:   samples (int, total), segments (JSON list of {text, start_s, end_s})
#   error: code, message, recoverable ("1"/"0") — the attempt stopped (failed, cancelled, retrying)
# The worker caps the stream (MAXLEN) and refreshes its TTL on every write, so a stream nobody
# reads vanishes on its own.
AUDIO_STREAM_TTL_S = 600
AUDIO_STREAM_MAXLEN = 10_000
STREAM_START, STREAM_AUDIO, STREAM_END, STREAM_ERROR = "start", "audio", "end", "error"


def lane_rank(priority: Priority) -> int:
    return PRIORITY_ORDER.index(priority)


def lane_offset_ms(priority: Priority) -> int:
    return lane_rank(priority) * LANE_SPAN_MS


def lane_defer(priority: Priority, delay_s: float = 0.0) -> timedelta:
    """`_defer_by` for arq.enqueue_job / `defer` for arq.Retry that keeps a job in its lane."""
    return timedelta(milliseconds=lane_offset_ms(priority) + int(delay_s * 1000))


def lane_score_bounds(priority: Priority) -> tuple[int, int]:
    """Inclusive score range of a lane's band (for ZCOUNT)."""
    low = lane_offset_ms(priority)
    return low, low + LANE_SPAN_MS - 1


def lane_of_score(score: float) -> Priority:
    rank = min(int(score // LANE_SPAN_MS), len(PRIORITY_ORDER) - 1)
    return PRIORITY_ORDER[max(rank, 0)]


def serialize_job(payload: dict[str, Any]) -> bytes:
    """JSON rather than arq's default pickle: a job is data any service version can read safely."""
    return json.dumps(payload, default=str).encode()


def deserialize_job(raw: bytes) -> dict[str, Any]:
    return json.loads(raw)
