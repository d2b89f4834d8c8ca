"""A job's status updates, in order, off its critical path.

Progress updates (preparing, synthesizing, encoding) are queued and sent one after another by a
background task, so synthesis does not wait for the API's round trips; their acks are read when the
job next checks in (`raise_if_refused`, between batches). The terminal update (and a retry's
`queued`) goes through `deliver`: it waits until every earlier update is delivered, then sends and
returns the ack, so the API sees the updates in the order the job made them and the last one
reliably. After a refusal nothing more is sent; the job stops at its next check.
"""

import asyncio
import contextlib
import time

import structlog
from vocalio_shared.schemas.jobs import JobStatusAck, JobStatusUpdate

from vocalio_worker.api_client import ApiClient

log = structlog.get_logger("worker.status")


class JobAbandoned(Exception):
    """The API refused our update (job ended, or a newer attempt owns it): stop silently."""


class StatusSender:
    def __init__(self, api: ApiClient, job_id: str) -> None:
        self.api = api
        self.job_id = job_id
        self.cancel_requested = False
        self.awaited_s = 0.0  # time the job itself spent waiting on status updates
        self._queue: asyncio.Queue[JobStatusUpdate] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._failure: Exception | None = None

    def send(self, update: JobStatusUpdate) -> None:
        """Queue a progress update; it is delivered in order while the job goes on."""
        if self._failure is not None:
            return
        self._queue.put_nowait(update)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"status-{self.job_id}")

    def raise_if_refused(self) -> None:
        """Raise what a delivered update met: JobAbandoned, or the API's ApiError."""
        if self._failure is not None:
            raise self._failure

    async def flush(self) -> None:
        """Wait until every queued update is delivered; raise if one was refused."""
        started = time.monotonic()
        try:
            await self._queue.join()
        finally:
            self.awaited_s += time.monotonic() - started
        self.raise_if_refused()

    async def deliver(self, update: JobStatusUpdate, max_elapsed_s: float | None = None) -> JobStatusAck:
        """Send after all queued updates, and wait for the answer (terminal and retry updates)."""
        await self.flush()
        ack = await self.api.post_status(self.job_id, update, max_elapsed_s)
        self._absorb(ack, update)
        return ack

    async def close(self, wait_s: float = 0.0) -> None:
        """Stop the sender: give the queued updates up to `wait_s`, then drop the rest."""
        if self._task is None:
            return
        if wait_s > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._queue.join()), wait_s)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        self._task = None

    def _absorb(self, ack: JobStatusAck, update: JobStatusUpdate) -> None:
        self.cancel_requested = self.cancel_requested or ack.cancel_requested
        if not ack.accepted and self._failure is None:
            self._failure = JobAbandoned(f"API refused {update.status.value}: job is {ack.status.value}")

    async def _run(self) -> None:
        while True:
            update = await self._queue.get()
            try:
                if self._failure is None:
                    self._absorb(await self.api.post_status(self.job_id, update), update)
            except Exception as error:  # ApiError: refused for good; the job stops at its next check
                log.warning("status_update_failed", status=update.status.value, error=str(error))
                self._failure = error
            finally:
                self._queue.task_done()
