"""The seed rule, as behaviour: the HorizontalPodAutoscaler's documented algorithm, run on the numbers of the
rendered ScaledObject, scales out exactly while `pending_jobs > workers × 2`, never removes a worker that a
running job needs, removes the first idle one only after SCALE_IN_IDLE_S, and (scale-to-zero overlay) frees
the last GPU after the cooldown.

The model follows kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details:
desired = ceil(metric / target) per AverageValue metric, no change while |metric / (target × current) − 1|
is within the tolerance, the largest desired of all metrics, then the behaviour's stabilisation window and
rate policies; KEDA scales 0 ↔ 1 itself, on activation and after cooldownPeriod.
"""

import math
from dataclasses import dataclass, field

import pytest
from vocalio_shared import scaling

from tests.deploy import manifests as m

POLL_S = 15
DEFAULT_TOLERANCE = 0.1  # the HPA's cluster-wide default, where behaviour sets none


@dataclass
class Hpa:
    targets: dict[str, float]
    min_replicas: int
    max_replicas: int
    up_tolerance: float
    down_tolerance: float
    down_window_s: int
    up_pods_per_period: int
    down_pods_per_period: int
    period_s: int
    cooldown_s: int
    replicas: int
    recommendations: list[tuple[int, int]] = field(default_factory=list)
    changes: list[tuple[int, int]] = field(default_factory=list)
    inactive_since: int | None = None

    @classmethod
    def from_scaled_object(cls, scaled: m.Manifest, replicas: int) -> "Hpa":
        spec = scaled["spec"]
        behavior = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
        (up_policy,) = behavior["scaleUp"]["policies"]
        (down_policy,) = behavior["scaleDown"]["policies"]
        assert up_policy["periodSeconds"] == down_policy["periodSeconds"]
        return cls(
            targets={t["metadata"]["valueLocation"]: float(t["metadata"]["targetValue"]) for t in spec["triggers"]},
            min_replicas=spec["minReplicaCount"],
            max_replicas=spec["maxReplicaCount"],
            up_tolerance=float(behavior["scaleUp"].get("tolerance", DEFAULT_TOLERANCE)),
            down_tolerance=float(behavior["scaleDown"].get("tolerance", DEFAULT_TOLERANCE)),
            down_window_s=behavior["scaleDown"]["stabilizationWindowSeconds"],
            up_pods_per_period=up_policy["value"],
            down_pods_per_period=down_policy["value"],
            period_s=up_policy["periodSeconds"],
            cooldown_s=spec["cooldownPeriod"],
            replicas=replicas,
        )

    def _desired(self, signal: dict[str, float]) -> int:
        desired = []
        for name, target in self.targets.items():
            value = signal[name]
            ratio = value / (target * self.replicas)
            tolerance = self.up_tolerance if ratio > 1 else self.down_tolerance
            desired.append(self.replicas if abs(ratio - 1) <= tolerance else math.ceil(value / target))
        return max(desired)

    def step(self, now: int, signal: dict[str, float]) -> int:
        active = any(value > 0 for value in signal.values())  # activationTargetValue 0
        if self.replicas == 0:  # KEDA, not the HPA, wakes a Deployment at zero
            if active:
                self.replicas, self.inactive_since = 1, None
            return self.replicas
        if not active:
            self.inactive_since = now if self.inactive_since is None else self.inactive_since
            if self.min_replicas == 0 and now - self.inactive_since >= self.cooldown_s:
                self.replicas = 0
                return 0
        else:
            self.inactive_since = None
        desired = min(max(self._desired(signal), max(self.min_replicas, 1)), self.max_replicas)
        self.recommendations.append((now, desired))
        if desired < self.replicas:  # scale-down: the highest recommendation of the window
            window = [r for t, r in self.recommendations if t >= now - self.down_window_s]
            desired = min(self.replicas, max(window))
        recent = [delta for t, delta in self.changes if t > now - self.period_s]
        if desired > self.replicas:
            desired = min(desired, self.replicas + self.up_pods_per_period - sum(d for d in recent if d > 0))
        elif desired < self.replicas:
            desired = max(desired, self.replicas - self.down_pods_per_period + sum(-d for d in recent if d < 0))
        if desired != self.replicas:
            self.changes.append((now, desired - self.replicas))
            self.replicas = desired
        return self.replicas


def _scaled(rendered: dict[str, list[m.Manifest]], overlay: str) -> m.Manifest:
    return m.find(rendered[overlay], "ScaledObject", "vocalio-worker")


