import numpy as np
import pytest
from vocalio_shared.schemas.jobs import SUPPORTED_SAMPLE_RATES
from vocalio_worker.audio.resample import resample


def tone(frequency_hz: float, rate_hz: int, seconds: float) -> np.ndarray:
    time_s = np.arange(int(rate_hz * seconds)) / rate_hz
    return (0.5 * np.sin(2 * np.pi * frequency_hz * time_s)).astype(np.float32)


def dominant_frequency_hz(audio: np.ndarray, rate_hz: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    return float(np.fft.rfftfreq(len(audio), 1 / rate_hz)[np.argmax(spectrum)])


@pytest.mark.parametrize("to_rate_hz", SUPPORTED_SAMPLE_RATES)
def test_resample_keeps_duration_and_pitch(to_rate_hz: int) -> None:
    source = tone(440.0, 22050, 1.0)
    converted = resample(source, 22050, to_rate_hz)
    assert converted.dtype == np.float32
    assert abs(len(converted) - to_rate_hz) <= 1
    assert abs(dominant_frequency_hz(converted, to_rate_hz) - 440.0) < 2.0
    assert 0.45 < np.abs(converted[100:-100]).max() < 0.55


def test_same_rate_and_empty_are_passthrough() -> None:
    source = tone(300.0, 24000, 0.1)
    assert np.array_equal(resample(source, 24000, 24000), source)
    assert resample(np.zeros(0, np.float32), 22050, 48000).size == 0
    with pytest.raises(ValueError):
        resample(source, 0, 24000)
