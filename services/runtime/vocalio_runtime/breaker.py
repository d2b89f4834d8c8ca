"""The circuit breaker every outbound dependency goes through (the worker's calls to the API, its calls
to llm_bridge).

CLOSED: calls go out; `failure_threshold` failures in a row open it.
OPEN: calls are refused (CircuitOpenError) for `recovery_s`, so a dead service is not hammered.
HALF_OPEN: after that cool-down one probe at a time goes out. A probe's failure opens the circuit for
another cool-down; `probes_to_close` successes in a row close it. A probe that proved nothing either way
(the dependency answered but refused this call) hands its turn on with `release_probe()`.

Not pybreaker: its async path needs Tornado, and what we need fits in this file. Not thread-safe: one
event loop drives it.
"""

import time
from collections.abc import Callable
from enum import IntEnum


class CircuitState(IntEnum):
    """Also the values of the circuit-state gauges (vocalio_shared.metric_names)."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitOpenError(Exception):
    """Raised by `before_call` instead of letting a call out."""


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        recovery_s: float = 30.0,
        probes_to_close: int = 1,
        *,
        name: str = "circuit",
        on_change: Callable[[CircuitState], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.recovery_s = recovery_s
        self.probes_to_close = probes_to_close
        self.name = name
        self._on_change = on_change
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False
        self._probe_successes = 0
        self._reported = CircuitState.CLOSED

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at >= self.recovery_s:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    def before_call(self) -> None:
        """Raise CircuitOpenError unless a call may go out now (in half-open: this call is the probe)."""
        state = self.state
        self._report(state)
        if state == CircuitState.OPEN:
            raise CircuitOpenError(f"{self.name} open")
        if state == CircuitState.HALF_OPEN:
            if self._probe_in_flight:
                raise CircuitOpenError(f"{self.name} half-open; a probe is in flight")
            self._probe_in_flight = True

    def record_success(self) -> None:
        if self.state == CircuitState.HALF_OPEN:
            self._probe_in_flight = False
            self._probe_successes += 1
            if self._probe_successes < self.probes_to_close:
                return
        self._failures, self._opened_at, self._probe_in_flight, self._probe_successes = 0, None, False, 0
        self._report(CircuitState.CLOSED)

    def record_failure(self) -> None:
        self._failures += 1
        if self.state == CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()  # (re)open: a new cool-down
            self._probe_in_flight, self._probe_successes = False, 0
        self._report(self.state)

    def release_probe(self) -> None:
        """The probe's call neither failed nor proved health (e.g. an HTTP 4xx): let the next one try."""
        self._probe_in_flight = False

    def _report(self, state: CircuitState) -> None:
        if state != self._reported:
            self._reported = state
            if self._on_change:
                self._on_change(state)
