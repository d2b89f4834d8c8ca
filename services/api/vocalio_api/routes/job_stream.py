"""A pull worker's streamed audio: the entries a push worker XADDs to Redis itself, sent over HTTP.

Same stream, same entries (`vocalio_shared.queue`: start, audio…, end | error, each with its
attempt), so the `/v1/audio/speech` relay cannot tell which kind of worker spoke. The body is the
entry's bytes: raw PCM for `audio`, the segments JSON for `end`, the message for `error`; the rest
rides in the query. A body is at most the JSON body limit (VOCALIO_MAX_BODY_BYTES): the worker
sends a batch's audio in pieces under it.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from vocalio_shared.queue import (
    AUDIO_STREAM_MAXLEN,
    AUDIO_STREAM_PREFIX,
    AUDIO_STREAM_TTL_S,
    STREAM_AUDIO,
    STREAM_END,
    STREAM_ERROR,
    STREAM_START,
)

from vocalio_api.deps import StateDep, WorkerAuth

router = APIRouter(prefix="/api/v1/jobs", tags=["worker protocol"], dependencies=[WorkerAuth])


@router.post("/{job_id}/stream", status_code=status.HTTP_204_NO_CONTENT)
async def post_stream_entry(
    job_id: str,
    request: Request,
    state: StateDep,
    attempt: Annotated[int, Query(ge=1)],
    entry: Annotated[Literal["start", "audio", "end", "error"], Query(alias="type")],
    seq: Annotated[int, Query(ge=0)] = 0,
    sample_rate: Annotated[int, Query(ge=1)] = 0,
    samples: Annotated[int, Query(ge=0)] = 0,
    code: Annotated[str, Query(max_length=64)] = "",
    recoverable: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    body = await request.body()
    fields: dict[str, str | int | bytes] = {"attempt": attempt, "type": entry}
    if entry == STREAM_START:
        fields["sample_rate"] = sample_rate
    elif entry == STREAM_AUDIO:
        fields |= {"seq": seq, "pcm": body}
    elif entry == STREAM_END:
        fields |= {"samples": samples, "segments": body.decode("utf-8", errors="replace")}
    elif entry == STREAM_ERROR:
        message = body.decode("utf-8", errors="replace")[:500]
        fields |= {"code": code, "message": message, "recoverable": recoverable}
    key = AUDIO_STREAM_PREFIX + job_id
    async with state.redis.pipeline(transaction=True) as pipe:
        pipe.xadd(key, fields, maxlen=AUDIO_STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
        pipe.expire(key, AUDIO_STREAM_TTL_S)
        await pipe.execute()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
