"""The sentence cache for workers (worker token): which keys exist, upload one, download one."""

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.sentences import (
    SENTENCE_AUDIO_MEDIA_TYPE,
    SENTENCE_SHA256_HEADER,
    SentenceLookup,
    SentenceLookupResult,
)

from vocalio_api.books import sentence_cache
from vocalio_api.deps import StateDep, WorkerAuth
from vocalio_api.storage import receive_upload

router = APIRouter(prefix="/api/v1/sentences", tags=["worker protocol"], dependencies=[WorkerAuth])


@router.post("/lookup", response_model=SentenceLookupResult)
async def lookup(body: SentenceLookup, state: StateDep) -> SentenceLookupResult:
    directory = sentence_cache.sentences_dir(state.settings)
    return SentenceLookupResult(present=await sentence_cache.present(directory, body.keys))


@router.put("/{key}", status_code=201)
async def put_sentence(
    key: str,
    request: Request,
    state: StateDep,
    x_audio_sha256: Annotated[str, Header(min_length=64, max_length=64)],
) -> dict[str, object]:
    """Idempotent: the key names its audio, so a second upload of a stored key is answered 201 too."""
    sentence_cache.checked_key(key)
    settings = state.settings
    limit = settings.max_sentence_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise VocalioError(
            ErrorCode.UPLOAD_TOO_LARGE,
            f"sentence upload of {declared} bytes exceeds {limit}",
            {"max_sentence_upload_bytes": limit},
        )
    directory = sentence_cache.sentences_dir(settings)
    upload = await receive_upload(request.stream(), directory / sentence_cache.INCOMING_DIR, limit, x_audio_sha256)
    stored = await sentence_cache.store(directory, key, upload)
    return {"key": key, "size_bytes": upload.size_bytes, "sha256": upload.sha256, "stored": stored}


@router.get("/{key}")
async def get_sentence(key: str, state: StateDep) -> Response:
    sentence_cache.checked_key(key)
    data, sha256 = await sentence_cache.read(sentence_cache.sentences_dir(state.settings), key)
    headers = {SENTENCE_SHA256_HEADER: sha256, "Cache-Control": "private, max-age=31536000, immutable"}
    return Response(data, media_type=SENTENCE_AUDIO_MEDIA_TYPE, headers=headers)
