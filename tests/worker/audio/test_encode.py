"""Every format at every job sample rate, decoded back with real decoders (libsndfile, ffmpeg, Chromium)."""

import hashlib
import io
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile
from vocalio_shared.codecs import codec_spec
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import SUPPORTED_SAMPLE_RATES, OutputFormat
from vocalio_worker.audio.encode import EncodedAudio, EncoderTools, container_sample_rate_hz, encode_audio
from vocalio_worker.audio.pcm16 import from_pcm16
from vocalio_worker.audio.resample import resample

from tests.support.decoders import Chromium, chromium_fixture, ffmpeg_read, soundfile_read  # noqa: F401

DURATION_TOLERANCE_S = 0.06  # mp3/aac frame padding that decoders may not strip
DIRECT_FORMATS = [f for f in OutputFormat if codec_spec(f).direct]  # written by us, no library
LIBRARY_FORMATS = [f for f in OutputFormat if not codec_spec(f).direct]


def expected_encoder(output_format: OutputFormat, tools: EncoderTools) -> str:
    if codec_spec(output_format).direct:
        return "direct"
    return "soundfile" if output_format in tools.soundfile_formats else "ffmpeg"


def decode(encoded: EncodedAudio, workdir: Path) -> tuple[np.ndarray, int]:
    """soundfile for what libsndfile reads, ffmpeg (to a WAV file) for the rest."""
    if encoded.format != OutputFormat.M4A:
        samples, rate_hz = soundfile.read(io.BytesIO(encoded.data), dtype="float32")
        return samples, rate_hz
    source = encoded.write_to(workdir / "in.m4a")
    target = workdir / "out.wav"
    ffmpeg_exe = EncoderTools.detect().ffmpeg_exe
    assert ffmpeg_exe is not None
    subprocess.run([ffmpeg_exe, "-loglevel", "error", "-y", "-i", str(source), str(target)], check=True)
    samples, rate_hz = soundfile.read(target, dtype="float32")
    return samples, rate_hz


@pytest.fixture(scope="module")
def speech_by_rate(speech: np.ndarray) -> dict[int, np.ndarray]:
    clip = speech[: round(2.0 * 22050)] * np.float32(0.7)
    return {rate_hz: resample(clip, 22050, rate_hz) for rate_hz in SUPPORTED_SAMPLE_RATES}


def check_roundtrip(encoded: EncodedAudio, audio: np.ndarray, rate_hz: int, workdir: Path) -> None:
    decoded, decoded_rate_hz = decode(encoded, workdir)
    expected_rate_hz = container_sample_rate_hz(encoded.format, rate_hz)
    assert encoded.sample_rate_hz == expected_rate_hz
    assert decoded_rate_hz == expected_rate_hz
    assert decoded.ndim == 1  # mono
    assert abs(len(decoded) / decoded_rate_hz - len(audio) / rate_hz) < DURATION_TOLERANCE_S
    assert encoded.duration_s == pytest.approx(len(audio) / rate_hz, abs=1e-3)
    assert np.sqrt(np.mean(decoded**2)) > 0.3 * np.sqrt(np.mean(audio**2))  # audio, not silence
    assert encoded.sha256 == hashlib.sha256(encoded.data).hexdigest()
    assert encoded.size_bytes == len(encoded.data) > 0


@pytest.mark.parametrize("rate_hz", SUPPORTED_SAMPLE_RATES)
@pytest.mark.parametrize("output_format", list(OutputFormat))
def test_every_format_and_rate_decodes_back(
    output_format: OutputFormat, rate_hz: int, speech_by_rate: dict[int, np.ndarray], tmp_path: Path
) -> None:
    audio = speech_by_rate[rate_hz]
    encoded = encode_audio(audio, rate_hz, output_format)
    check_roundtrip(encoded, audio, rate_hz, tmp_path)
    assert DIRECT_FORMATS == [OutputFormat.WAV]
    assert encoded.encoder == expected_encoder(output_format, EncoderTools.detect())
    assert encoded.encoder == {OutputFormat.WAV: "direct", OutputFormat.M4A: "ffmpeg"}.get(output_format, "soundfile")


def test_lossless_formats_are_exact_to_16_bits(speech_by_rate: dict[int, np.ndarray], tmp_path: Path) -> None:
    audio = speech_by_rate[24000]
    for output_format in (OutputFormat.WAV, OutputFormat.FLAC):
        decoded, _ = decode(encode_audio(audio, 24000, output_format), tmp_path)
        assert np.max(np.abs(decoded - audio)) <= 1 / 32768 + 1e-7


