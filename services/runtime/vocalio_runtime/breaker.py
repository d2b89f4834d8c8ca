"""The circuit breaker every outbound dependency goes through (the worker's calls to the API, its calls
to llm_bridge).

CLOSED: calls go out; `failure_threshold` failures in a row open it.
OPEN: calls are refused (CircuitOpenError) for a cool-down, so a dead service is not hammered.
HALF_OPEN: after that cool-down one probe at a time goes out. A probe's failure opens the circuit for
another cool-down; `probes_to_close` successes in a row close it. A probe that proved nothing either way
(the dependency answered but refused this call) hands its turn on with `release_probe()`.

The cool-down is `first_recovery_s` when the circuit opens and doubles with each failed probe, up to
`recovery_s`; closing starts it again from `first_recovery_s`. A failure whose connection was never
made (`record_failure(refused=True)`: nothing listens, as while a service restarts) cost the service
nothing, so after one the cool-down is at most `refused_recovery_s`: a restarted service is probed
within that of listening again. Issue 20: a worker's circuit to a restarted API stayed open the full
30 s, and the API showed the worker `lost` meanwhile. A service that answers but fails (5xx, time-outs)
is probed ever less often, up to `recovery_s`. Without `first_recovery_s` the cool-down starts at
`recovery_s`; without `refused_recovery_s` refusals are failures like the others.

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
        first_recovery_s: float | None = None,
        refused_recovery_s: float | None = None,
        name: str = "circuit",
        on_change: Callable[[CircuitState], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.recovery_s = recovery_s
        self.first_recovery_s = recovery_s if first_recovery_s is None else min(first_recovery_s, recovery_s)
        self.refused_recovery_s = recovery_s if refused_recovery_s is None else min(refused_recovery_s, recovery_s)
        self.probes_to_close = probes_to_close
        self.name = name
        self._on_change = on_change
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._cool_down_s = self.first_recovery_s
        self._probe_in_flight = False
        self._probe_successes = 0
        self._reported = CircuitState.CLOSED

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at >= self._cool_down_s:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    @property
    def cool_down_s(self) -> float:
        """The cool-down the circuit is in (or would start with, when it opens next)."""
        return self._cool_down_s

    def probe_in_s(self) -> float:
        """Seconds until a call may go out (0 when one may now): when to try again after a refusal."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self._cool_down_s - self._clock())

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
        self._cool_down_s = self.first_recovery_s
        self._report(CircuitState.CLOSED)

    def record_failure(self, *, refused: bool = False) -> None:
        """A failed call; `refused`: its connection was never made (nothing listened), so probing
        again soon costs the dependency nothing."""
        self._failures += 1
        state = self.state
        if state == CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
            if state == CircuitState.HALF_OPEN:  # a failed probe: still down, wait longer this time
                self._cool_down_s = min(self.recovery_s, self._cool_down_s * 2)
            if refused:
                self._cool_down_s = min(self._cool_down_s, self.refused_recovery_s)
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
