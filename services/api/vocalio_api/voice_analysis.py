"""Decode, validate and measure an uploaded reference voice. Each refusal has its own error code.

A cloning engine copies whatever it hears, so a reference must be clean speech of a useful length,
with a transcript that matches it: the checks below refuse what would make a bad clone.
"""

import io
import re
import subprocess
from dataclasses import dataclass

import imageio_ffmpeg
import numpy as np
import soundfile
from vocalio_audio.decode import decode_to_wav
from vocalio_audio.metrics import active_ratio, clipping_rate, estimate_snr_db, integrated_loudness_lufs
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.voices import (
    VOICE_MAX_DURATION_S,
    VOICE_MIN_DURATION_S,
    VOICE_MIN_SAMPLE_RATE_HZ,
    VoiceAnalysis,
)
from vocalio_text import detect_region

MAX_CLIPPING_RATE = 0.001  # 0.1 % of samples clipped is audible distortion the clone would copy
MIN_ACTIVE_RATIO = 0.3  # under 30 % speech frames, the engine learns more silence than voice
MIN_CHARS_PER_S = 3.0  # slower than this the transcript misses words (or the clip is mostly pauses)
MAX_CHARS_PER_S = 30.0  # faster than this no one speaks: the transcript has text the audio lacks
MAX_TRANSCRIPT_CHARS = 1000
# ffmpeg decodes at most this much: past VOICE_MAX_DURATION_S a clip is refused as too long anyway.
FFMPEG_DECODE_MAX_S = 2 * VOICE_MAX_DURATION_S
# soundfile decodes at most this many samples (all channels; 46 MB as float32, 60 s of 96 kHz
# stereo): a few hundred KB of FLAC silence declares hours, which decoded whole would take GBs.
MAX_DECODED_SAMPLES = int(FFMPEG_DECODE_MAX_S * 96_000 * 2)
# Letters (any script), digits, spaces and a few separators; nothing a path or a shell would read.
_NAME = re.compile(r"^[^\W_][\w .'()\-]{0,99}$")


@dataclass(frozen=True)
class CheckedVoice:
    mono_wav: bytes
    analysis: VoiceAnalysis


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not _NAME.fullmatch(cleaned) or ".." in cleaned:
        raise VocalioError(
            ErrorCode.VOICE_NAME_INVALID,
            "name must be 1-100 letters, digits, spaces or . ' ( ) - _ and no path characters",
            {"name": name[:120]},
        )
    return cleaned


def check_transcript(transcript: str) -> str:
    cleaned = " ".join(transcript.split())
    if not cleaned:
        raise VocalioError(ErrorCode.VOICE_TRANSCRIPT_EMPTY, "the exact transcript of the clip is required")
    if len(cleaned) > MAX_TRANSCRIPT_CHARS:
        raise VocalioError(
            ErrorCode.VOICE_TRANSCRIPT_IMPLAUSIBLE,
            f"transcript has {len(cleaned)} characters; a reference clip of at most "
            f"{VOICE_MAX_DURATION_S:.0f} s holds far fewer",
            {"transcript_chars": len(cleaned), "max_transcript_chars": MAX_TRANSCRIPT_CHARS},
        )
    return cleaned


def _too_long(duration_s: float) -> VocalioError:
    return VocalioError(
        ErrorCode.VOICE_TOO_LONG,
        f"clip is {duration_s:.1f} s; at most {VOICE_MAX_DURATION_S:.0f} s (engines clip longer references)",
        {"duration_s": round(duration_s, 3), "max_duration_s": VOICE_MAX_DURATION_S},
    )


def _read(payload: bytes) -> tuple[FloatAudio, int]:
    """Decode at most MAX_DECODED_SAMPLES: a clip whose header declares more than the longest
    reference is refused before any decoding, one that declares nothing is cut at the bound."""
    with soundfile.SoundFile(io.BytesIO(payload)) as source:
        sample_rate, channels = int(source.samplerate), max(int(source.channels), 1)
        if source.frames > 0 and source.frames / sample_rate > VOICE_MAX_DURATION_S:
            raise _too_long(source.frames / sample_rate)
        max_frames = MAX_DECODED_SAMPLES // channels
        audio = source.read(frames=max_frames + 1, dtype="float32", always_2d=True)
    if len(audio) > max_frames:
        raise _too_long(len(audio) / sample_rate)
    return audio, sample_rate