def test_opus_at_a_non_opus_rate_is_resampled_and_reported(speech_by_rate: dict[int, np.ndarray]) -> None:
    encoded = encode_audio(speech_by_rate[44100], 44100, OutputFormat.OPUS)
    assert encoded.sample_rate_hz == 48000
    assert any("44100" in warning for warning in encoded.warnings)
    assert not encode_audio(speech_by_rate[24000], 24000, OutputFormat.OPUS).warnings


@pytest.mark.parametrize("rate_hz", [22050, 48000])
@pytest.mark.parametrize("output_format", [f for f in LIBRARY_FORMATS if f != OutputFormat.M4A])
def test_ffmpeg_fallback_when_libsndfile_lacks_the_format(
    output_format: OutputFormat, rate_hz: int, speech_by_rate: dict[int, np.ndarray], tmp_path: Path
) -> None:
    ffmpeg_only = EncoderTools(soundfile_formats=frozenset(), ffmpeg_exe=EncoderTools.detect().ffmpeg_exe)
    audio = speech_by_rate[rate_hz]
    encoded = encode_audio(audio, rate_hz, output_format, tools=ffmpeg_only)
    assert encoded.encoder == "ffmpeg"
    check_roundtrip(encoded, audio, rate_hz, tmp_path)


@pytest.mark.parametrize("output_format", LIBRARY_FORMATS)
def test_missing_encoder_names_the_format(output_format: OutputFormat) -> None:
    nothing = EncoderTools(soundfile_formats=frozenset(), ffmpeg_exe=None)
    with pytest.raises(VocalioError) as raised:
        encode_audio(np.zeros(1000, np.float32), 24000, output_format, tools=nothing)
    assert raised.value.code == ErrorCode.ENCODER_MISSING
    assert output_format.value in raised.value.message
    assert raised.value.context["format"] == output_format.value


@pytest.mark.parametrize("output_format", DIRECT_FORMATS)
def test_direct_formats_need_neither_libsndfile_nor_ffmpeg(output_format: OutputFormat) -> None:
    nothing = EncoderTools(soundfile_formats=frozenset(), ffmpeg_exe=None)
    assert nothing.can_encode(output_format)
    encoded = encode_audio(np.full(1000, 0.25, np.float32), 24000, output_format, tools=nothing)
    assert encoded.encoder == "direct" and encoded.size_bytes > 0


def test_m4a_needs_ffmpeg_even_with_libsndfile() -> None:
    soundfile_only = EncoderTools(soundfile_formats=EncoderTools.detect().soundfile_formats, ffmpeg_exe=None)
    encode_audio(np.zeros(1000, np.float32), 24000, OutputFormat.WAV, tools=soundfile_only)
    with pytest.raises(VocalioError, match="m4a"):
        encode_audio(np.zeros(1000, np.float32), 24000, OutputFormat.M4A, tools=soundfile_only)


def test_out_of_range_samples_clip_instead_of_wrapping(tmp_path: Path) -> None:
    loud = np.full(2400, 1.7, np.float32)
    decoded, _ = decode(encode_audio(loud, 24000, OutputFormat.WAV), tmp_path)
    assert np.all(decoded > 0.99)
    written = encode_audio(loud, 24000, OutputFormat.FLAC).write_to(tmp_path / "x.flac")
    assert written.stat().st_size > 0


# --- every stored file, read by the three decoders a user has: libsndfile, ffmpeg, a browser ---

WITH_FFMPEG_ONLY = "ffmpeg-only"


def encoder_tools(which: str) -> EncoderTools:
    detected = EncoderTools.detect()
    return detected if which != WITH_FFMPEG_ONLY else EncoderTools(frozenset(), detected.ffmpeg_exe)


@pytest.mark.parametrize("which_tools", ["detected", WITH_FFMPEG_ONLY])
@pytest.mark.parametrize("output_format", list(OutputFormat))
def test_every_stored_file_is_read_by_soundfile_ffmpeg_and_chromium(
    output_format: OutputFormat, which_tools: str, speech_by_rate: dict[int, np.ndarray], chromium: Chromium
) -> None:
    audio = speech_by_rate[24000]
    expected_s = len(audio) / 24000
    encoded = encode_audio(audio, 24000, output_format, tools=encoder_tools(which_tools))
    if output_format == OutputFormat.M4A:  # libsndfile has no AAC decoder at all (nor an MP4 reader)
        with pytest.raises(soundfile.LibsndfileError):
            soundfile_read(encoded.data)
    else:
        samples, rate_hz = soundfile_read(encoded.data)
        assert rate_hz == 24000 and abs(len(samples) / rate_hz - expected_s) < DURATION_TOLERANCE_S
    samples, rate_hz = ffmpeg_read(encoded.data)
    assert abs(len(samples) / rate_hz - expected_s) < DURATION_TOLERANCE_S
    decoded = chromium.decode(encoded.data, codec_spec(output_format).media_type)
    assert abs(decoded.duration_s - expected_s) < DURATION_TOLERANCE_S and decoded.peak > 0.1
    # the <audio> element knows the length from the file itself: the headers are complete
    assert decoded.element_duration_s is not None and abs(decoded.element_duration_s - expected_s) < 0.1


