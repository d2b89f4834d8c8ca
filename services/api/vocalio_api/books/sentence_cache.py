"""The sentence cache's store: one FLAC per sentence key under data_dir/sentences/<key[:2]>/<key>.flac.

Written only by the API, from workers' uploads (`storage.receive_upload`: size capped, sha256 checked,
fsynced, moved into place atomically), so a reader never sees half a file. A key names its audio
exactly (`vocalio_shared.books.sentence_key`), so the first stored file for a key stays: a second
upload of the same key is accepted and dropped.

The sweep (`sweep`, every `sentence_cache_sweep_interval_s`) removes what no book needs any more:
a file is kept while any finished render of a chapter of a book that still exists was assembled
from it (`JobResult.sentence_keys`: an edit undone costs nothing, and a chapter being rendered
again keeps its sentences), or while it is younger than `sentence_cache_keep_s` (a render in
progress, a paused book's unfinished chapter); a deleted book's files go once they are that old.
Removing one only ever costs a synthesis again, never a wrong file.
"""

import asyncio
import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.books import is_sentence_key
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import JobStatus

from vocalio_api.config import ApiSettings
from vocalio_api.metrics import SENTENCES_REMOVED, SENTENCES_STORED
from vocalio_api.models import CHAPTER_PARAM, Book, Job
from vocalio_api.state import AppState
from vocalio_api.storage import StoredUpload, commit_upload, discard_upload

INCOMING_DIR = ".incoming"  # under sentences_dir: uploads in progress (part files, see upload_temps)


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


@dataclass(frozen=True)
class Sweep:
    kept: int
    removed: int
    freed_bytes: int


def referenced_keys(results: Iterable[dict[str, Any] | None]) -> set[str]:
    """The keys chapter job results were assembled from (results older than `sentence_keys` name
    each sentence's first chunk in their segments)."""
    keys: set[str] = set()
    for result in results:
        if not result:
            continue
        keys.update(result.get("sentence_keys") or ())
        keys.update(segment["key"] for segment in result.get("segments") or () if segment.get("key"))
    return keys


def _sweep_files(directory: Path, keep: set[str], older_than: float) -> Sweep:
    kept = removed = freed = 0
    if not directory.is_dir():
        return Sweep(0, 0, 0)
    for shard in directory.iterdir():
        if not shard.is_dir():
            continue
        for path in shard.glob("*.flac"):
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            if path.stem in keep or info.st_mtime >= older_than:
                kept += 1
                continue
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            removed += 1
            freed += info.st_size
    return Sweep(kept, removed, freed)


async def finished_render_results(session: AsyncSession) -> list[dict[str, Any] | None]:
    """The results of every succeeded chapter job of a book that still exists."""
    book_of_job = col(Job.params)[CHAPTER_PARAM]["book_id"].as_string()
    query = select(Job.result).where(Job.status == JobStatus.SUCCEEDED.value, book_of_job.in_(select(Book.id)))
    return list((await session.exec(query)).all())


async def sweep(state: AppState, now: float | None = None) -> Sweep:
    settings = state.settings
    async with state.sessions() as session:
        keep = referenced_keys(await finished_render_results(session))
    older_than = (time.time() if now is None else now) - settings.sentence_cache_keep_s
    done = await asyncio.to_thread(_sweep_files, sentences_dir(settings), keep, older_than)
    SENTENCES_REMOVED.inc(done.removed)
    return done
