"""The sentence cache's store: one FLAC per sentence key under data_dir/sentences/<key[:2]>/<key>.flac.

Written only by the API, from workers' uploads (`storage.receive_upload`: size capped, sha256 checked,
fsynced, moved into place atomically), so a reader never sees half a file. A key names its audio
exactly (`vocalio_shared.books.sentence_key`), so the first stored file for a key stays: a second
upload of the same key is accepted and dropped. Nothing here expires; a book's sentences stay as
long as the data dir does.
"""

import asyncio
import hashlib
from pathlib import Path

from vocalio_shared.books import is_sentence_key
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.config import ApiSettings
from vocalio_api.metrics import SENTENCES_STORED
from vocalio_api.storage import StoredUpload, commit_upload, discard_upload


def sentences_dir(settings: ApiSettings) -> Path:
    return settings.data_dir / "sentences"


def sentence_path(directory: Path, key: str) -> Path:
    return directory / key[:2] / f"{key}.flac"


def checked_key(key: str) -> str:
    if not is_sentence_key(key):
        raise VocalioError(
            ErrorCode.VALIDATION_ERROR, "not a sentence key (64 lowercase hex digits)", {"key": key[:80]}
        )
    return key


def _present(directory: Path, keys: list[str]) -> list[str]:
    return [key for key in dict.fromkeys(keys) if sentence_path(directory, key).is_file()]


async def present(directory: Path, keys: list[str]) -> list[str]:
    return await asyncio.to_thread(_present, directory, keys)


def _store(upload: StoredUpload, path: Path) -> bool:
    if path.is_file():
        discard_upload(upload)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    commit_upload(upload, path)
    return True


async def store(directory: Path, key: str, upload: StoredUpload) -> bool:
    """True when the file is new; False when the key was already stored (the upload is dropped)."""
    stored = await asyncio.to_thread(_store, upload, sentence_path(directory, key))
    SENTENCES_STORED.labels(outcome="stored" if stored else "already_present").inc()
    return stored


def _read(path: Path) -> tuple[bytes, str] | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return data, hashlib.sha256(data).hexdigest()


async def read(directory: Path, key: str) -> tuple[bytes, str]:
    """(FLAC bytes, their sha256); SENTENCE_NOT_CACHED when the store lacks the key."""
    found = await asyncio.to_thread(_read, sentence_path(directory, key))
    if found is None:
        raise VocalioError(ErrorCode.SENTENCE_NOT_CACHED, "no audio stored for this sentence key", {"key": key})
    return found
