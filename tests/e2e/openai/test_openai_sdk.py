"""The stock `openai` SDK against a running Vocalio stack (API + eSpeak worker + Redis)."""

import re
import struct
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import openai
import pytest
import soundfile

from tests.e2e.openai.conftest import Stack, decode_to_pcm

TEXT = "Hola, ¿qué tal? Hoy leemos un cuento corto. Había una vez un gato que leía libros."
RATE_HZ = 24000
# ~25 sentences → 4 engine chunks of eSpeak, 5 when streamed (the first sentence alone).
LONG_TEXT = " ".join(
    f"Capítulo {n}. Había una vez, en un pueblo pequeño junto al río, una niña que soñaba con el mar; "
    "cada mañana caminaba hasta la colina para mirar el horizonte."
    for n in range(1, 26)
)


def test_models_are_listed(stack: Stack) -> None:
    models = {model.id for model in stack.sdk().models.list()}
    assert {"tts-1", "tts-1-hd"} <= models
    assert stack.sdk().models.retrieve("tts-1").id == "tts-1"


@pytest.mark.parametrize("response_format", ["mp3", "opus", "aac", "flac", "wav", "pcm"])
@pytest.mark.parametrize("stream", [None, False])
def test_every_response_format_decodes(stack: Stack, response_format: str, stream: bool | None, tmp_path: Path) -> None:
    """The SDK's ordinary use (no `stream`: streamed, except flac) and `stream: false` (one complete file)."""
    response = stack.sdk().audio.speech.create(
        model="tts-1",
        voice="alloy",
        input=TEXT,
        response_format=response_format,  # type: ignore[arg-type]
        extra_body={} if stream is None else {"stream": stream},
    )
    data = response.content
    complete = stream is False or response_format == "flac"  # a FLAC stream would carry no total length
    headers = response.response.headers
    assert ("content-length" in headers) == complete, dict(headers)
    if complete:
        assert int(headers["content-length"]) == len(data)
    if response_format == "pcm":
        samples = np.frombuffer(data, dtype="<i2")
    else:
        if response_format == "wav":  # the real sizes in a file; "unknown" in a stream, as OpenAI sends it
            riff_size = struct.unpack("<I", data[4:8])[0]
            assert riff_size == (len(data) - 8 if complete else 0xFFFFFFFF)
            assert struct.unpack("<I", data[24:28])[0] == RATE_HZ
        samples = decode_to_pcm(data)
    duration_s = len(samples) / RATE_HZ
    assert 3.0 < duration_s < 15.0, (response_format, duration_s)
    if response_format not in ("aac", "pcm"):  # libsndfile reads no AAC; pcm has no header to read
        target = tmp_path / f"speech.{response_format}"
        response.write_to_file(target)  # the SDK's ordinary use, then the common Python reader
        read, rate_hz = soundfile.read(target, dtype="int16")
        assert rate_hz == RATE_HZ and abs(len(read) / rate_hz - duration_s) < 0.08, response_format
    assert np.abs(samples).max() > 3000  # speech, not silence
    job_id = headers["x-vocalio-job-id"]
    job = stack.wait(job_id)
    assert job["status"] == "succeeded" and job["priority"] == "high"
    assert "stream" not in job["params"]  # a transport switch of this route, not a job parameter
    assert job["result"]["duration_s"] == pytest.approx(duration_s, abs=0.1)


def streamed_and_stored(stack: Stack, response_format: str) -> tuple[np.ndarray, np.ndarray]:
    """(what the client got, the job's stored file), both decoded; one job, so the same samples."""
    with stack.sdk().audio.speech.with_streaming_response.create(
        model="tts-1",
        voice="fable",
        input=TEXT,
        response_format=response_format,  # type: ignore[arg-type]
        extra_body={"stream": True},
    ) as response:
        assert "content-length" not in response.headers  # chunked: bytes as they are made
        job_id = response.headers["x-vocalio-job-id"]
        streamed = b"".join(response.iter_bytes())
    assert stack.wait(job_id)["status"] == "succeeded"
    stored = stack.http.get(f"/api/v1/jobs/{job_id}/audio")
    assert stored.status_code == 200
    as_pcm = np.frombuffer(streamed, dtype="<i2") if response_format == "pcm" else decode_to_pcm(streamed)
    return as_pcm, decode_to_pcm(stored.content)


