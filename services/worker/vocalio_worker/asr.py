"""The optional ASR round trip of sentence QA: transcribe a sentence, compare it with what it should say.

Backends (`VOCALIO_ASR_BACKEND`): `none` (default); `faster_whisper`, a CTranslate2 Whisper model
from a local directory (`VOCALIO_ASR_MODEL_PATH`; recommended: large-v3 for Spanish, or
large-v3-turbo where speed matters; faster-whisper is imported only then and is not part of the
worker's default install); `http`, an OpenAI-compatible `POST {VOCALIO_ASR_URL}/v1/audio/transcriptions`
(multipart `file` WAV, `model`, `language`, `response_format=json`; answers `{"text": ...}`), e.g. a
faster-whisper server next to the worker.

The figure is the character error rate: Levenshtein distance between the normalized transcription
and the normalized spoken text (the engine's input, numbers already in words), over the length of
the latter. Normalizing lowercases, strips accents and turns every run of punctuation or spaces into
one space, so only what was said counts. A transcriber that writes numbers as digits raises the CER
of sentences with numbers: prefer a model told the language, or raise `VOCALIO_ASR_MAX_CER`.
"""

import io
import re
import threading
import unicodedata
from typing import Any, Protocol

import httpx
import numpy as np
import soundfile
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.audio.resample import resample
from vocalio_worker.qa_settings import SentenceQASettings

WHISPER_RATE_HZ = 16000
TRANSCRIPTIONS_PATH = "/v1/audio/transcriptions"
_NOT_WORD = re.compile(r"[\W_]+")


class Transcriber(Protocol):
    def transcribe(self, audio: FloatAudio, rate_hz: int) -> str: ...


def normalized_for_cer(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(character for character in decomposed if not unicodedata.combining(character))
    return _NOT_WORD.sub(" ", letters).strip()


def edit_distance(reference: str, hypothesis: str) -> int:
    """Levenshtein distance, one row of the table at a time (sentences are short)."""
    if not reference or not hypothesis:
        return max(len(reference), len(hypothesis))
    previous = np.arange(len(hypothesis) + 1)
    target = np.frombuffer(hypothesis.encode("utf-32-le"), dtype=np.uint32)
    for row, character in enumerate(reference, start=1):
        substitution = previous[:-1] + (target != ord(character))
        current = np.empty_like(previous)
        current[0] = row
        current[1:] = np.minimum(previous[1:] + 1, substitution)
        # insertions run along the row: a running minimum of (cell - index) restores them
        current = np.minimum.accumulate(current - np.arange(len(current))) + np.arange(len(current))
        previous = current
    return int(previous[-1])


def character_error_rate(reference: str, hypothesis: str) -> float:
    expected, heard = normalized_for_cer(reference), normalized_for_cer(hypothesis)
    if not expected:
        return 0.0 if not heard else 1.0
    return edit_distance(expected, heard) / len(expected)


def wav_bytes(audio: FloatAudio, rate_hz: int) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(audio, -1.0, 1.0), rate_hz, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


class HttpTranscriber:
    """An OpenAI-compatible transcription endpoint; the sentence goes as 16 kHz WAV."""

    def __init__(self, settings: SentenceQASettings) -> None:
        if not settings.asr_url:
            raise VocalioError(ErrorCode.VALIDATION_ERROR, "VOCALIO_ASR_BACKEND=http needs VOCALIO_ASR_URL")
        headers = {}
        if settings.asr_api_key is not None:
            headers["Authorization"] = f"Bearer {settings.asr_api_key.get_secret_value()}"
        self.url = settings.asr_url.rstrip("/") + TRANSCRIPTIONS_PATH
        self.model, self.language = settings.asr_model, settings.asr_language
        self.client = httpx.Client(headers=headers, timeout=settings.asr_timeout_s)

    def transcribe(self, audio: FloatAudio, rate_hz: int) -> str:
        data = wav_bytes(resample(audio, rate_hz, WHISPER_RATE_HZ), WHISPER_RATE_HZ)
        form = {"model": self.model, "language": self.language, "response_format": "json"}
        try:
            response = self.client.post(self.url, data=form, files={"file": ("sentence.wav", data, "audio/wav")})
            response.raise_for_status()
            return str(response.json()["text"])
        except (httpx.HTTPError, KeyError, ValueError) as error:
            raise VocalioError(
                ErrorCode.UPSTREAM_ERROR,  # recoverable: the job retries once the service answers
                "the ASR service did not transcribe the sentence",
                {"url": self.url, "error": str(error)},
            ) from error


class WhisperTranscriber:
    """faster-whisper on local weights, loaded on first use (the import is heavy and optional)."""

    def __init__(self, settings: SentenceQASettings) -> None:
        if settings.asr_model_path is None or not settings.asr_model_path.is_dir():
            raise VocalioError(
                ErrorCode.VALIDATION_ERROR,
                "VOCALIO_ASR_BACKEND=faster_whisper needs VOCALIO_ASR_MODEL_PATH, a directory with the model",
                {"path": str(settings.asr_model_path)},
            )
        self.settings = settings
        self.model: Any = None
        self.lock = threading.Lock()

    def load(self) -> Any:
        with self.lock:
            if self.model is None:
                try:
                    from faster_whisper import WhisperModel  # type: ignore[import-not-found,unused-ignore]
                except ImportError as error:
                    raise VocalioError(
                        ErrorCode.ENGINE_UNAVAILABLE,
                        "VOCALIO_ASR_BACKEND=faster_whisper but faster-whisper is not installed",
                    ) from error
                self.model = WhisperModel(
                    str(self.settings.asr_model_path),
                    device=self.settings.asr_device,
                    compute_type=self.settings.asr_compute_type,
                    local_files_only=True,
                )
            return self.model

    def transcribe(self, audio: FloatAudio, rate_hz: int) -> str:
        samples = resample(audio, rate_hz, WHISPER_RATE_HZ).astype(np.float32)
        segments, _ = self.load().transcribe(samples, language=self.settings.asr_language, beam_size=5)
        return " ".join(segment.text.strip() for segment in segments)


_transcribers: dict[tuple[str, str], Transcriber] = {}
_transcribers_lock = threading.Lock()


def transcriber_for(settings: SentenceQASettings) -> Transcriber | None:
    """The configured transcriber, made once per process (a Whisper model is loaded once)."""
    if settings.asr_backend == "none":
        return None
    where = str(settings.asr_model_path if settings.asr_backend == "faster_whisper" else settings.asr_url)
    with _transcribers_lock:
        found = _transcribers.get((settings.asr_backend, where))
        if found is None:
            found = HttpTranscriber(settings) if settings.asr_backend == "http" else WhisperTranscriber(settings)
            _transcribers[(settings.asr_backend, where)] = found
        return found
