"""Signals with known properties for the mastering tests: levels, lengths and noise are exact by
construction, so a measurement can be compared with the number it must give."""

import functools

import numpy as np
from vocalio_audio.types import FloatAudio

RATE = 44100


def at_rms(audio: np.ndarray, rms_dbfs: float) -> FloatAudio:
    return (audio / np.sqrt(np.mean(audio.astype(np.float64) ** 2)) * 10 ** (rms_dbfs / 20)).astype(np.float32)


def sine(seconds: float, peak_dbfs: float, hz: float = 997.0, rate: int = RATE, phase: float = 0.0) -> FloatAudio:
    t = np.arange(round(seconds * rate)) / rate
    return (10 ** (peak_dbfs / 20) * np.sin(2 * np.pi * hz * t + phase)).astype(np.float32)


def voiced(seconds: float, rms_dbfs: float, rate: int = RATE) -> FloatAudio:
    """Speech-like: a 150 Hz harmonic series under a 4 Hz syllable envelope, at an exact RMS."""
    t = np.arange(round(seconds * rate)) / rate
    tone = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 12))
    envelope = np.abs(np.sin(np.pi * 4 * t)) ** 0.6
    return at_rms(tone * envelope, rms_dbfs)


def noise(seconds: float, rms_dbfs: float, seed: int = 7, rate: int = RATE) -> FloatAudio:
    return at_rms(np.random.default_rng(seed).standard_normal(round(seconds * rate)), rms_dbfs)


def silence(seconds: float, rate: int = RATE) -> FloatAudio:
    return np.zeros(round(seconds * rate), np.float32)


def chapter(
    speech_dbfs: float = -20.0,
    noise_dbfs: float | None = None,
    head_s: float = 0.75,
    tail_s: float = 2.0,
    sentences: int = 6,
    rate: int = RATE,
) -> FloatAudio:
    """Sentences of 2 s with 0.8 s pauses between; `noise_dbfs` noise everywhere (room noise). A
    fresh copy each call (tests change it); made once per set of arguments."""
    return _chapter(speech_dbfs, noise_dbfs, head_s, tail_s, sentences, rate).copy()


@functools.cache
def _chapter(
    speech_dbfs: float = -20.0,
    noise_dbfs: float | None = None,
    head_s: float = 0.75,
    tail_s: float = 2.0,
    sentences: int = 6,
    rate: int = RATE,
) -> FloatAudio:
    parts = [silence(head_s, rate)]
    for index in range(sentences):
        if index:
            parts.append(silence(0.8, rate))
        parts.append(voiced(2.0, speech_dbfs, rate))
    parts.append(silence(tail_s, rate))
    audio = np.concatenate(parts)
    if noise_dbfs is not None:
        audio = audio + noise(audio.size / rate, noise_dbfs, rate=rate)
    return audio.astype(np.float32)