@pytest.mark.parametrize("response_format", ["pcm", "wav", "flac"])
def test_lossless_streams_equal_the_stored_file_exactly(stack: Stack, response_format: str) -> None:
    """The worker's pieces cross crossfades and the streaming post-process: same samples, bit for bit."""
    streamed, stored = streamed_and_stored(stack, response_format)
    assert len(streamed) > RATE_HZ and np.array_equal(streamed, stored)


def test_mp3_stream_matches_the_stored_file_within_encoder_tolerance(stack: Stack) -> None:
    streamed, stored = (pcm.astype(float) for pcm in streamed_and_stored(stack, "mp3"))
    # two encoders, two priming delays: align by cross-correlation, then compare
    lag = int(np.argmax(np.correlate(streamed[:RATE_HZ], stored[: RATE_HZ // 2], mode="valid")))
    size = min(len(streamed) - lag, len(stored))
    error = stored[:size] - streamed[lag : lag + size]
    snr_db = 10 * np.log10(np.sum(stored[:size] ** 2) / np.sum(error**2))
    assert abs(len(streamed) - len(stored)) < 0.1 * RATE_HZ and snr_db > 15, (lag, snr_db)


def test_first_bytes_arrive_before_synthesis_ends(stack: Stack) -> None:
    started = time.monotonic()
    with stack.sdk().audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=LONG_TEXT, response_format="pcm"
    ) as response:  # no `stream`: a pcm answer streams by default
        job_id = response.headers["x-vocalio-job-id"]
        chunks = response.iter_bytes()
        first = next(chunks)
        first_byte_s = time.monotonic() - started
        job_at_first_byte = stack.job(job_id)
        rest = b"".join(chunks)
        total_s = time.monotonic() - started
    assert first and rest
    # Still synthesizing (progress runs 30 → 70 % over the chunks) when the first audio arrived.
    assert job_at_first_byte["status"] in {"queued", "preparing", "synthesizing"}, job_at_first_byte
    assert job_at_first_byte["progress"] < 70
    assert first_byte_s < total_s - 1.0, (first_byte_s, total_s)
    assert stack.wait(job_id)["metrics"]["chunks"] >= 4


def test_client_disconnect_cancels_the_job(stack: Stack) -> None:
    with stack.sdk().audio.speech.with_streaming_response.create(
        model="tts-1",
        voice="alloy",
        input=LONG_TEXT + " " + LONG_TEXT,
        response_format="mp3",
    ) as response:  # streamed by default
        job_id = response.headers["x-vocalio-job-id"]
        assert next(response.iter_bytes())
    # leaving the block closes the connection mid-stream
    job = stack.wait(job_id)
    assert job["status"] == "cancelled", job


def test_bad_key_raises_authentication_error(stack: Stack) -> None:
    with pytest.raises(openai.AuthenticationError) as raised:
        stack.sdk(api_key="vk_nope_nope", max_retries=0).audio.speech.create(
            model="tts-1", voice="alloy", input="Hola."
        )
    assert raised.value.status_code == 401 and raised.value.code == "UNAUTHENTICATED"
    assert raised.value.body["type"] == "authentication_error"  # type: ignore[index]


def test_bad_requests_raise_bad_request_and_not_found(stack: Stack) -> None:
    sdk = stack.sdk(max_retries=0)
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.audio.speech.create(model="tts-1", voice="alloy", input="Hola.", speed=4.0)
    assert raised.value.code == "VALIDATION_ERROR" and raised.value.param == "speed"
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.audio.speech.create(model="tts-9", voice="alloy", input="Hola.")
    assert missing.value.code == "NOT_FOUND"
    # the rest of the API keeps Vocalio's own error body
    body = stack.http.get("/api/v1/jobs/nope").json()
    assert body["error"]["code"] == "JOB_NOT_FOUND" and body["error"]["category"] == "NOT_FOUND"


def test_over_the_rate_limit_raises_rate_limit_error(stack: Stack) -> None:
    created = stack.http.post("/api/v1/keys", json={"name": "tiny", "role": "client", "rate_requests_per_min": 2})
    assert created.status_code == 201, created.text
    sdk = stack.sdk(api_key=created.json()["key"], max_retries=0)
    sdk.models.list()
    sdk.models.list()
    with pytest.raises(openai.RateLimitError) as raised:
        sdk.audio.speech.create(model="tts-1", voice="alloy", input="Hola.")
    assert raised.value.code == "RATE_LIMITED" and raised.value.response.headers.get("retry-after")


SRT_TIME = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)")
VTT_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)")


def cue_times(text: str, pattern: re.Pattern[str]) -> list[tuple[float, float]]:
    times = []
    for match in pattern.finditer(text):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in match.groups())
        times.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000))
    return times


