import pytest
from pydantic import ValidationError
from vocalio_shared.errors import ERROR_TRAITS, ErrorCode, VocalioError
from vocalio_shared.queue import LANE_SPAN_MS, lane_defer, lane_of_score, lane_score_bounds
from vocalio_shared.schemas.jobs import JobCreate, Priority


def test_every_error_code_has_traits() -> None:
    assert set(ERROR_TRAITS) == set(ErrorCode)


def test_error_detail_carries_traits() -> None:
    detail = VocalioError(ErrorCode.GPU_OOM, "out of memory", {"batch": 1}).detail()
    assert detail.category == "RESOURCE" and detail.recoverable and detail.context == {"batch": 1}


def test_lanes_do_not_overlap() -> None:
    now_ms = 1_800_000_000_000
    for priority in Priority:
        score = now_ms + lane_defer(priority).total_seconds() * 1000
        low, high = lane_score_bounds(priority)
        assert low <= score <= high
        assert lane_of_score(score) == priority
    assert now_ms < LANE_SPAN_MS


@pytest.mark.parametrize("bad", [{"sample_rate": 8000}, {"nfe_step": 3}, {"speed": 2.5}, {"text": "   "}])
def test_job_create_rejects_bad_values(bad: dict) -> None:
    with pytest.raises(ValidationError):
        JobCreate(**({"text": "hola"} | bad))