def _signal(pending: int, running: int) -> dict[str, float]:
    return {"pending_jobs": pending, "running_jobs": running}


def test_workers_are_added_exactly_while_pending_jobs_exceed_twice_the_workers(
    rendered: dict[str, list[m.Manifest]],
) -> None:
    scaled = _scaled(rendered, "production")
    for workers in range(1, 16):
        for pending in range(0, 3 * workers + 4):
            hpa = Hpa.from_scaled_object(scaled, replicas=workers)
            after = hpa.step(0, _signal(pending, running=workers))  # every worker busy
            scales_out = pending > workers * scaling.PENDING_JOBS_PER_WORKER
            assert (after > workers) == scales_out, f"{workers} workers, {pending} pending: {after}"


def test_without_the_tolerance_field_the_rule_holds_up_to_five_workers(
    rendered: dict[str, list[m.Manifest]],
) -> None:
    """What the docs promise for clusters that drop `tolerance`: exact up to 5 workers, a 10 % dead band after."""
    scaled = _scaled(rendered, "production")
    for workers in range(1, 6):
        for pending in range(0, 3 * workers + 4):
            hpa = Hpa.from_scaled_object(scaled, replicas=workers)
            hpa.up_tolerance = DEFAULT_TOLERANCE
            assert (hpa.step(0, _signal(pending, workers)) > workers) == (pending > 2 * workers)
    hpa = Hpa.from_scaled_object(scaled, replicas=6)
    hpa.up_tolerance = DEFAULT_TOLERANCE
    assert hpa.step(0, _signal(13, 6)) == 6  # 13 > 12, within 10 %: the documented dead band


def test_a_backlog_gets_workers_at_the_policy_rate_up_to_the_maximum(rendered: dict[str, list[m.Manifest]]) -> None:
    hpa = Hpa.from_scaled_object(_scaled(rendered, "production"), replicas=1)
    counts = [hpa.step(t, _signal(pending=100, running=hpa.replicas)) for t in range(0, 600, POLL_S)]
    assert counts[0] == 1 + hpa.up_pods_per_period
    assert max(counts) == hpa.max_replicas and counts == sorted(counts)


def test_busy_workers_are_kept_while_the_queue_is_empty(rendered: dict[str, list[m.Manifest]]) -> None:
    hpa = Hpa.from_scaled_object(_scaled(rendered, "production"), replicas=6)
    assert {hpa.step(t, _signal(pending=0, running=6)) for t in range(0, 3600, POLL_S)} == {6}


def test_the_first_idle_worker_goes_after_ten_minutes_then_one_a_minute(rendered: dict[str, list[m.Manifest]]) -> None:
    hpa = Hpa.from_scaled_object(_scaled(rendered, "production"), replicas=6)
    for t in range(-300, 0, POLL_S):  # busy until t = 0
        hpa.step(t, _signal(pending=0, running=6))
    history = [(t, hpa.step(t, _signal(pending=0, running=0))) for t in range(0, 3600, POLL_S)]
    counts = dict(history)
    drops = [t for t, count in history if count < counts.get(t - POLL_S, 6)]
    assert drops == [scaling.SCALE_IN_IDLE_S + hpa.period_s * i for i in range(5)]  # 6 → 1, one a minute
    assert history[-1][1] == hpa.min_replicas == 1


def test_scale_to_zero_frees_the_last_gpu_after_the_cooldown_and_wakes_on_a_job(
    rendered: dict[str, list[m.Manifest]],
) -> None:
    hpa = Hpa.from_scaled_object(_scaled(rendered, "scale-to-zero"), replicas=1)
    assert hpa.min_replicas == 0
    history = [(t, hpa.step(t, _signal(0, 0))) for t in range(0, hpa.cooldown_s + 4 * POLL_S, POLL_S)]
    zero_at = next(t for t, count in history if count == 0)
    assert zero_at == hpa.cooldown_s
    assert hpa.step(zero_at + POLL_S, _signal(pending=1, running=0)) == 1


@pytest.mark.parametrize("overlay", ["monitoring", "production", "trial", "trial-cpu"])
def test_only_the_scale_to_zero_overlay_ever_reaches_zero(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    hpa = Hpa.from_scaled_object(_scaled(rendered, overlay), replicas=1)
    assert {hpa.step(t, _signal(0, 0)) for t in range(0, 4 * 3600, 60)} == {1}
