"""`Client`: the Vocalio REST API for a pipeline, typed with the shared schemas.

Every call is retried on connection errors, gateway statuses (502/503/504) and errors whose body says
`retry_suggested` (429 included), with exponential backoff that honours Retry-After; validation and
other 4xx errors are raised at once as `VocalioApiError`. A creating POST carries an Idempotency-Key
generated once per call and sent unchanged on each retry, so a retried submit never makes two jobs
or two books. Event streams reconnect with Last-Event-ID; downloads resume a partial file with Range.
"""

import json
import mimetypes
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from vocalio_shared.schemas.book_quality import BookReport
from vocalio_shared.schemas.books import (
    BookAudioFormat,
    BookCreate,
    BookList,
    BookMetadataPatch,
    BookPublic,
    BookSettings,
    BookStatus,
    ChapterFormat,
    ChapterPatch,
    ChapterText,
)
from vocalio_shared.schemas.jobs import TERMINAL_STATUSES, JobCreate, JobEvent, JobList, JobPublic

from vocalio_client.backoff import backoff_delay
from vocalio_client.downloads import download_to
from vocalio_client.errors import VocalioApiError, VocalioConnectionError
from vocalio_client.events import BOOK_SETTLED_STATUSES, BookEvent, follow_stream

DEFAULT_TIMEOUT_S = 30.0
STREAM_READ_TIMEOUT_S = 60.0  # event streams send a keepalive every 15 s
USER_AGENT = "vocalio-client/0.1"


def _retryable(error: BaseException) -> bool:
    return isinstance(error, VocalioApiError) and error.retryable


def _json_part(model: BaseModel) -> tuple[None, str, str]:
    """A multipart form field holding JSON (no file name), only the fields the caller gave."""
    return (None, json.dumps(_dump(model)), "application/json")


def _dump(model: BaseModel | dict[str, Any] | None) -> dict[str, Any] | None:
    if model is None or isinstance(model, dict):
        return model
    return model.model_dump(mode="json", exclude_unset=True)


