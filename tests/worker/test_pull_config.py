"""Pull-mode settings of the worker (the mode itself runs end to end in tests/e2e/worker/test_pull_mode.py)."""

import pytest
from pydantic import ValidationError
from vocalio_worker.config import WorkerConfig


def test_push_is_the_default_and_a_long_poll_must_end_before_the_call_times_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOCALIO_WORKER_TOKEN", "test-worker-token-0123456789")
    assert WorkerConfig().worker_mode == "push"
    monkeypatch.setenv("VOCALIO_WORKER_MODE", "pull")
    monkeypatch.setenv("VOCALIO_PULL_WAIT_S", "30")
    with pytest.raises(ValidationError, match="VOCALIO_PULL_WAIT_S"):
        WorkerConfig()
    monkeypatch.setenv("VOCALIO_API_TIMEOUT_S", "31")
    assert WorkerConfig().pull_wait_s == 30
    monkeypatch.setenv("VOCALIO_WORKER_MODE", "sideways")
    with pytest.raises(ValidationError, match="worker_mode"):
        WorkerConfig()
