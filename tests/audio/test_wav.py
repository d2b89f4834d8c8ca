"""The direct formats' writer: WAV headers for files and streams, raw PCM16."""

import io
import struct

import numpy as np
import pytest
import soundfile
from vocalio_audio.wav import MAX_DATA_BYTES, UNKNOWN_SIZE, WAV_HEADER_BYTES, direct_file, wav_header


def test_a_file_header_carries_the_real_sizes() -> None:
    pcm = np.arange(-500, 500, dtype="<i2").tobytes()
    wav = direct_file("wav", pcm, 16000)
    assert len(wav) == WAV_HEADER_BYTES + len(pcm) and wav[WAV_HEADER_BYTES:] == pcm
    assert struct.unpack("<4sI4s", wav[:12]) == (b"RIFF", len(wav) - 8, b"WAVE")
    assert struct.unpack("<4sIHHIIHH", wav[12:36]) == (b"fmt ", 16, 1, 1, 16000, 32000, 2, 16)
    assert struct.unpack("<4sI", wav[36:44]) == (b"data", len(pcm))
    samples, rate_hz = soundfile.read(io.BytesIO(wav), dtype="int16")
    assert rate_hz == 16000 and samples.tobytes() == pcm


def test_a_stream_header_says_unknown_sizes() -> None:
    header = wav_header(24000, None)
    assert len(header) == WAV_HEADER_BYTES
    assert struct.unpack("<I", header[4:8])[0] == struct.unpack("<I", header[40:44])[0] == UNKNOWN_SIZE


def test_pcm_is_the_samples_alone_and_other_formats_are_not_direct() -> None:
    pcm = b"\x01\x00\xff\x7f"
    assert direct_file("pcm", pcm, 24000) == pcm
    with pytest.raises(ValueError, match="flac"):
        direct_file("flac", pcm, 24000)


def test_sizes_beyond_32_bits_are_refused() -> None:
    assert struct.unpack("<I", wav_header(48000, MAX_DATA_BYTES)[4:8])[0] == UNKNOWN_SIZE - 1
    with pytest.raises(ValueError, match="at most"):
        wav_header(48000, MAX_DATA_BYTES + 1)
