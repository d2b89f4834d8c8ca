"""The CPU fallback engine: eSpeak NG through ctypes, on the library and data `espeakng_loader` ships.

No system espeak is needed. eSpeak keeps one global C state per process, so the library is
initialised once and every call into it holds `_ESPEAK_LOCK`; two engine instances share it.
"""

import ctypes
import threading
from typing import ClassVar

import espeakng_loader
import numpy as np
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import REGIONAL_VARIANTS, Region

from vocalio_worker.engines.base import EngineCapabilities, VoiceRef

# The shipped data has two Spanish voices: `es` (Spain: distinción /θ/, Castilian intonation) and
# `es-419` (Latin America: seseo, its own intonation; also answers to `es-mx`). Peninsular speaks
# `es`; every other variant is American, and "neutral" here means the Latin American neutral of
# dubbing, so they map to es-419. eSpeak has nothing finer (no rioplatense yeísmo, no Caribbean
# aspiration): regional accent is the F5 engine's job, through reference voices.
SPAIN_VOICE = "es"
ESPEAK_VOICE_BY_REGION: dict[Region, str] = {
    region: SPAIN_VOICE if region == Region.PENINSULAR else "es-419" for region in REGIONAL_VARIANTS
}
# A voice id "espeak:<name>" picks an eSpeak voice directly (e.g. "espeak:es" for Spain).
VOICE_ID_PREFIX = "espeak:"

NATURAL_RATE_WPM = 175  # espeakRATE_NORMAL
MIN_RATE_WPM, MAX_RATE_WPM = 80, 450  # espeakRATE_MINIMUM / espeakRATE_MAXIMUM
NATIVE_SAMPLE_RATE_HZ = 22050

# espeak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # the synth callback runs inside espeak_Synth, on the calling thread
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of exit() when the data is missing
_POS_CHARACTER = 1
_CHARS_UTF8 = 1  # without it, accents and ñ are read as Latin-1 bytes
_ENDPAUSE = 0x1000  # a sentence-final pause, so crossfaded chunks keep a natural gap
_PARAM_RATE = 1
_PHONEMES_IPA = 0x02  # espeak_TextToPhonemes: IPA as UTF-8
_PHONEMES_TIE = 0x80  # ... with bits 8-23 as the tie joining a multi-letter phoneme (t^ʃ, e^ɪ)
_EE_OK = 0

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_ESPEAK_LOCK = threading.Lock()


