"""Moved to `vocalio_shared.audio_metrics` (the API analyses voice uploads with it too)."""

from vocalio_shared.audio_metrics import QualityMetrics, measure_quality

__all__ = ["QualityMetrics", "measure_quality"]
