"""Recording a voice over HTTP: the prompts to read, and a browser's WebM/Opus (or M4A) recording stored
as the WAV every worker reads; a playlist posing as audio is refused without ffmpeg opening what it names."""

import io
import subprocess
from pathlib import Path

import httpx
import imageio_ffmpeg
import pytest
import soundfile
from vocalio_shared.schemas.voices import VoicePromptList

from tests.e2e.api.test_voices import speechlike, wav_bytes


def _encode(wav: bytes, tmp_path: Path, extension: str, codec: str) -> bytes:
    """A real recording in a browser's container, made by the real ffmpeg (48 kHz, as MediaRecorder records)."""
    source, target = tmp_path / "take.wav", tmp_path / f"take.{extension}"
    source.write_bytes(wav)
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(source), "-ar", "48000"]
    subprocess.run([*command, "-c:a", codec, str(target)], check=True)
    return target.read_bytes()


def test_prompts_are_served_with_the_sounds_they_cover(admin: httpx.Client) -> None:
    response = admin.get("/api/v1/voices/prompts")
    assert response.status_code == 200, response.text
    prompts = VoicePromptList.model_validate(response.json())
    assert len(prompts.items) >= 5 and len({prompt.id for prompt in prompts.items}) == len(prompts.items)
    assert (prompts.min_seconds, prompts.max_seconds) == (5.0, 12.0)
    assert all("c/z (θ or s)" in prompt.covers and "rr (trill)" in prompt.covers for prompt in prompts.items)
    assert httpx.get(f"{admin.base_url}/api/v1/voices/prompts").status_code == 401  # a key is needed, like /voices


@pytest.mark.parametrize(
    ("extension", "codec", "mime"), [("webm", "libopus", "audio/webm"), ("m4a", "aac", "audio/mp4")]
)
def test_a_browser_recording_is_stored_as_wav_with_the_prompt_as_transcript(
    admin: httpx.Client, tmp_path: Path, extension: str, codec: str, mime: str
) -> None:
    prompt = admin.get("/api/v1/voices/prompts").json()["items"][0]
    recording = _encode(wav_bytes(speechlike(seconds=7.0)), tmp_path, extension, codec)
    with pytest.raises(soundfile.LibsndfileError):  # what made the ffmpeg path necessary
        soundfile.read(io.BytesIO(recording))
    data = {"name": "Grabada", "transcript": prompt["text"], "consent": "true", "region": "neutral"}
    created = admin.post("/api/v1/voices", data=data, files={"file": (f"take.{extension}", recording, mime)})
    assert created.status_code == 201, created.text
    voice = created.json()
    assert voice["transcript"] == prompt["text"]
    assert voice["analysis"]["sample_rate_hz"] == 48000
    assert voice["analysis"]["duration_s"] == pytest.approx(7.0, abs=0.1)
    stored, rate = soundfile.read(io.BytesIO(admin.get(voice["audio_url"]).content))
    assert rate == 48000 and stored.ndim == 1 and len(stored) / rate == pytest.approx(7.0, abs=0.1)


def test_a_playlist_is_not_audio_and_ffmpeg_reads_nothing_it_names(admin: httpx.Client, tmp_path: Path) -> None:
    secret = tmp_path / "secret.wav"
    secret.write_bytes(wav_bytes(speechlike(seconds=6.0)))  # would pass every check if ffmpeg opened it
    for playlist in (
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:6,\n{secret}\n#EXT-X-ENDLIST\n",
        f"ffconcat version 1.0\nfile '{secret}'\n",
    ):
        data = {"name": "Lista", "transcript": "Había una vez un pueblo.", "consent": "true"}
        refused = admin.post(
            "/api/v1/voices", data=data, files={"file": ("take.webm", playlist.encode(), "audio/webm")}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "VOICE_NOT_AUDIO"
    assert admin.get("/api/v1/voices").json()["items"] == []
