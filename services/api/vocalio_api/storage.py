"""The audio store: files under data_dir/audio, written only by the API.

Uploads stream to a temporary file (size limit enforced while reading, sha256 computed on the
way) and are moved into place atomically, so a reader never sees half a file.
"""

import asyncio
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import AUDIO_EXTENSIONS, OutputFormat

from vocalio_api.errors import FULL_DISK_ERRNOS, storage_full_error
from vocalio_api.upload_temps import new_part_path


@dataclass(frozen=True)
class StoredUpload:
    temp_path: Path
    size_bytes: int
    sha256: str


WRITE_BATCH_BYTES = 1 << 20


def _write_and_sync(handle: BinaryIO, pieces: list[bytes]) -> None:
    """The last pieces, then to disk before the upload counts as received."""
    handle.writelines(pieces)
    handle.flush()
    os.fsync(handle.fileno())


def write_synced(path: Path, data: bytes) -> None:
    """A small file (a voice reference, a cover) written and on disk before it is moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def audio_path(audio_dir: Path, job_id: str, output_format: OutputFormat) -> Path:
    return audio_dir / f"{job_id}.{AUDIO_EXTENSIONS[output_format]}"


async def receive_upload(
    chunks: AsyncIterator[bytes], directory: Path, max_bytes: int, expected_sha256: str | None
) -> StoredUpload:
    directory.mkdir(parents=True, exist_ok=True)
    temp_path = new_part_path(directory)  # named for its writer: see upload_temps
    digest = hashlib.sha256()
    size = 0
    handle = await asyncio.to_thread(open, temp_path, "wb")
    pending: list[bytes] = []  # written in WRITE_BATCH_BYTES pieces: one thread hop each, not one per chunk
    pending_bytes = 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise VocalioError(
                    ErrorCode.UPLOAD_TOO_LARGE, f"upload exceeds {max_bytes} bytes", {"max_upload_bytes": max_bytes}
                )
            digest.update(chunk)
            pending.append(chunk)
            pending_bytes += len(chunk)
            if pending_bytes >= WRITE_BATCH_BYTES:
                await asyncio.to_thread(handle.writelines, pending)
                pending, pending_bytes = [], 0
        await asyncio.to_thread(_write_and_sync, handle, pending)
    except BaseException as error:
        # Nothing half-written stays behind: the partial file is only ever the hidden .part name.
        with contextlib.suppress(OSError):  # closing flushes, which fails again on a full disk
            handle.close()
        temp_path.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.errno in FULL_DISK_ERRNOS:
            raise storage_full_error(error, "the upload") from error
        raise
    try:
        handle.close()
    except OSError as error:  # a filesystem may report the lack of space only when the file is closed
        temp_path.unlink(missing_ok=True)
        if error.errno in FULL_DISK_ERRNOS:
            raise storage_full_error(error, "the upload") from error
        raise
    sha256 = digest.hexdigest()
    if expected_sha256 and sha256 != expected_sha256.lower():
        temp_path.unlink(missing_ok=True)
        raise VocalioError(
            ErrorCode.UPLOAD_CHECKSUM_MISMATCH,
            "uploaded bytes do not match X-Audio-Sha256",
            {"expected": expected_sha256, "received": sha256, "size_bytes": size},
        )
    return StoredUpload(temp_path=temp_path, size_bytes=size, sha256=sha256)


def commit_upload(upload: StoredUpload, final_path: Path) -> None:
    os.replace(upload.temp_path, final_path)


def discard_upload(upload: StoredUpload) -> None:
    upload.temp_path.unlink(missing_ok=True)
