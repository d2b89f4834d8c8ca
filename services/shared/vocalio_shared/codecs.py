"""The audio formats Vocalio writes, in one table: media type, file extension, how each encoder makes it.

Both encoders read this table: the worker's (`vocalio_worker.audio.encode`, a job's stored file) and the
API's (`vocalio_api.openai_compat.encoders`, the answers of /v1/audio/speech). The public request values
are subsets of `Codec`: a job's `output_format` (`OutputFormat`: wav flac mp3 opus m4a) and OpenAI's
`response_format` (`SpeechFormat`: mp3 opus aac flac wav pcm).

Who writes a format: nobody but us when it is `direct` (wav, pcm: a header at most, then the PCM16
samples, `vocalio_audio.wav`); else libsndfile where `soundfile` names a writer this process's
libsndfile has; else ffmpeg.

A *file* is written directly, by libsndfile to memory or by ffmpeg to a seekable file, so every size,
length and index in its headers is right. A *stream* is ffmpeg writing to a pipe while the audio still
arrives (wav and pcm: the samples as they come); what a reader gets then is said per codec in
`CodecSpec.streamed`.
"""

from dataclasses import dataclass
from enum import StrEnum


class Codec(StrEnum):
    WAV = "wav"
    FLAC = "flac"
    MP3 = "mp3"
    OPUS = "opus"  # Opus in Ogg
    M4A = "m4a"  # AAC in MP4
    AAC = "aac"  # AAC in ADTS frames (OpenAI's "aac")
    PCM = "pcm"  # raw little-endian int16 mono, no header (OpenAI's "pcm")


@dataclass(frozen=True)
class CodecSpec:
    media_type: str
    extension: str
    ffmpeg_args: tuple[str, ...]  # output options, for a file and for a stream
    streamed: str  # what a reader of a stream (ffmpeg writing to a pipe) gets
    # True: written directly, no library: a header at most, then the PCM16 samples (`vocalio_audio.wav`)
    direct: bool = False
    soundfile: tuple[str, str] | None = None  # (format, subtype) when libsndfile can write it
    ffmpeg_file_args: tuple[str, ...] = ()  # added for a file only
    ffmpeg_stream_args: tuple[str, ...] = ()  # added for a stream only
    can_stream: bool = True  # False: the container needs a seekable output (MP4's index)
    # True: a stream lacks what common readers need (FLAC's total length), so /v1/audio/speech answers a
    # complete file unless the request asks for a stream.
    stream_needs_asking: bool = False


CODECS: dict[Codec, CodecSpec] = {
    Codec.WAV: CodecSpec(
        media_type="audio/wav",
        extension="wav",
        ffmpeg_args=("-c:a", "pcm_s16le", "-f", "wav"),
        ffmpeg_file_args=("-fflags", "+bitexact"),  # the plain 44-byte header: no LIST/INFO chunk
        direct=True,  # the plain 44-byte header with the real sizes, then the samples
        streamed="a 44-byte header whose sizes say unknown (0xFFFFFFFF, as OpenAI sends it), then the samples; "
        "readers read to the end of the data",
    ),
    Codec.FLAC: CodecSpec(
        media_type="audio/flac",
        extension="flac",
        ffmpeg_args=("-c:a", "flac", "-f", "flac"),
        soundfile=("FLAC", "PCM_16"),
        stream_needs_asking=True,
        streamed="STREAMINFO carries no total length (0: unknown, as FLAC allows) and no MD5; ffmpeg and browsers "
        "decode it, libsndfile (soundfile) refuses it",
    ),
    Codec.MP3: CodecSpec(
        media_type="audio/mpeg",
        extension="mp3",
        ffmpeg_args=("-c:a", "libmp3lame", "-b:a", "96k", "-f", "mp3"),
        soundfile=("MP3", "MPEG_LAYER_III"),
        streamed="frames without the Xing/LAME header: every reader decodes it, lengths come out about 50 ms "
        "longer (the encoder's delay and padding are not marked)",
    ),
    Codec.OPUS: CodecSpec(
        media_type="audio/ogg",
        extension="ogg",
        ffmpeg_args=("-c:a", "libopus", "-b:a", "48k", "-f", "ogg"),
        ffmpeg_stream_args=("-page_duration", "100000"),  # 100 ms Ogg pages: audio leaves soon after it is made
        soundfile=("OGG", "OPUS"),
        streamed="an ordinary Ogg Opus file (Ogg is made for streaming): every reader decodes it",
    ),
    Codec.M4A: CodecSpec(
        media_type="audio/mp4",
        extension="m4a",
        ffmpeg_args=("-c:a", "aac", "-b:a", "96k", "-f", "mp4"),
        ffmpeg_file_args=("-movflags", "+faststart"),  # index first: players start before the whole download
        can_stream=False,
        stream_needs_asking=True,
        streamed="not streamed: MP4 writes its index after the audio",
    ),
    Codec.AAC: CodecSpec(
        media_type="audio/aac",
        extension="aac",
        ffmpeg_args=("-c:a", "aac", "-b:a", "96k", "-f", "adts"),
        streamed="ADTS frames, the same as the file (ADTS has no global header): ffmpeg and browsers decode it; "
        "libsndfile (soundfile) reads no AAC at all",
    ),
    Codec.PCM: CodecSpec(
        media_type="audio/pcm",
        extension="pcm",
        ffmpeg_args=("-c:a", "pcm_s16le", "-f", "s16le"),
        direct=True,
        streamed="the same bytes as the file: raw int16 mono at the response's rate, no header (a reader must be "
        "told the rate; browsers cannot decode it)",
    ),
}