class Client:
    """A synchronous client. `retries` is how many times a failed call is sent again (0: never)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        retries: int = 4,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"User-Agent": USER_AGENT}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.sleep: Callable[[float], None] = time.sleep  # tests and callers may shorten waits
        self._timeout = timeout
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- transport: one request with retries ------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, VocalioApiError) and error.retry_after is not None:
            return min(error.retry_after, self.max_backoff_s)
        return backoff_delay(self, state.attempt_number)

    def retrying(self) -> Retrying:
        """The retry policy, for any call made through this client."""
        return Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            sleep=lambda seconds: self.sleep(seconds),
            reraise=True,
        )

    def _once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise VocalioConnectionError(f"{method} {self.base_url}{path}: {error!r}") from error
        if response.status_code >= 400:
            raise VocalioApiError.from_response(response)
        return response

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotency_key: str | None = None,
        build: Callable[[], dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries. `build` makes fresh request arguments per attempt (an upload's file is
        opened again); the Idempotency-Key, if any, is the same on every attempt."""
        headers = dict(kwargs.pop("headers", None) or {})
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        for attempt in self.retrying():
            with attempt:
                extra = build() if build else {}
                return self._once(method, path, headers=headers, **kwargs, **extra)
        raise AssertionError("unreachable: tenacity reraises the last error")

    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        """An open streamed response (2xx), opened with retries; errors are read and raised."""
        timeout = httpx.Timeout(self._timeout, read=max(self._timeout, STREAM_READ_TIMEOUT_S))
        for attempt in self.retrying():
            with attempt:
                try:
                    request = self._http.build_request(method, path, timeout=timeout, **kwargs)
                    response = self._http.send(request, stream=True)
                except httpx.TransportError as error:
                    raise VocalioConnectionError(f"{method} {self.base_url}{path}: {error!r}") from error
                if response.status_code >= 400:
                    response.read()
                    response.close()
                    raise VocalioApiError.from_response(response)
        try:
            yield response
        finally:
            response.close()

    def _post(self, path: str, body: dict[str, Any] | None = None, idempotency_key: str | None = None) -> Any:
        key = idempotency_key or str(uuid.uuid4())
        return self.request("POST", path, json=body, idempotency_key=key).json()

    # --- jobs -------------------------------------------------------------------------------------

    def create_job(self, job: JobCreate | str, *, idempotency_key: str | None = None, **fields: Any) -> JobPublic:
        """Submit a job (a JobCreate, or the text with JobCreate's fields as keywords)."""
        body = JobCreate(text=job, **fields) if isinstance(job, str) else job
        return JobPublic.model_validate(self._post("/api/v1/jobs", _dump(body), idempotency_key))

    def get_job(self, job_id: str) -> JobPublic:
        return JobPublic.model_validate(self.request("GET", f"/api/v1/jobs/{job_id}").json())

    def list_jobs(self, *, cursor: str | None = None, limit: int = 50, **filters: str) -> JobList:
        params = {"limit": limit, **filters} | ({"cursor": cursor} if cursor else {})
        return JobList.model_validate(self.request("GET", "/api/v1/jobs", params=params).json())

    def cancel_job(self, job_id: str) -> JobPublic:
        return JobPublic.model_validate(self._post(f"/api/v1/jobs/{job_id}/cancel"))

    def job_events(self, job_id: str, *, after: int | None = None) -> Iterator[JobEvent]:
        """The job's events until its terminal one, reconnecting (Last-Event-ID) when cut."""

        def settled() -> bool:
            return self.get_job(job_id).status in TERMINAL_STATUSES

        for event in follow_stream(self, f"/api/v1/jobs/{job_id}/events", str(after) if after else None, settled):
            yield JobEvent.model_validate_json(event.data)

    def wait_job(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        on_event: Callable[[JobEvent], None] | None = None,
    ) -> JobPublic:
        """Block until the job is terminal and return it: follows its events, and polls when the
        stream cannot be had (a proxy that buffers or refuses `text/event-stream`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            for event in self.job_events(job_id):
                if on_event:
                    on_event(event)
                if deadline is not None and time.monotonic() > deadline:
                    break
        except VocalioApiError as error:
            if error.status in (401, 403) or error.code == "JOB_NOT_FOUND":
                raise  # polling would hear the same
            # otherwise no usable stream (a proxy refuses or buffers it): poll instead
        while True:
            job = self.get_job(job_id)
            if job.status in TERMINAL_STATUSES:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.status} after {timeout} s")
            self.sleep(poll_interval)

    def download_job_audio(self, job_id: str, path: str | Path) -> Path:
        return download_to(self, f"/api/v1/jobs/{job_id}/audio", Path(path))

    # --- books ------------------------------------------------------------------------------------

    def create_book(self, book: BookCreate | dict[str, Any], *, idempotency_key: str | None = None) -> BookPublic:
        """A book from JSON chapters; answers the draft (nothing renders before `render_book`)."""
        body = BookCreate.model_validate(book) if isinstance(book, dict) else book
        return BookPublic.model_validate(self._post("/api/v1/books", _dump(body), idempotency_key))

    def upload_book(
        self,
        path: str | Path,
        metadata: BookMetadataPatch | dict[str, Any] | None = None,
        settings: BookSettings | dict[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> BookPublic:
        """Upload an EPUB or TXT book; answers the detected structure as a draft."""
        path = Path(path)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() == ".epub":
            media_type = "application/epub+zip"
        parts: dict[str, tuple[None, str, str]] = {}
        if metadata is not None:
            parts["metadata"] = _json_part(BookMetadataPatch.model_validate(_dump(metadata)))
        if settings is not None:
            parts["settings"] = _json_part(BookSettings.model_validate(_dump(settings)))

        def build() -> dict[str, Any]:
            return {"files": {"file": (path.name, path.read_bytes(), media_type), **parts}}

        key = idempotency_key or str(uuid.uuid4())
        response = self.request("POST", "/api/v1/books", idempotency_key=key, build=build)
        return BookPublic.model_validate(response.json())

    def get_book(self, book_id: str) -> BookPublic:
        return BookPublic.model_validate(self.request("GET", f"/api/v1/books/{book_id}").json())

    def list_books(self, *, cursor: str | None = None, limit: int = 50) -> BookList:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        return BookList.model_validate(self.request("GET", "/api/v1/books", params=params).json())

    def update_book(
        self,
        book_id: str,
        *,
        metadata: BookMetadataPatch | dict[str, Any] | None = None,
        settings: BookSettings | dict[str, Any] | None = None,
    ) -> BookPublic:
        body: dict[str, Any] = {}
        if metadata is not None:
            body["metadata"] = _dump(BookMetadataPatch.model_validate(_dump(metadata)))
        if settings is not None:
            body["settings"] = _dump(settings)
        return BookPublic.model_validate(self.request("PATCH", f"/api/v1/books/{book_id}", json=body).json())

    def edit_chapter(self, book_id: str, number: int, patch: ChapterPatch | None = None, **fields: Any) -> BookPublic:
        """Edit chapter `number` (from 1, reading order): text, title, settings, or `included`.
        Nothing renders until `render_book`; then only the changed sentences are synthesized."""
        body = _dump(patch if patch is not None else ChapterPatch(**fields))
        answer = self.request("PATCH", f"/api/v1/books/{book_id}/chapters/{number}", json=body).json()
        if isinstance(answer, dict) and "chapters" in answer:
            return BookPublic.model_validate(answer)
        return self.get_book(book_id)  # the route answered the chapter alone: the book is read again

    def chapter_text(self, book_id: str, chapter: int | str) -> ChapterText:
        """What chapter `chapter` says (its number from 1, or the id of set-aside matter): to read
        the detected structure before confirming it, or before an edit."""
        path = f"/api/v1/books/{book_id}/chapters/{chapter}/text"
        return ChapterText.model_validate(self.request("GET", path).json())

    def render_book(self, book_id: str, *, idempotency_key: str | None = None) -> BookPublic:
        """Render every included chapter whose content changed or that has no finished render."""
        return BookPublic.model_validate(self._post(f"/api/v1/books/{book_id}/render", None, idempotency_key))

    def cancel_book(self, book_id: str) -> BookPublic:
        return BookPublic.model_validate(self._post(f"/api/v1/books/{book_id}/cancel"))

    def pause_book(self, book_id: str) -> BookPublic:
        return BookPublic.model_validate(self._post(f"/api/v1/books/{book_id}/pause"))

    def resume_book(self, book_id: str) -> BookPublic:
        return BookPublic.model_validate(self._post(f"/api/v1/books/{book_id}/resume"))

    def delete_book(self, book_id: str) -> None:
        self.request("DELETE", f"/api/v1/books/{book_id}")

    def book_events(self, book_id: str, *, last_event_id: str | None = None) -> Iterator[BookEvent]:
        """The book's events (book.*, chapter.*) until it settles (succeeded, failed, cancelled,
        paused), reconnecting with Last-Event-ID when the stream is cut."""

        def settled() -> bool:
            return self.get_book(book_id).status in BOOK_SETTLED_STATUSES

        for event in follow_stream(self, f"/api/v1/books/{book_id}/events", last_event_id, settled):
            yield BookEvent.from_sse(event)

    def follow_book(
        self, book_id: str, *, poll_interval: float = 2.0, min_interval: float = 0.5
    ) -> Iterator[BookPublic]:
        """Snapshots of the book as it renders (after events, at most every `min_interval` s), the
        last one settled. Falls back to polling every `poll_interval` s without an event stream."""
        book = self.get_book(book_id)
        yield book
        if book.status in BOOK_SETTLED_STATUSES or book.status == BookStatus.DRAFT:
            return
        last = time.monotonic()
        try:
            for event in self.book_events(book_id):
                if event.settles or time.monotonic() - last >= min_interval:
                    book = self.get_book(book_id)
                    last = time.monotonic()
                    yield book
                    if book.status in BOOK_SETTLED_STATUSES:
                        return
        except VocalioApiError as error:
            if error.code == "BOOK_NOT_FOUND" or (error.status is not None and error.status in (401, 403)):
                raise
        while True:  # no stream (or it ended early): poll
            book = self.get_book(book_id)
            yield book
            if book.status in BOOK_SETTLED_STATUSES:
                return
            self.sleep(poll_interval)

    def wait_book(self, book_id: str, *, timeout: float | None = None) -> BookPublic:
        deadline = None if timeout is None else time.monotonic() + timeout
        for book in self.follow_book(book_id):
            if book.status in BOOK_SETTLED_STATUSES:
                return book
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"book {book_id} still {book.status} after {timeout} s")
        return self.get_book(book_id)

    def download_book(
        self, book_id: str, path: str | Path, format: BookAudioFormat | str = BookAudioFormat.M4B
    ) -> Path:
        """The whole book (m4b, or a zip of chapter files) streamed to `path`; a partial download
        left by an earlier try is resumed with Range. 409 AUDIO_NOT_READY while it renders."""
        audio_format = BookAudioFormat(format)
        return download_to(self, f"/api/v1/books/{book_id}/audio", Path(path), {"format": audio_format.value})

    def download_chapter(
        self, book_id: str, number: int, path: str | Path, format: ChapterFormat | str | None = None
    ) -> Path:
        """One chapter's audio (any finished chapter, while the rest renders)."""
        params = {"format": ChapterFormat(format).value} if format else None
        return download_to(self, f"/api/v1/books/{book_id}/chapters/{number}/audio", Path(path), params)

    def chapter_captions(self, book_id: str, number: int, format: str = "vtt") -> str:
        if format not in ("vtt", "srt"):
            raise ValueError("captions format is vtt or srt")
        path = f"/api/v1/books/{book_id}/chapters/{number}/captions"
        return self.request("GET", path, params={"format": format}).text

    # --- quality ----------------------------------------------------------------------------------

    def book_report(self, book_id: str) -> BookReport:
        """The book's quality report: the summary (chapters passing, consistency, drift) and one row
        per included chapter (its figures against the mastering preset, QA counts, flagged sentences)."""
        return BookReport.model_validate(self.request("GET", f"/api/v1/books/{book_id}/report").json())

    def book_report_csv(self, book_id: str) -> str:
        """The same report as CSV, one row per chapter (the columns: `book_quality.REPORT_COLUMNS`)."""
        return self.request("GET", f"/api/v1/books/{book_id}/report", params={"format": "csv"}).text

    def redraw_sentence(self, book_id: str, chapter: int, index: int) -> BookPublic:
        """Render one sentence of a finished book again (`index`: its position in the chapter's
        segments, as `ChapterPublic.flagged[].index` gives it): a new seed for that sentence, the
        rest of the chapter from the sentence cache. Not retried on a lost answer: the first try
        may have started the render, and a second one would then be refused (409)."""
        path = f"/api/v1/books/{book_id}/chapters/{chapter}/sentences/{index}/redraw"
        return BookPublic.model_validate(self._once("POST", path).json())
