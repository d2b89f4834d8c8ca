"""A typed Python client for the Vocalio REST API: jobs and books (see docs/api/client.md)."""

from vocalio_client.client import Client
from vocalio_client.errors import VocalioApiError, VocalioConnectionError
from vocalio_client.events import BOOK_SETTLED_STATUSES, BookEvent, StreamUnavailable

__all__ = [
    "BOOK_SETTLED_STATUSES",
    "BookEvent",
    "Client",
    "StreamUnavailable",
    "VocalioApiError",
    "VocalioConnectionError",
]