class _EspeakLibrary:
    """The process-wide library handle; the callback appends into the `pieces` of the current call."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        data_path = espeakng_loader.get_data_path().encode()
        sample_rate_hz = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT)
        if sample_rate_hz <= 0:
            raise VocalioError(
                ErrorCode.ENGINE_UNAVAILABLE,
                "eSpeak NG failed to initialise",
                {"data_path": data_path.decode()},
            )
        self.lib = lib
        self.sample_rate_hz = sample_rate_hz
        self.pieces: list[np.ndarray] = []
        self._callback = _SynthCallback(self._collect)  # kept referenced: C holds only the pointer
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, samples: "ctypes._Pointer[ctypes.c_short]", count: int, _events: int) -> int:
        if samples and count > 0:
            self.pieces.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0  # 0 = go on

    def synthesize(self, text: str, voice_name: str, rate_wpm: int) -> FloatAudio:
        """Caller holds _ESPEAK_LOCK."""
        if self.lib.espeak_SetVoiceByName(voice_name.encode()) != _EE_OK:
            raise VocalioError(ErrorCode.ENGINE_UNAVAILABLE, f"eSpeak has no voice {voice_name!r}")
        self.lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
        encoded = text.encode("utf-8")
        self.pieces = []
        status = self.lib.espeak_Synth(
            encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None
        )
        if status != _EE_OK:
            raise VocalioError(
                ErrorCode.SYNTHESIS_FAILED, f"eSpeak synthesis failed (status {status})", {"chars": len(text)}
            )
        pcm = np.concatenate(self.pieces) if self.pieces else np.zeros(0, dtype=np.int16)
        self.pieces = []
        return (pcm.astype(np.float32) / 32768.0).astype(np.float32)

    def ipa_clauses(self, text: str, voice_name: str, tie: str) -> list[str]:
        """IPA of each clause eSpeak finds in `text` (punctuation is not in its output). Caller holds _ESPEAK_LOCK."""
        if self.lib.espeak_SetVoiceByName(voice_name.encode()) != _EE_OK:
            raise VocalioError(ErrorCode.ENGINE_UNAVAILABLE, f"eSpeak has no voice {voice_name!r}")
        mode = _PHONEMES_IPA | _PHONEMES_TIE | (ord(tie) << 8)
        cursor = ctypes.c_char_p(text.encode("utf-8"))
        clauses: list[str] = []
        while cursor.value:  # each call reads one clause and moves the pointer past it (NULL at the end)
            phonemes = self.lib.espeak_TextToPhonemes(ctypes.byref(cursor), _CHARS_UTF8, mode)
            if phonemes:
                clauses.append(phonemes.decode("utf-8", errors="replace"))
        return clauses


_library: _EspeakLibrary | None = None


def _shared_library() -> _EspeakLibrary:
    global _library
    with _ESPEAK_LOCK:
        if _library is None:
            _library = _EspeakLibrary()
        return _library


def ipa_clauses(text: str, voice_name: str, tie: str = "^") -> list[str]:
    """eSpeak NG's IPA for `text` spoken by `voice_name`, one string per clause (the Kokoro engine's G2P)."""
    library = _shared_library()
    with _ESPEAK_LOCK:
        return library.ipa_clauses(text, voice_name, tie)


def speed_to_rate_wpm(speed: float) -> int:
    """Speed factor → eSpeak words per minute, inside what eSpeak accepts."""
    return int(min(MAX_RATE_WPM, max(MIN_RATE_WPM, round(NATURAL_RATE_WPM * speed))))


def espeak_voice_for(voice: VoiceRef, region: Region) -> str:
    if voice.voice_id.startswith(VOICE_ID_PREFIX):
        return voice.voice_id.removeprefix(VOICE_ID_PREFIX)
    return ESPEAK_VOICE_BY_REGION[region]


class EspeakEngine:
    """eSpeak NG: intelligible, robotic, instant on CPU. The fallback when F5 cannot run."""

    name: ClassVar[str] = "espeak"

    def __init__(self) -> None:
        self._library: _EspeakLibrary | None = None

    def load(self) -> None:
        if self._library is None:
            self._library = _shared_library()

    def capabilities(self) -> EngineCapabilities:
        return EngineCapabilities(
            models=("espeak-ng",),
            regional_variants=REGIONAL_VARIANTS,
            sample_rate_hz=self._library.sample_rate_hz if self._library else NATIVE_SAMPLE_RATE_HZ,
            max_batch=16,  # no batching gain on CPU; this only bounds work between cancellation checks
            max_chunk_chars=1000,
        )

    def synthesize_batch(
        self,
        chunks: list[str],
        voice: VoiceRef,
        speed: float,
        nfe_step: int,
        region: Region,
        seeds: list[int] | None = None,
    ) -> list[FloatAudio]:
        """`seeds` are ignored: eSpeak is deterministic."""
        self.load()
        assert self._library is not None
        voice_name = espeak_voice_for(voice, region)
        rate_wpm = speed_to_rate_wpm(speed)
        outputs: list[FloatAudio] = []
        for chunk in chunks:
            if not chunk.strip():
                outputs.append(np.zeros(0, dtype=np.float32))
                continue
            with _ESPEAK_LOCK:
                outputs.append(self._library.synthesize(chunk, voice_name, rate_wpm))
        return outputs

    def free(self) -> None:
        # The native state stays for the life of the process: it is a few MB, and espeak_Terminate
        # followed by a new espeak_Initialize is not reliable across eSpeak NG versions.
        self._library = None
