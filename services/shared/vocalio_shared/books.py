"""The sentence cache's key and a sentence's seed: one definition, used by the worker that renders
and by anyone who must find a sentence again (re-draws, the API's cache statistics).

A key names the audio of one sentence exactly: its normalized (spoken) text, the voice reference
(sha256 of the audio and of its transcript), the engine and model, every setting that changes the
samples, and the seed. Two renders with the same key produce the same audio, so the cache may hand
back either. The seed comes from the book's seed and the sentence's text, never its position: an
edit elsewhere in the chapter leaves every other sentence's seed, and so its key, as it was.
"""

import hashlib
import json
import unicodedata

SENTENCE_KEY_VERSION = 1  # bump when the audio a key names would change (new assembly of a sentence)


def normalized_sentence(text: str) -> str:
    """The form the key hashes: NFC, whitespace collapsed. Case and punctuation stay (they are read)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def sentence_seed(book_seed: int, spoken_text: str, draw: int = 0) -> int:
    """A sentence's seed from the book's: stable under edits elsewhere; `draw` > 0 for a re-draw."""
    material = f"{book_seed}\x1f{draw}\x1f{normalized_sentence(spoken_text)}".encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:4], "big") & 0x7FFF_FFFF


def sentence_key(
    spoken_text: str,
    *,
    voice_sha256: str,
    transcript_sha256: str,
    engine: str,
    model: str,
    sample_rate_hz: int,
    speed: float,
    nfe_step: int | None,
    seed: int,
) -> str:
    """sha256 hex of everything that decides the sentence's samples."""
    material = {
        "v": SENTENCE_KEY_VERSION,
        "text": normalized_sentence(spoken_text),
        "voice": voice_sha256,
        "transcript": transcript_sha256,
        "engine": engine,
        "model": model,
        "rate": sample_rate_hz,
        "speed": round(speed, 4),
        "nfe": nfe_step,
        "seed": seed,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def is_sentence_key(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)
