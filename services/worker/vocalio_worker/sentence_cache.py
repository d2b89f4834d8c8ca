"""The worker's side of the sentence cache: the API's store (the one that counts) and a local copy.

A sentence's audio is stored as FLAC, 24-bit, mono, at the job's rate, exactly as the engine made it
(resampled, before any post-processing: that runs on the whole assembled chapter). The worker keeps
the bytes it uploaded or downloaded under data_dir/sentence-cache/<key[:2]>/<key>.flac, so a retry
on the same worker downloads nothing twice. Workers never write the API's files: they PUT.

The sentence's QA (`SentenceQA`: its checks, draws, the kept draw's seed) travels inside the FLAC,
as JSON in its Vorbis comment after `QA_COMMENT_PREFIX`, so the API's store needs nothing new and
a chapter assembled from cached sentences reports them as well. Files stored before QA existed
carry none (`sentence_qa_of` gives None).
"""

import asyncio
import hashlib
import io
import os
from pathlib import Path

import numpy as np
import soundfile
from pydantic import ValidationError
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.quality import SentenceQA
from vocalio_shared.schemas.sentences import MAX_LOOKUP_KEYS

from vocalio_worker.api_client import ApiClient

SENTENCE_SUBTYPE = "PCM_24"  # FLAC has no float; 24 bits keep the engine's quiet passages intact
DOWNLOADS_AT_ONCE = 8
QA_COMMENT_PREFIX = "vocalio-sentence-qa:"


def encode_sentence(audio: FloatAudio, sample_rate_hz: int, qa: SentenceQA | None = None) -> bytes:
    buffer = io.BytesIO()
    samples = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    with soundfile.SoundFile(
        buffer, "w", sample_rate_hz, 1, SENTENCE_SUBTYPE, format="FLAC"
    ) as flac:  # the comment must be set before the first sample is written
        if qa is not None:
            flac.comment = QA_COMMENT_PREFIX + qa.model_dump_json()
        flac.write(samples)
    return buffer.getvalue()


def sentence_qa_of(data: bytes) -> SentenceQA | None:
    """The QA stored in a sentence's FLAC, or None (stored before QA, or unreadable: never fatal)."""
    with soundfile.SoundFile(io.BytesIO(data)) as flac:
        comment = flac.comment or ""
    if not comment.startswith(QA_COMMENT_PREFIX):
        return None
    try:
        return SentenceQA.model_validate_json(comment.removeprefix(QA_COMMENT_PREFIX))
    except ValidationError:
        return None


def decode_sentence(data: bytes, sample_rate_hz: int) -> FloatAudio:
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=False)
    if rate != sample_rate_hz:
        raise VocalioError(
            ErrorCode.INTERNAL_ERROR,
            f"cached sentence is at {rate} Hz, the job at {sample_rate_hz} Hz",
            {"cached_rate_hz": rate, "job_rate_hz": sample_rate_hz},
        )
    return np.asarray(samples, dtype=np.float32).reshape(-1)


class SentenceStore:
    def __init__(self, api: ApiClient, directory: Path) -> None:
        self.api = api
        self.directory = directory

    def local_path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.flac"

    def has_local(self, key: str) -> bool:
        return self.local_path(key).is_file()

    def read_local(self, key: str) -> bytes:
        return self.local_path(key).read_bytes()

    def qa_local(self, key: str) -> SentenceQA | None:
        return sentence_qa_of(self.read_local(key))

    def write_local(self, key: str, data: bytes) -> None:
        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.part")
        temp.write_bytes(data)
        os.replace(temp, path)

    async def present(self, keys: list[str]) -> set[str]:
        """The keys the API's cache holds, asked in pieces of MAX_LOOKUP_KEYS."""
        found: set[str] = set()
        for start in range(0, len(keys), MAX_LOOKUP_KEYS):
            found.update(await self.api.lookup_sentences(keys[start : start + MAX_LOOKUP_KEYS]))
        return found

    async def upload(self, key: str, data: bytes) -> None:
        """Local copy first (a retry here reuses it), then the API's store."""
        await asyncio.to_thread(self.write_local, key, data)
        await self.api.put_sentence(key, data, hashlib.sha256(data).hexdigest())

    async def download(self, keys: list[str]) -> None:
        """Bring the API's copies of `keys` here, a few at a time, each checked against its sha256."""
        limit = asyncio.Semaphore(DOWNLOADS_AT_ONCE)

        async def one(key: str) -> None:
            async with limit:
                found = await self.api.get_sentence(key)
            if found is None:
                raise VocalioError(
                    ErrorCode.SENTENCE_NOT_CACHED, "a sentence vanished from the API's cache", {"key": key}
                )
            data, published = found
            digest = hashlib.sha256(data).hexdigest()
            if published and digest != published:
                raise VocalioError(
                    ErrorCode.UPLOAD_CHECKSUM_MISMATCH,
                    "downloaded sentence does not match its sha256",
                    {"key": key, "expected": published, "received": digest},
                )
            await asyncio.to_thread(self.write_local, key, data)

        await asyncio.gather(*(one(key) for key in keys))