def _decode(payload: bytes) -> tuple[FloatAudio, int]:
    """soundfile first (WAV, FLAC, OGG, MP3: no process to start); what it cannot open (a browser's
    WebM/Opus recording, M4A) goes through ffmpeg to WAV."""
    try:
        audio, sample_rate = _read(payload)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as soundfile_error:
        try:
            wav = decode_to_wav(imageio_ffmpeg.get_ffmpeg_exe(), payload, FFMPEG_DECODE_MAX_S)
            audio, sample_rate = _read(wav)
        except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired, soundfile.LibsndfileError) as error:
            raise VocalioError(
                ErrorCode.VOICE_NOT_AUDIO,
                "the file is not audio this server can decode (WAV, FLAC, OGG/Opus, MP3, WebM/Opus, M4A)",
                {"decoder": str(soundfile_error)[:200], "ffmpeg": str(error)[:200]},
            ) from None
    if audio.size == 0:
        raise VocalioError(ErrorCode.VOICE_NOT_AUDIO, "the file holds no audio samples")
    return audio, int(sample_rate)


def check_audio(payload: bytes, transcript: str) -> CheckedVoice:
    audio, sample_rate = _decode(payload)
    warnings: list[str] = []
    if sample_rate < VOICE_MIN_SAMPLE_RATE_HZ:
        raise VocalioError(
            ErrorCode.VOICE_SAMPLE_RATE_TOO_LOW,
            f"sample rate {sample_rate} Hz is below {VOICE_MIN_SAMPLE_RATE_HZ} Hz",
            {"sample_rate_hz": sample_rate, "min_sample_rate_hz": VOICE_MIN_SAMPLE_RATE_HZ},
        )
    channels = audio.shape[1]
    mono = audio.mean(axis=1).astype(np.float32) if channels > 1 else audio[:, 0]
    if channels > 1:
        warnings.append(f"downmixed {channels} channels to mono")
    duration_s = len(mono) / sample_rate
    if duration_s < VOICE_MIN_DURATION_S:
        raise VocalioError(
            ErrorCode.VOICE_TOO_SHORT,
            f"clip is {duration_s:.2f} s; at least {VOICE_MIN_DURATION_S:.0f} s of speech is needed",
            {"duration_s": round(duration_s, 3), "min_duration_s": VOICE_MIN_DURATION_S},
        )
    if duration_s > VOICE_MAX_DURATION_S:
        raise _too_long(duration_s)
    clipped = clipping_rate(mono)
    if clipped > MAX_CLIPPING_RATE:
        raise VocalioError(
            ErrorCode.VOICE_CLIPPING,
            f"{clipped:.2%} of samples are clipped; record with more headroom",
            {"clipping_rate": round(clipped, 5), "max_clipping_rate": MAX_CLIPPING_RATE},
        )
    active = active_ratio(mono, sample_rate)
    if active < MIN_ACTIVE_RATIO:
        raise VocalioError(
            ErrorCode.VOICE_MOSTLY_SILENCE,
            f"only {active:.0%} of the clip is sound; trim the silence",
            {"active_ratio": round(active, 3), "min_active_ratio": MIN_ACTIVE_RATIO},
        )
    spoken_chars = len(transcript.replace(" ", ""))
    rate_cps = spoken_chars / duration_s
    if not MIN_CHARS_PER_S <= rate_cps <= MAX_CHARS_PER_S:
        raise VocalioError(
            ErrorCode.VOICE_TRANSCRIPT_IMPLAUSIBLE,
            f"transcript length does not fit the clip: {rate_cps:.1f} characters per second",
            {"chars_per_second": round(rate_cps, 2), "bounds": [MIN_CHARS_PER_S, MAX_CHARS_PER_S]},
        )
    region = detect_region(transcript)
    loudness = integrated_loudness_lufs(mono, sample_rate)
    peak = float(np.max(np.abs(mono)))
    analysis = VoiceAnalysis(
        duration_s=round(duration_s, 3),
        sample_rate_hz=sample_rate,
        original_channels=channels,
        loudness_lufs=None if not np.isfinite(loudness) else round(loudness, 2),
        peak_dbfs=round(20 * np.log10(peak), 2) if peak > 0 else -120.0,
        snr_db=round(estimate_snr_db(mono, sample_rate), 2),
        clipping_rate=round(clipped, 6),
        active_ratio=round(active, 3),
        speech_rate_cps=round(spoken_chars / duration_s, 2),
        detected_region=region.region,
        region_confidence=round(region.confidence, 3),
        region_markers=list(region.markers),
        warnings=warnings,
    )
    buffer = io.BytesIO()
    soundfile.write(buffer, mono, sample_rate, format="WAV", subtype="PCM_16")
    return CheckedVoice(mono_wav=buffer.getvalue(), analysis=analysis)
