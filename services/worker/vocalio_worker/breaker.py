"""A small asyncio-friendly circuit breaker with the seed's shape: `failure_threshold` failures in
a row open it; after `recovery_s` it lets `half_open_calls` trial calls through, and closes once
that many succeed (any trial failure opens it again).

Not pybreaker: its async path needs Tornado, and what we need fits in this file.
"""

import time
from collections.abc import Callable
from enum import IntEnum


class CircuitState(IntEnum):
    """Values of the API_CIRCUIT_STATE gauge."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitOpenError(Exception):
    """Raised instead of calling while the circuit is open."""


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        recovery_s: float = 30.0,
        half_open_calls: int = 3,
        on_change: Callable[[CircuitState], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.recovery_s = recovery_s
        self.half_open_calls = half_open_calls
        self._on_change = on_change
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trials_started = 0
        self._trial_successes = 0
        self._reported = CircuitState.CLOSED

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at >= self.recovery_s:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    def before_call(self) -> None:
        """Raise CircuitOpenError unless a call may go out now."""
        state = self.state
        self._report(state)
        if state == CircuitState.OPEN:
            raise CircuitOpenError("API circuit open")
        if state == CircuitState.HALF_OPEN:
            if self._trials_started >= self.half_open_calls:
                raise CircuitOpenError("API circuit half-open; trial calls in flight")
            self._trials_started += 1

    def record_success(self) -> None:
        if self.state == CircuitState.HALF_OPEN:
            self._trial_successes += 1
            if self._trial_successes < self.half_open_calls:
                # Let the next trial through: the earlier ones are done, not in flight.
                self._trials_started = self._trial_successes
                return
        self._failures, self._opened_at = 0, None
        self._trials_started = self._trial_successes = 0
        self._report(CircuitState.CLOSED)

    def record_failure(self) -> None:
        self._failures += 1
        if self.state == CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
            self._trials_started = self._trial_successes = 0
        self._report(self.state)

    def _report(self, state: CircuitState) -> None:
        if state != self._reported:
            self._reported = state
            if self._on_change:
                self._on_change(state)