def codec_spec(audio_format: str) -> CodecSpec:
    """The table's row for a format value (`OutputFormat`, `SpeechFormat` or `Codec`: the values are shared)."""
    return CODECS[Codec(audio_format)]


def ffmpeg_encode_command(
    ffmpeg_exe: str, audio_format: str, sample_rate_hz: int, input_sample_format: str, output: str, *, stream: bool
) -> list[str]:
    """ffmpeg reading mono `input_sample_format` (f32le, s16le) on stdin, writing `output` (a path, or pipe:1)."""
    spec = codec_spec(audio_format)
    extra = (*spec.ffmpeg_stream_args, "-flush_packets", "1") if stream else spec.ffmpeg_file_args
    return [
        ffmpeg_exe, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", input_sample_format, "-ar", str(sample_rate_hz), "-ac", "1", "-i", "pipe:0",
        *spec.ffmpeg_args, *extra, output,
    ]  # fmt: skip


# A book's files (`vocalio_api.books.audiobook`): delivery quality for listeners and distributors,
# not the speech-sized defaults of the job files above. Every file is 44.1 kHz mono.
BOOK_SAMPLE_RATE_HZ = 44_100

# Per-chapter delivery files, by `ChapterFormat` value. mp3: CBR 192 kbit/s (ACX asks for CBR at
# 192 kbit/s or more); ffmpeg's libmp3lame is CBR whenever a bitrate is given without -q:a/-abr, and the
# mp3 muxer writes the Xing "Info" frame with the LAME tag (exact length, encoder delay and padding)
# because the output is a seekable file. flac and wav: 16-bit lossless.
BOOK_CHAPTER_FFMPEG_ARGS: dict[str, tuple[str, ...]] = {
    "mp3": ("-c:a", "libmp3lame", "-b:a", "192k", "-write_xing", "1", "-f", "mp3"),
    "flac": ("-c:a", "flac", "-sample_fmt", "s16", "-f", "flac"),
    "wav": ("-c:a", "pcm_s16le", "-f", "wav"),
}

# The AAC piece of one chapter inside the m4b: AAC-LC at 64 kbit/s mono, what Audible sells as its
# high quality for speech (about 29 MB an hour, so 12 hours stay near 350 MB); ffmpeg's own encoder
# (libfdk_aac is not in the imageio-ffmpeg build) is transparent enough for a voice at this rate.
BOOK_AAC_BITRATE_BPS = 64_000
# An AAC-LC frame holds 1024 samples and the encoder primes each stream with one frame of delay, so
# n samples (n a multiple of 1024) come back as exactly n + 1024. A chapter master therefore starts
# with AAC_FRAME_SAMPLES of silence and lasts a whole number of frames (the worker pads it); its AAC
# piece is encoded without that lead-in, and decodes to the master's exact length: the m4b's chapter
# marks fall at the summed chapter durations, with no drift however many chapters the book has.
AAC_FRAME_SAMPLES = 1024
# The encoder's "fast" coder, not its default "twoloop": on a speech chapter at 64 kbit/s mono it
# encodes 2.7x faster (35x against 13x real time, one core of a loaded 2-core machine; a one-off
# timing, not a bench script) and its decoded waveform is closer to the master (28 dB SNR against
# 21 dB: twoloop spends bits on noise substitution); FFmpeg made it the default from 2018 for the
# same reasons. The m4b is the one encode a book cannot avoid, and it runs beside the synthesis.
BOOK_AAC_FFMPEG_ARGS: tuple[str, ...] = (
    "-c:a", "aac", "-aac_coder", "fast", "-b:a", str(BOOK_AAC_BITRATE_BPS), "-f", "mp4",
)  # fmt: skip
