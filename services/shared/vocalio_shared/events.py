"""Event types recorded for every job; the SSE stream and webhooks carry these names."""

from enum import StrEnum


class EventType(StrEnum):
    CREATED = "job.created"
    STATUS = "job.status"
    PROGRESS = "job.progress"
    RETRYING = "job.retrying"
    CANCEL_REQUESTED = "job.cancel_requested"
    SUCCEEDED = "job.succeeded"
    FAILED = "job.failed"
    CANCELLED = "job.cancelled"


TERMINAL_EVENT_TYPES = frozenset({EventType.SUCCEEDED, EventType.FAILED, EventType.CANCELLED})


class BookEventType(StrEnum):
    """A book's event log (GET /api/v1/books/{id}/events): chapter events mirror the chapter job's own
    events; book events fire when the book's aggregate status or progress changes."""

    CREATED = "book.created"
    RENDER_STARTED = "book.render_started"
    STATUS = "book.status"
    PROGRESS = "book.progress"
    SUCCEEDED = "book.succeeded"
    FAILED = "book.failed"
    CANCELLED = "book.cancelled"
    PAUSED = "book.paused"
    EDITED = "book.edited"
    CHAPTER_QUEUED = "chapter.queued"
    CHAPTER_STATUS = "chapter.status"
    CHAPTER_PROGRESS = "chapter.progress"
    CHAPTER_RETRYING = "chapter.retrying"
    CHAPTER_CANCEL_REQUESTED = "chapter.cancel_requested"
    CHAPTER_SUCCEEDED = "chapter.succeeded"
    CHAPTER_FAILED = "chapter.failed"
    CHAPTER_CANCELLED = "chapter.cancelled"


# A book's stream ends after one of these when nothing newer follows (a later render starts anew).
BOOK_SETTLED_EVENT_TYPES = frozenset(
    {BookEventType.SUCCEEDED, BookEventType.FAILED, BookEventType.CANCELLED, BookEventType.PAUSED}
)