@pytest.mark.parametrize("streamed", [True, False])
def test_captions_are_monotonic_and_cover_the_audio(stack: Stack, streamed: bool) -> None:
    if streamed:
        response = stack.sdk().audio.speech.create(model="tts-1", voice="nova", input=TEXT, response_format="wav")
        job_id = response.response.headers["x-vocalio-job-id"]
    else:  # an ordinary job gets captions too
        submitted = stack.http.post("/api/v1/jobs", json={"text": TEXT, "output_format": "wav"})
        job_id = submitted.json()["id"]
    duration_s = stack.wait(job_id)["result"]["duration_s"]
    srt = stack.http.get(f"/api/v1/jobs/{job_id}/captions", params={"format": "srt"})
    vtt = stack.http.get(f"/api/v1/jobs/{job_id}/captions", params={"format": "vtt"})
    as_json = stack.http.get(f"/api/v1/jobs/{job_id}/captions", params={"format": "json"}).json()
    assert srt.headers["content-type"].startswith("application/x-subrip") and vtt.text.startswith("WEBVTT\n\n")
    texts = [segment["text"] for segment in as_json["segments"]]
    assert texts == ["Hola, ¿qué tal?", "Hoy leemos un cuento corto.", "Había una vez un gato que leía libros."]
    for times in (cue_times(srt.text, SRT_TIME), cue_times(vtt.text, VTT_TIME)):
        assert len(times) == len(texts)
        flat = [t for cue in times for t in cue]
        assert flat == sorted(flat) and times[0][0] == 0.0
        assert times[-1][1] == pytest.approx(duration_s, abs=0.01)
        assert all(end > start for start, end in times)
    srt_blocks = [block.splitlines() for block in srt.text.strip().split("\n\n")]
    assert [block[0] for block in srt_blocks] == [str(n) for n in range(1, len(texts) + 1)]


def test_concurrent_streams_each_get_their_own_audio(stack: Stack) -> None:
    results: dict[str, bytes] = {}

    def speak(voice: str) -> None:
        results[voice] = (
            stack.sdk().audio.speech.create(model="tts-1", voice=voice, input=TEXT, response_format="pcm").content
        )

    threads = [threading.Thread(target=speak, args=(voice,)) for voice in ("alloy", "echo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2 and all(len(data) > RATE_HZ for data in results.values())


def test_client_gone_before_the_file_is_complete_cancels_the_job(stack: Stack) -> None:
    """Not streamed, nothing is sent until the end: a client that gives up meanwhile still cancels its job."""
    body = {"model": "tts-1", "voice": "alloy", "input": LONG_TEXT, "response_format": "flac"}
    with pytest.raises(httpx.ReadTimeout):
        stack.http.post("/v1/audio/speech", json=body, timeout=httpx.Timeout(30, read=3.0))
    newest = stack.http.get("/api/v1/jobs", params={"limit": 1}).json()["items"][0]
    assert newest["metadata"]["openai"]["response_format"] == "flac"
    job = stack.wait(newest["id"])
    assert job["status"] == "cancelled", job
