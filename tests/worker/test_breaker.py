"""The API circuit breaker's seed behaviour: 5 failures open it, 30 s later 3 trial calls close it."""

import pytest
from vocalio_shared.queue import LANE_SPAN_MS
from vocalio_worker.breaker import CircuitBreaker, CircuitOpenError, CircuitState
from vocalio_worker.lanes import eligible_ms


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_failures_and_closes_after_trial_successes() -> None:
    clock, changes = Clock(), []
    breaker = CircuitBreaker(5, 30.0, 3, on_change=changes.append, clock=clock)
    for _ in range(4):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == CircuitState.CLOSED
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        breaker.before_call()
    clock.now = 30.0
    assert breaker.state == CircuitState.HALF_OPEN
    for _ in range(2):
        breaker.before_call()
        breaker.record_success()
        assert breaker.state == CircuitState.HALF_OPEN
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == CircuitState.CLOSED
    assert changes == [CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.CLOSED]


def test_a_failed_trial_opens_it_again_and_trials_are_limited() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 10.0, 3, clock=clock)
    breaker.record_failure()
    clock.now = 10.0
    for _ in range(3):
        breaker.before_call()  # three trials in flight at once
    with pytest.raises(CircuitOpenError):
        breaker.before_call()
    breaker.record_failure()
    assert breaker.state == CircuitState.OPEN
    clock.now = 15.0
    assert breaker.state == CircuitState.OPEN


def test_eligible_time_ignores_the_lane_offset() -> None:
    now = 1_700_000_000_000
    assert eligible_ms(now) == now
    assert eligible_ms(now + LANE_SPAN_MS) == now
    assert eligible_ms(now + 2 * LANE_SPAN_MS) == now
