"""The bytes of a /v1/audio/speech answer, made from the job's PCM16 pieces by the codec table
(`vocalio_shared.codecs`: the worker's file encoder reads the same table).

A file (`encode_file`, the default answer): the whole audio at once, so every header is right.
pcm and wav are written directly (`vocalio_audio.wav`): the samples, after a header with the real sizes
for wav. mp3/opus/aac/flac: ffmpeg (the binary from `imageio-ffmpeg`) writing a temporary file it can
seek back in.

A stream (`encode_stream`, `stream: true`): bytes while the audio is still made. pcm: the pieces as they
are. wav: a header whose sizes say "unknown" (0xFFFFFFFF, as OpenAI does), then the pieces.
mp3/opus/aac/flac: ffmpeg fed the pieces on stdin while its stdout goes to the client, so neither side
waits for the end; what a reader gets per format is `CodecSpec.streamed`.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import cache

from vocalio_audio import ffmpeg
from vocalio_audio.wav import direct_file, wav_header
from vocalio_shared.codecs import Codec, codec_spec, ffmpeg_encode_command

READ_BYTES = 16 * 1024


@cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


async def encode_file(pcm: bytes, speech_format: str, sample_rate_hz: int) -> bytes:
    """The whole PCM16 mono audio as one complete file of `speech_format`."""
    codec = Codec(speech_format)
    if codec_spec(codec).direct:
        return direct_file(codec, pcm, sample_rate_hz)
    return await asyncio.to_thread(ffmpeg.encode_file, ffmpeg_exe(), pcm, "s16le", codec.value, sample_rate_hz)


async def encode_stream(pieces: AsyncIterator[bytes], speech_format: str, sample_rate_hz: int) -> AsyncIterator[bytes]:
    """Encoded bytes as soon as the encoder has them; closing this generator stops the encoder."""
    codec = Codec(speech_format)
    if not codec_spec(codec).can_stream:
        raise ValueError(f"{codec.value} cannot be streamed")
    if codec == Codec.PCM:
        async for piece in pieces:
            yield piece
        return
    if codec == Codec.WAV:
        yield wav_header(sample_rate_hz, None)
        async for piece in pieces:
            yield piece
        return
    async for data in _ffmpeg_stream(pieces, codec, sample_rate_hz):
        yield data


async def _ffmpeg_stream(pieces: AsyncIterator[bytes], codec: Codec, sample_rate_hz: int) -> AsyncIterator[bytes]:
    command = ffmpeg_encode_command(ffmpeg_exe(), codec, sample_rate_hz, "s16le", "pipe:1", stream=True)
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
