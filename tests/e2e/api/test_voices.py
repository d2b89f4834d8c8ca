"""The voice library over HTTP: upload, analysis, each validation error, limits, in-use, defaults."""

import hashlib
import io
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile

from tests.e2e.api.conftest import new_key
from tests.e2e.api.flows import submit

TRANSCRIPT = "Había una vez, en un pueblo de la costa, una panadera que cantaba al amanecer."


def speechlike(
    seconds: float = 5.0,
    rate: int = 24000,
    channels: int = 1,
    level: float = 0.3,
    silence_ratio: float = 0.1,
    seed: int = 1,
) -> np.ndarray:
    """Syllable-like bursts (harmonic tones under an envelope) with short pauses and a noise floor."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    pitch = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    voiced = sum(np.sin(2 * np.pi * k * np.cumsum(pitch) / rate) / k for k in range(1, 6))
    envelope = (np.sin(2 * np.pi * 4 * t) > -0.6).astype(float)  # ~4 syllables per second
    signal = level * voiced * envelope / 2.3 + 0.0005 * rng.standard_normal(len(t))
    if silence_ratio > 0:
        signal[: int(len(t) * silence_ratio)] = 0.0005 * rng.standard_normal(int(len(t) * silence_ratio))
    audio = signal.astype(np.float32)
    return np.stack([audio] * channels, axis=1) if channels > 1 else audio


def wav_bytes(audio: np.ndarray, rate: int = 24000, fmt: str = "WAV", subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def upload(client: httpx.Client, payload: bytes, **fields: object) -> httpx.Response:
    data = {"name": "Lucía", "transcript": TRANSCRIPT, "consent": "true", "region": "rioplatense"} | {
        key: str(value).lower() if isinstance(value, bool) else value for key, value in fields.items()
    }
    return client.post("/api/v1/voices", data=data, files={"file": ("lucia.wav", payload, "audio/wav")})


def test_upload_round_trip_with_analysis(admin: httpx.Client, worker_client: httpx.Client) -> None:
    payload = wav_bytes(speechlike(channels=2), 24000)
    response = upload(admin, payload, description="narradora", licence="CC-BY-4.0")
    assert response.status_code == 201, response.text
    voice = response.json()
    analysis = voice["analysis"]
    assert analysis["duration_s"] == pytest.approx(5.0, abs=0.01)
    assert analysis["original_channels"] == 2 and "downmixed 2 channels to mono" in analysis["warnings"]
    assert analysis["snr_db"] > 20 and analysis["clipping_rate"] == 0
    assert -40 < analysis["loudness_lufs"] < -5 and analysis["peak_dbfs"] < 0
    assert analysis["speech_rate_cps"] == pytest.approx(len(TRANSCRIPT.replace(" ", "")) / 5.0, rel=0.01)
    assert voice["region"] == "rioplatense" and voice["consent_attested_at"]

    listed = admin.get("/api/v1/voices", params={"region": "rioplatense"}).json()["items"]
    assert [v["id"] for v in listed] == [voice["id"]]
    assert admin.get("/api/v1/voices", params={"region": "mexican"}).json()["items"] == []
    # the stored reference is mono WAV; workers fetch it with their token and check the sha256
    audio = worker_client.get(voice["audio_url"])
    assert audio.status_code == 200 and hashlib.sha256(audio.content).hexdigest() == voice["sha256"]
    stored, rate = soundfile.read(io.BytesIO(audio.content))
    assert stored.ndim == 1 and rate == 24000
    assert worker_client.get(f"/api/v1/voices/{voice['id']}").json()["transcript"] == TRANSCRIPT


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("not_audio", "VOICE_NOT_AUDIO"),
        ("too_short", "VOICE_TOO_SHORT"),
        ("too_long", "VOICE_TOO_LONG"),
        ("clipping", "VOICE_CLIPPING"),
        ("silence", "VOICE_MOSTLY_SILENCE"),
        ("low_rate", "VOICE_SAMPLE_RATE_TOO_LOW"),
        ("empty_transcript", "VOICE_TRANSCRIPT_EMPTY"),
        ("transcript_too_long_for_clip", "VOICE_TRANSCRIPT_IMPLAUSIBLE"),
        ("transcript_too_short_for_clip", "VOICE_TRANSCRIPT_IMPLAUSIBLE"),
        ("path_name", "VOICE_NAME_INVALID"),
        ("no_consent", "VOICE_CONSENT_REQUIRED"),
    ],
)
def test_each_validation_error_has_its_code_and_stores_nothing(api, admin: httpx.Client, case: str, code: str) -> None:  # type: ignore[no-untyped-def]
    good = wav_bytes(speechlike())
    cases: dict[str, tuple[bytes, dict]] = {
        "not_audio": (b"this is not audio at all" * 100, {}),
        "too_short": (wav_bytes(speechlike(seconds=1.2)), {"transcript": "Hola, ¿qué tal?"}),
        "too_long": (wav_bytes(speechlike(seconds=31)), {"transcript": TRANSCRIPT * 5}),
        "clipping": (wav_bytes(np.clip(speechlike(level=3.0), -1, 1)), {}),
        "silence": (wav_bytes(speechlike(silence_ratio=0.85)), {}),
        "low_rate": (wav_bytes(speechlike(rate=8000), 8000), {}),
        "empty_transcript": (good, {"transcript": "   "}),
        "transcript_too_long_for_clip": (good, {"transcript": TRANSCRIPT * 3}),
        "transcript_too_short_for_clip": (good, {"transcript": "Hola."}),
        "path_name": (good, {"name": "../../etc/passwd"}),
        "no_consent": (good, {"consent": "false"}),
    }
    payload, fields = cases[case]
    response = upload(admin, payload, **fields)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert admin.get("/api/v1/voices").json()["items"] == []
    voices_dir = api.data_dir / "voices"
    assert not voices_dir.exists() or list(voices_dir.iterdir()) == []


def test_oversize_upload_is_cut_off_while_streaming(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_MAX_VOICE_UPLOAD_BYTES": str(256 * 1024)})
    big = wav_bytes(speechlike(seconds=20, rate=48000))
    assert len(big) > 256 * 1024
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin:
        response = upload(admin, big)
        assert response.status_code == 413 and response.json()["error"]["code"] == "UPLOAD_TOO_LARGE"
        assert admin.get("/api/v1/voices").json()["items"] == []


def test_jobs_name_voices_and_deletion_waits_for_them(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    voice = upload(admin, wav_bytes(speechlike()), name="Narradora").json()
    by_name = submit(admin, voice="narradora")
    assert by_name["params"]["voice"] == voice["id"]
    unknown = admin.post("/api/v1/jobs", json={"text": "Hola", "voice": "nadie"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "UNKNOWN_VOICE"
    refused = admin.delete(f"/api/v1/voices/{voice['id']}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "VOICE_IN_USE"
    admin.post(f"/api/v1/jobs/{by_name['id']}/cancel")
    assert admin.delete(f"/api/v1/voices/{voice['id']}").status_code == 204
    assert admin.get(f"/api/v1/voices/{voice['id']}").status_code == 404
    assert not (api.data_dir / "voices" / f"{voice['id']}.wav").exists()


def test_voices_belong_to_their_key_unless_shared(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    key = new_key(admin)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}) as client:
        private = upload(admin, wav_bytes(speechlike()), name="Privada").json()
        shared = upload(admin, wav_bytes(speechlike()), name="Compartida", shared=True).json()
        mine = upload(client, wav_bytes(speechlike()), name="Mía").json()
        visible = {v["id"] for v in client.get("/api/v1/voices").json()["items"]}
        assert visible == {shared["id"], mine["id"]}
        assert client.get(f"/api/v1/voices/{private['id']}").status_code == 404
        assert upload(client, wav_bytes(speechlike()), shared=True).status_code == 403
        assert client.delete(f"/api/v1/voices/{shared['id']}").status_code == 403


def test_region_defaults(admin: httpx.Client, worker_client: httpx.Client) -> None:
    assert admin.get("/api/v1/regions/defaults").json()["missing"]
    voice = upload(admin, wav_bytes(speechlike()), region="mexican").json()
    assert worker_client.get("/api/v1/regions/mexican/default-voice").status_code == 404
    assert admin.put("/api/v1/regions/mexican/default-voice", json={"voice_id": voice["id"]}).status_code == 200
    got = worker_client.get("/api/v1/regions/mexican/default-voice").json()
    assert got["id"] == voice["id"] and got["shared"] is True and got["default_for"] == ["mexican"]
    assert "mexican" not in admin.get("/api/v1/regions/defaults").json()["missing"]


def test_default_voices_registry_downloads_with_checksum_or_says_what_is_missing(api_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    served = tmp_path / "served"
    served.mkdir()
    clip = wav_bytes(speechlike())
    (served / "neutral.wav").write_bytes(clip)

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    registry = tmp_path / "voices.toml"
    registry.write_text(
        f'[[voice]]\nname = "Neutra"\nregion = "neutral"\nurl = "{base}/neutral.wav"\n'
        f'sha256 = "{hashlib.sha256(clip).hexdigest()}"\ntranscript = "{TRANSCRIPT}"\nlicence = "CC0-1.0"\n\n'
        f'[[voice]]\nname = "Mala"\nregion = "chilean"\nurl = "{base}/neutral.wav"\nsha256 = "{"0" * 64}"\n'
        f'transcript = "{TRANSCRIPT}"\n\n'
        f'[[voice]]\nname = "Lejana"\nregion = "andean"\nurl = "http://127.0.0.1:9/andean.wav"\n'
        f'sha256 = "{"1" * 64}"\ntranscript = "{TRANSCRIPT}"\n'
    )
    try:
        api = api_factory({"VOCALIO_DEFAULT_VOICES_FILE": str(registry)})
        with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin:
            import time

            deadline = time.monotonic() + 20
            ready = httpx.get(f"{api.base_url}/ready").json()
            while len(ready["default_voices"]["failed"]) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
                ready = httpx.get(f"{api.base_url}/ready").json()
            assert ready["status"] == "ready"
            assert "neutral" not in ready["default_voices"]["missing"]
            assert {"chilean", "andean"} <= set(ready["default_voices"]["missing"])
            assert "sha256 mismatch" in ready["default_voices"]["failed"]["chilean"]
            neutral = admin.get("/api/v1/regions/neutral/default-voice").json()
            assert neutral["name"] == "Neutra" and neutral["licence"] == "CC0-1.0" and neutral["shared"]
    finally:
        server.shutdown()
