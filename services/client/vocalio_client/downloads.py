"""Streaming a download to disk, resuming a partial file with Range.

The bytes go to `<name>.part` and the validator of what they are (the answer's strong ETag, else its
Last-Modified) to `<name>.part.json`; a later try asks `Range: bytes=<size>-` with `If-Range`, so a
file that changed on the server (a chapter re-rendered) restarts from zero instead of being spliced.
The file appears under its own name only once complete. A finished book whose file is still being
assembled answers 409 AUDIO_NOT_READY with `context.assembling`: the download waits for it.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from vocalio_shared.errors import ErrorCode

from vocalio_client.backoff import backoff_delay
from vocalio_client.errors import VocalioApiError, VocalioConnectionError

if TYPE_CHECKING:
    from vocalio_client.client import Client

CHUNK_BYTES = 1 << 16
ASSEMBLY_POLL_S = 5.0  # when the API gives no Retry-After
ASSEMBLY_WAIT_S = 1800.0  # a finished book's m4b is muxed from ready pieces: far less than this


def _validator(response: httpx.Response) -> str | None:
    etag = response.headers.get("etag")
    if etag and not etag.startswith("W/"):  # If-Range takes strong validators only
        return etag
    return response.headers.get("last-modified")


def _range_start(response: httpx.Response) -> int | None:
    # Content-Range: bytes 100-199/200
    value = response.headers.get("content-range", "")
    unit, _, span = value.partition(" ")
    start = span.partition("-")[0]
    return int(start) if unit == "bytes" and start.isdigit() else None


def download_to(client: "Client", path: str, target: Path, params: dict[str, Any] | None = None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    meta = target.with_name(target.name + ".part.json")
    validator: str | None = None
    if part.exists() and meta.exists():
        try:
            validator = json.loads(meta.read_text()).get("validator")
        except ValueError:
            validator = None
    failures, waited_s = 0, 0.0
    while True:
        offset = part.stat().st_size if part.exists() and validator else 0
        headers = {"Range": f"bytes={offset}-", "If-Range": validator} if offset and validator else {}
        try:
            with client.stream("GET", path, params=params, headers=headers) as response:
                resumed = response.status_code == 206 and _range_start(response) == offset
                if not resumed:  # whole file: it changed, or the server ignores Range
                    validator = _validator(response)
                    meta.write_text(json.dumps({"validator": validator, "url": path}))
                with part.open("ab" if resumed else "wb") as sink:
                    for chunk in response.iter_bytes(CHUNK_BYTES):
                        sink.write(chunk)
        except VocalioApiError as error:
            if error.code == ErrorCode.AUDIO_NOT_READY and error.context.get("assembling"):
                # the book is finished and its file is being made from the chapters: minutes at most
                waited_s += (delay_s := float(error.retry_after or ASSEMBLY_POLL_S))
                if waited_s > ASSEMBLY_WAIT_S:
                    raise
                client.sleep(delay_s)
                continue
            if error.status != 416 or not offset:
                raise
            validator = None  # our partial is no prefix of the file: start over
            part.unlink(missing_ok=True)
            continue
        except httpx.TransportError as error:  # cut mid-body: keep what came, ask for the rest
            failures += 1
            if failures > client.retries:
                raise VocalioConnectionError(f"download {path} keeps failing: {error!r}") from error
            client.sleep(backoff_delay(client, failures))
            continue
        part.replace(target)
        meta.unlink(missing_ok=True)
        return target
