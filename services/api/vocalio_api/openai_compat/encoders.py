"""Encode a stream of PCM16 pieces into the asked format while it flows.

pcm: the pieces as they are. wav: a header whose sizes say "unknown" (0xFFFFFFFF, as OpenAI does),
then the pieces. mp3/opus/aac/flac: an ffmpeg subprocess (the binary from `imageio-ffmpeg`) fed
the pieces on stdin while its stdout goes to the client, so neither side waits for the end.
"""

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator
from enum import StrEnum
from functools import cache

READ_BYTES = 16 * 1024
UNKNOWN_SIZE = 0xFFFFFFFF


class SpeechFormat(StrEnum):
    """OpenAI's response_format values."""

    MP3 = "mp3"
    OPUS = "opus"
    AAC = "aac"
    FLAC = "flac"
    WAV = "wav"
    PCM = "pcm"


MEDIA_TYPES: dict[SpeechFormat, str] = {
    SpeechFormat.MP3: "audio/mpeg",
    SpeechFormat.OPUS: "audio/ogg",
    SpeechFormat.AAC: "audio/aac",
    SpeechFormat.FLAC: "audio/flac",
    SpeechFormat.WAV: "audio/wav",
    SpeechFormat.PCM: "audio/pcm",
}

FFMPEG_ARGS: dict[SpeechFormat, list[str]] = {
    SpeechFormat.MP3: ["-c:a", "libmp3lame", "-b:a", "96k", "-f", "mp3"],
    SpeechFormat.OPUS: ["-c:a", "libopus", "-b:a", "48k", "-page_duration", "100000", "-f", "ogg"],
    SpeechFormat.AAC: ["-c:a", "aac", "-b:a", "96k", "-f", "adts"],
    SpeechFormat.FLAC: ["-c:a", "flac", "-f", "flac"],
}


def streaming_wav_header(sample_rate_hz: int, channels: int = 1, bits: int = 16) -> bytes:
    """RIFF/WAVE header for a PCM stream of unknown length (players read until the stream ends)."""
    block_align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, sample_rate_hz, sample_rate_hz * block_align, block_align, bits)
    return (
        b"RIFF"
        + struct.pack("<I", UNKNOWN_SIZE)
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + (struct.pack("<I", UNKNOWN_SIZE))
    )


@cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


async def encode_stream(
    pieces: AsyncIterator[bytes], speech_format: SpeechFormat, sample_rate_hz: int
) -> AsyncIterator[bytes]:
    """Encoded bytes as soon as the encoder has them; closing this generator stops the encoder."""
    if speech_format == SpeechFormat.PCM:
        async for piece in pieces:
            yield piece
        return
    if speech_format == SpeechFormat.WAV:
        yield streaming_wav_header(sample_rate_hz)
        async for piece in pieces:
            yield piece
        return
    async for data in _ffmpeg_stream(pieces, speech_format, sample_rate_hz):
        yield data


async def _ffmpeg_stream(
    pieces: AsyncIterator[bytes], speech_format: SpeechFormat, sample_rate_hz: int
) -> AsyncIterator[bytes]:
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "s16le", "-ar", str(sample_rate_hz), "-ac", "1", "-i", "pipe:0",
        *FFMPEG_ARGS[speech_format], "-flush_packets", "1", "pipe:1",
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    feed_error: list[BaseException] = []

    async def feed() -> None:
        assert process.stdin is not None
        try:
            async for piece in pieces:
                process.stdin.write(piece)
                await process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass
        except BaseException as error:  # the relay failed (job failed, timed out): the client must see it
            feed_error.append(error)
        finally:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                process.stdin.close()

    feeder = asyncio.create_task(feed())
    stderr_reader = asyncio.create_task(process.stderr.read())
    try:
        while data := await process.stdout.read(READ_BYTES):
            yield data
        await feeder
        if feed_error:
            raise feed_error[0]
        if await process.wait() != 0:
            raise RuntimeError(f"ffmpeg failed: {(await stderr_reader).decode(errors='replace')[-300:]}")
    finally:
        feeder.cancel()
        if process.returncode is None:
            process.kill()
        with contextlib.suppress(Exception):
            await process.wait()
        stderr_reader.cancel()