@pytest.mark.parametrize("which_tools", ["detected", WITH_FFMPEG_ONLY])
def test_stored_file_headers_carry_the_real_length(which_tools: str, speech_by_rate: dict[int, np.ndarray]) -> None:
    audio = speech_by_rate[24000]
    tools = encoder_tools(which_tools)
    wav = encode_audio(audio, 24000, OutputFormat.WAV, tools=tools).data
    assert struct.unpack("<I", wav[4:8])[0] == len(wav) - 8
    data_at = wav.index(b"data")
    assert struct.unpack("<I", wav[data_at + 4 : data_at + 8])[0] == len(audio) * 2 == len(wav) - data_at - 8
    flac = encode_audio(audio, 24000, OutputFormat.FLAC, tools=tools).data
    assert flac_total_samples(flac) == len(audio)  # a stream's FLAC says 0 here; soundfile refuses that
    m4a = encode_audio(audio, 24000, OutputFormat.M4A, tools=tools).data
    assert m4a.index(b"moov") < m4a.index(b"mdat")  # index first: playable before the download ends


def flac_total_samples(flac: bytes) -> int:
    """STREAMINFO (the first metadata block) holds the total sample count in 36 bits."""
    assert flac[:4] == b"fLaC" and flac[4] & 0x7F == 0  # block type 0: STREAMINFO
    info = flac[8:42]
    return ((info[13] & 0x0F) << 32) | int.from_bytes(info[14:18], "big")


# --- WAV, written directly: the 44-byte RIFF header, then the samples rounded to PCM16 ---


def rounded_pcm16(audio: np.ndarray) -> np.ndarray:
    """What the file must hold: each sample × 32768, rounded to nearest, clipped to int16."""
    return np.clip(np.rint(audio.astype(np.float64) * 32768), -32768, 32767).astype("<i2")


@pytest.mark.parametrize("rate_hz", SUPPORTED_SAMPLE_RATES)
def test_direct_wav_has_right_sizes_and_decodes_to_the_same_samples_everywhere(
    rate_hz: int, speech_by_rate: dict[int, np.ndarray]
) -> None:
    audio = speech_by_rate[rate_hz]
    wav = encode_audio(audio, rate_hz, OutputFormat.WAV).data
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt " and wav[36:40] == b"data"
    assert struct.unpack("<I", wav[4:8])[0] == len(wav) - 8
    fmt = struct.unpack("<IHHIIHH", wav[16:36])  # chunk size, PCM, channels, rate, bytes/s, block, bits
    assert fmt == (16, 1, 1, rate_hz, 2 * rate_hz, 2, 16)
    assert struct.unpack("<I", wav[40:44])[0] == 2 * len(audio) == len(wav) - 44
    expected = rounded_pcm16(audio)
    assert wav[44:] == expected.tobytes()
    by_soundfile, soundfile_rate_hz = soundfile_read(wav)
    by_ffmpeg, ffmpeg_rate_hz = ffmpeg_read(wav)
    assert soundfile_rate_hz == ffmpeg_rate_hz == rate_hz
    # int16 / 32768 is exact in float32: both decoders give back exactly the written samples
    np.testing.assert_array_equal(by_soundfile, expected / np.float32(32768))
    np.testing.assert_array_equal(by_ffmpeg, by_soundfile)
    assert np.max(np.abs(by_soundfile - audio)) <= 0.5 / 32768 + 1e-9  # rounded, not floored


def test_direct_wav_keeps_a_streamed_jobs_pcm16_exactly_and_clips_the_rest() -> None:
    every_int16 = np.arange(-32768, 32768, dtype="<i2").tobytes()
    wav = encode_audio(from_pcm16(every_int16), 24000, OutputFormat.WAV).data
    assert wav[44:] == every_int16  # the stored file of a streamed job: the pieces it sent
    loud = np.array([1.7, -1.7, 1.0, -1.0, 0.99999, -0.99999, 0.0], np.float32)
    samples = np.frombuffer(encode_audio(loud, 24000, OutputFormat.WAV).data[44:], "<i2")
    assert samples.tolist() == [32767, -32768, 32767, -32768, 32767, -32768, 0]
