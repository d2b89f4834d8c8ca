"""The formats written without any library (the codec table's `direct`): WAV, the plain 44-byte RIFF
header then the PCM16 samples, and raw PCM16 (the samples alone).

Both are a header at most in front of little-endian int16 samples, so neither libsndfile nor ffmpeg
has anything to add: the worker writes a WAV job's file here, and the API its wav and pcm answers.
"""

import struct

from vocalio_shared.codecs import Codec

WAV_HEADER_BYTES = 44
UNKNOWN_SIZE = 0xFFFFFFFF  # a stream's sizes: readers read to the end of the data (as OpenAI sends it)
MAX_DATA_BYTES = UNKNOWN_SIZE - 1 - (WAV_HEADER_BYTES - 8)  # the RIFF size is 32 bits, all ones is "unknown"


def wav_header(sample_rate_hz: int, data_bytes: int | None, channels: int = 1, bits: int = 16) -> bytes:
    """RIFF/WAVE PCM header; `data_bytes=None` for a stream of unknown length (readers read to the end)."""
    if data_bytes is not None and not 0 <= data_bytes <= MAX_DATA_BYTES:
        raise ValueError(f"a WAV file holds at most {MAX_DATA_BYTES} bytes of samples, not {data_bytes}")
    block_align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, sample_rate_hz, sample_rate_hz * block_align, block_align, bits)
    data_size = UNKNOWN_SIZE if data_bytes is None else data_bytes
    riff_size = UNKNOWN_SIZE if data_bytes is None else WAV_HEADER_BYTES - 8 + data_bytes
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
    )


def direct_file(audio_format: str, pcm16: bytes, sample_rate_hz: int) -> bytes:
    """A complete file of a direct format from mono PCM16 (little-endian int16) samples."""
    codec = Codec(audio_format)
    if codec == Codec.WAV:
        # Mono 16-bit data is always of even length, so the data chunk needs no pad byte.
        return wav_header(sample_rate_hz, len(pcm16)) + pcm16
    if codec == Codec.PCM:
        return pcm16
    raise ValueError(f"{codec.value} is not written directly")
