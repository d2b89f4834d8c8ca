"""The one circuit breaker (vocalio_runtime.breaker), as the worker's API client and llm_bridge client use it:
failures in a row open it; after the cool-down one probe at a time; probes' successes close it."""

import pytest
from vocalio_runtime.breaker import CircuitBreaker, CircuitOpenError, CircuitState
from vocalio_shared.queue import LANE_SPAN_MS
from vocalio_worker.lanes import eligible_ms


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_failures_in_a_row_and_closes_after_probe_successes() -> None:
    clock, changes = Clock(), []
    breaker = CircuitBreaker(5, 30.0, 3, on_change=changes.append, clock=clock)  # the worker's API defaults
    for _ in range(4):
        breaker.before_call()
        breaker.record_failure()
    breaker.record_success()  # a success in between: the count starts again
    for _ in range(4):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == CircuitState.CLOSED
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == CircuitState.OPEN
    clock.now = 29.9
    with pytest.raises(CircuitOpenError, match="open"):
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


def test_half_open_lets_one_probe_out_at_a_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)  # llm_bridge's shape: one probe decides
    breaker.record_failure()
    clock.now = 10.0
    breaker.before_call()  # the probe
    with pytest.raises(CircuitOpenError, match="probe"):
        breaker.before_call()  # the others wait for its verdict
    breaker.record_success()
    assert breaker.state == CircuitState.CLOSED
    breaker.before_call()
    breaker.before_call()  # closed: no limit


def test_a_failed_probe_opens_it_for_a_new_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 10.0, 2, clock=clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now = 10.0
    breaker.before_call()
    breaker.record_success()  # one of two
    breaker.before_call()
    breaker.record_failure()  # one failed probe is enough, whatever the threshold
    assert breaker.state == CircuitState.OPEN
    clock.now = 19.9
    assert breaker.state == CircuitState.OPEN
    clock.now = 20.0
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == CircuitState.HALF_OPEN  # the earlier probe's success does not count any more
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == CircuitState.CLOSED


def test_a_probe_that_proves_nothing_hands_its_turn_on() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 5.0, clock=clock)
    breaker.record_failure()
    clock.now = 5.0
    breaker.before_call()
    breaker.release_probe()  # e.g. an HTTP 401: the service is up but refused this call
    assert breaker.state == CircuitState.HALF_OPEN
    breaker.before_call()  # the next caller may probe
    breaker.record_success()
    assert breaker.state == CircuitState.CLOSED


def fail_probe(breaker: CircuitBreaker, clock: Clock, *, refused: bool = False) -> float:
    """Wait out the cool-down, fail the probe; returns the new cool-down."""
    clock.now += breaker.probe_in_s()
    breaker.before_call()
    breaker.record_failure(refused=refused)
    assert breaker.state == CircuitState.OPEN
    return breaker.cool_down_s


def test_the_cool_down_starts_short_doubles_while_probes_fail_and_starts_again_once_closed() -> None:
    clock = Clock()
    breaker = CircuitBreaker(2, 30.0, 1, first_recovery_s=0.5, clock=clock)  # the worker's shape
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == CircuitState.OPEN and breaker.probe_in_s() == 0.5
    assert [fail_probe(breaker, clock) for _ in range(8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    clock.now += 29.9
    with pytest.raises(CircuitOpenError):
        breaker.before_call()
    clock.now += 0.1
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == CircuitState.CLOSED
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.probe_in_s() == 0.5  # a new outage starts short again


def test_refused_connections_keep_the_cool_down_short_and_failures_of_a_live_service_do_not() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 30.0, 1, first_recovery_s=0.5, refused_recovery_s=2.0, clock=clock)
    breaker.record_failure(refused=True)
    # a service restarting for a minute: nothing listens, probing costs it nothing: every 2 s at most
    assert [fail_probe(breaker, clock, refused=True) for _ in range(5)] == [1.0, 2.0, 2.0, 2.0, 2.0]
    # it listens again but fails (HTTP 503, time-outs): back to doubling, up to the 30 s cap
    assert [fail_probe(breaker, clock) for _ in range(5)] == [4.0, 8.0, 16.0, 30.0, 30.0]
    assert fail_probe(breaker, clock, refused=True) == 2.0  # gone again (restarting): short again


def test_without_the_new_arguments_the_cool_down_is_always_recovery_s() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)  # llm_bridge's shape
    breaker.record_failure(refused=True)
    assert [fail_probe(breaker, clock, refused=True) for _ in range(3)] == [10.0, 10.0, 10.0]


def test_eligible_time_ignores_the_lane_offset() -> None:
    now = 1_700_000_000_000
    assert eligible_ms(now) == now
    assert eligible_ms(now + LANE_SPAN_MS) == now
    assert eligible_ms(now + 2 * LANE_SPAN_MS) == now
