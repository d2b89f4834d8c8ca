"""What a reader gets: every format of /v1/audio/speech (a file, and a stream) and of a job's stored file,
read by libsndfile (soundfile, the common Python reader), by ffmpeg, and by Chromium's decoders."""

import struct

import httpx
import pytest
import soundfile
from vocalio_api.openai_compat.schemas import SpeechFormat
from vocalio_shared.codecs import CODECS, Codec, codec_spec
from vocalio_shared.schemas.jobs import OutputFormat

from tests.e2e.openai.conftest import Stack
from tests.support.decoders import Chromium, chromium_fixture, ffmpeg_read, soundfile_read  # noqa: F401

TEXT = "Hola, ¿qué tal? Hoy leemos un cuento corto."
RATE_HZ = 24000
TOLERANCE_S = 0.08  # mp3/aac encoder delay and padding that a decoder may keep (a stream has no LAME header)
SPEECH_FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"]
PCM_PARAMS = {"samplerate": RATE_HZ, "channels": 1, "subtype": "PCM_16", "format": "RAW"}  # pcm has no header


def test_both_request_vocabularies_are_rows_of_the_one_codec_table() -> None:
    assert {f.value for f in OutputFormat} | {f.value for f in SpeechFormat} == {c.value for c in Codec} == set(CODECS)
    assert all(codec_spec(f).can_stream for f in SpeechFormat)  # `stream: true` works for every response_format
    assert [f.value for f in SpeechFormat] == SPEECH_FORMATS  # OpenAI's names, unchanged


def speak(stack: Stack, response_format: str, stream: bool) -> tuple[httpx.Response, float]:
    """The answer, and the length of the job's audio (what every reader must find)."""
    body = {"model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": response_format, "stream": stream}
    response = stack.http.post("/v1/audio/speech", json=body, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == codec_spec(response_format).media_type
    job = stack.wait(response.headers["x-vocalio-job-id"])
    assert job["status"] == "succeeded", job
    return response, float(job["result"]["duration_s"])


@pytest.mark.parametrize("response_format", SPEECH_FORMATS)
def test_a_speech_file_is_complete_for_every_reader(stack: Stack, chromium: Chromium, response_format: str) -> None:
    response, duration_s = speak(stack, response_format, stream=False)
    data = response.content
    assert response.headers["content-length"] == str(len(data))
    raw = PCM_PARAMS if response_format == "pcm" else {}
    if response_format == "aac":  # libsndfile reads no AAC at all: ffmpeg and the browser below do
        with pytest.raises(soundfile.LibsndfileError):
            soundfile_read(data)
    else:
        samples, rate_hz = soundfile_read(data, **raw)
        assert rate_hz == RATE_HZ and abs(len(samples) / rate_hz - duration_s) < TOLERANCE_S
    samples, rate_hz = ffmpeg_read(data, RATE_HZ if response_format == "pcm" else None)
    assert abs(len(samples) / rate_hz - duration_s) < TOLERANCE_S
    if response_format == "wav":
        assert struct.unpack("<I", data[40:44])[0] == len(data) - 44  # the data chunk's real size
    if response_format == "pcm":  # headerless samples: a browser has no decoder for them (no container to sniff)
        with pytest.raises(AssertionError, match="could not decode"):
            chromium.decode(data, "audio/pcm")
        return
    decoded = chromium.decode(data, codec_spec(response_format).media_type)
    assert abs(decoded.duration_s - duration_s) < TOLERANCE_S and decoded.peak > 0.05
    assert decoded.element_duration_s is not None and abs(decoded.element_duration_s - duration_s) < 0.15


@pytest.mark.parametrize("response_format", SPEECH_FORMATS)
def test_a_speech_stream_is_what_the_codec_table_says(stack: Stack, chromium: Chromium, response_format: str) -> None:
    response, duration_s = speak(stack, response_format, stream=True)
    data = response.content
    assert "content-length" not in response.headers  # chunked: the length is not known when the first byte goes
    raw = PCM_PARAMS if response_format == "pcm" else {}
    if response_format in ("aac", "flac"):
        # aac: libsndfile reads no AAC. flac: STREAMINFO says 0 samples (the encoder wrote it before the audio
        # existed and could not seek back), which libsndfile refuses; ask `stream: false` for a file it reads.
        with pytest.raises((soundfile.LibsndfileError, ValueError, RuntimeError)):
            soundfile_read(data)
    else:
        samples, rate_hz = soundfile_read(data, **raw)
        assert rate_hz == RATE_HZ and abs(len(samples) / rate_hz - duration_s) < TOLERANCE_S
    samples, rate_hz = ffmpeg_read(data, RATE_HZ if response_format == "pcm" else None)
    assert abs(len(samples) / rate_hz - duration_s) < TOLERANCE_S
    if response_format == "wav":  # sizes say unknown, as OpenAI's stream does
        assert struct.unpack("<I", data[4:8])[0] == struct.unpack("<I", data[40:44])[0] == 0xFFFFFFFF
    if response_format == "pcm":  # headerless samples: a browser has no decoder for them
        with pytest.raises(AssertionError, match="could not decode"):
            chromium.decode(data, "audio/pcm")
        return
    decoded = chromium.decode(data, codec_spec(response_format).media_type)
    assert abs(decoded.duration_s - duration_s) < TOLERANCE_S and decoded.peak > 0.05


@pytest.mark.parametrize("output_format", list(OutputFormat))
def test_a_jobs_stored_file_is_complete_for_every_reader(
    stack: Stack, chromium: Chromium, output_format: OutputFormat
) -> None:
    created = stack.http.post("/api/v1/jobs", json={"text": TEXT, "output_format": output_format.value})
    assert created.status_code in (200, 201, 202), created.text
    job = stack.wait(created.json()["id"])
    assert job["status"] == "succeeded", job
    duration_s = float(job["result"]["duration_s"])
    stored = stack.http.get(f"/api/v1/jobs/{job['id']}/audio")
    assert stored.status_code == 200 and stored.headers["content-type"] == codec_spec(output_format).media_type
    data = stored.content
    if output_format == OutputFormat.M4A:  # libsndfile reads no AAC (nor MP4): ffmpeg and the browser below do
        with pytest.raises(soundfile.LibsndfileError):
            soundfile_read(data)
    else:
        samples, rate_hz = soundfile_read(data)
        assert abs(len(samples) / rate_hz - duration_s) < TOLERANCE_S
    samples, rate_hz = ffmpeg_read(data)
    assert abs(len(samples) / rate_hz - duration_s) < TOLERANCE_S
    decoded = chromium.decode(data, codec_spec(output_format).media_type)
    assert abs(decoded.duration_s - duration_s) < TOLERANCE_S and decoded.peak > 0.05
    assert decoded.element_duration_s is not None and abs(decoded.element_duration_s - duration_s) < 0.15
