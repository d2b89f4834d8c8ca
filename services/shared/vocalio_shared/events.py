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
