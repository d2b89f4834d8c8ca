"""The worker's use of `vocalio_audio.mastering`: a chapter job's master is mastered to its preset
(`ChapterRender.mastering_preset`, else `VOCALIO_MASTERING_PRESET`, ACX by default); every other
job's file is measured against the default preset, not changed. Either way the result carries the
report (`JobResult.audio_report`)."""

from vocalio_audio.mastering import load_preset, master_audio, measure, report
from vocalio_audio.mastering.preset import Preset, preset_names
from vocalio_audio.metrics import QualityMetrics
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.quality import AudioReport

from vocalio_worker import pipeline


def preset_for(name: str) -> Preset:
    try:
        return load_preset(name)
    except KeyError as error:
        raise VocalioError(
            ErrorCode.VALIDATION_ERROR, f"unknown mastering preset {name!r}", {"known": preset_names()}
        ) from error


def master_chapter(
    samples: FloatAudio, spans: list[tuple[int, int]], rate_hz: int, preset_name: str
) -> tuple[FloatAudio, list[tuple[int, int]], AudioReport]:
    """(mastered samples, the chunk spans moved with the head's trim or padding, the report)."""
    mastered = master_audio(samples, rate_hz, preset_for(preset_name))
    return mastered.samples, mastered.moved(spans), mastered.report


def result_figures(processed: pipeline.ProcessedAudio, preset_name: str) -> tuple[QualityMetrics, AudioReport]:
    """The result's quality figures and audio report, measured once, while the file uploads. A
    chapter's report came from its mastering; any other job is measured here, without the loudness
    timeline (the book's chapter plot needs it; a job's result would pay a second BS.1770 pass)."""
    figures = pipeline.quality(processed)
    if processed.audio_report is not None:
        return figures, processed.audio_report
    measurement = measure(processed.samples, processed.sample_rate_hz, timeline=False)
    return figures, report(measurement, preset_for(preset_name))
