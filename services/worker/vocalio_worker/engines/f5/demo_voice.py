"""F5's last-resort voice, so a first job on a fresh install never fails for lack of one.

No licensed Spanish voice can ship, so when a job names no voice and neither its region nor neutral has
a default, an F5 worker clones the operator's own engine voice (VOCALIO_F5_REFERENCE_AUDIO/TEXT) if one
is set, else the demo reference the f5-tts package itself ships: an English speaker, and the job says so
in its warnings. Both the audio and its transcript are read from the package's basic example (the
`basic.toml` that its own CLI reads), so a package update that changes them changes them here too.
"""

import hashlib
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

import soundfile
import structlog

from vocalio_worker.engines.base import TTSEngine
from vocalio_worker.engines.f5.settings import F5Settings
from vocalio_worker.voices import FallbackVoice

log = structlog.get_logger("worker.voices")

DEMO_VOICE_WARNING = "demo voice, English speaker: record or upload a Spanish narrator"
DEMO_EXAMPLE = "infer/examples/basic/basic.toml"  # inside the f5_tts package; names ref_audio and ref_text


def _voice(voice_id: str, audio_path: Path, transcript: str, warning: str | None) -> FallbackVoice:
    data = audio_path.read_bytes()
    return FallbackVoice(
        voice_id=voice_id,
        audio_path=audio_path,
        sample_rate_hz=soundfile.info(str(audio_path)).samplerate,
        transcript=transcript,
        sha256=hashlib.sha256(data).hexdigest(),  # stable: the same package file, the same key
        warning=warning,
    )


@cache
def demo_voice() -> FallbackVoice | None:
    """The f5-tts package's demo reference, or None when the package (or its example) is not installed."""
    try:
        package = resources.files("f5_tts")
        example = tomllib.loads(package.joinpath(DEMO_EXAMPLE).read_text(encoding="utf-8"))
        audio = package.joinpath(example["ref_audio"])
        transcript = str(example["ref_text"]).strip()
        with resources.as_file(audio) as audio_path:
            if not transcript or not audio_path.is_file():
                return None
            return _voice(f"demo:f5-tts/{audio_path.stem}", Path(audio_path), transcript, DEMO_VOICE_WARNING)
    except (ModuleNotFoundError, OSError, KeyError, tomllib.TOMLDecodeError, soundfile.LibsndfileError) as error:
        log.warning("f5 demo voice unavailable", reason=f"{type(error).__name__}: {error}")
        return None


def fallback_voice(settings: F5Settings) -> FallbackVoice | None:
    """The operator's configured engine voice first (no warning: chosen on purpose), else the demo voice."""
    if settings.f5_reference_audio is not None and (settings.f5_reference_text or "").strip():
        return _voice("engine:f5-reference", settings.f5_reference_audio, str(settings.f5_reference_text), None)
    return demo_voice()


def fallback_for(engine: TTSEngine) -> FallbackVoice | None:
    """The worker's fallback voice for its engine: only F5 clones, so only F5 has one."""
    from vocalio_worker.engines.f5.engine import F5Engine

    return fallback_voice(engine.settings) if isinstance(engine, F5Engine) else None
