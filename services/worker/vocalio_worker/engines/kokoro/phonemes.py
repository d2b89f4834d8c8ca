"""Spanish text → the phoneme string and token ids Kokoro was trained on.

Kokoro's non-English voices learned eSpeak NG's IPA (with stress marks) rewritten by misaki's `EspeakG2P`:
multi-letter phonemes that eSpeak joins with a tie become Kokoro's single symbols (t^ʃ → ʧ, e^ɪ → A, ...),
the remaining ties and hyphens go, and punctuation is kept. eSpeak's own phoneme call drops punctuation
(it reads a clause at a time), so the text is cut at punctuation here, each piece phonemized, and the marks
put back as Kokoro's vocabulary spells them. Anything outside the vocabulary is dropped, as Kokoro does.
The vocabulary (`vocab.json`) is the model's, as kokoro-onnx ships it.
"""

import json
import re
from functools import cache
from pathlib import Path

from vocalio_worker.engines.espeak import ipa_clauses

TIE = "^"
# misaki EspeakG2P: eSpeak's tied pairs → the one symbol Kokoro has for each.
TIED_TO_KOKORO: tuple[tuple[str, str], ...] = (
    ("a^ɪ", "I"),
    ("a^ʊ", "W"),
    ("d^z", "ʣ"),
    ("d^ʒ", "ʤ"),
    ("e^ɪ", "A"),
    ("o^ʊ", "O"),
    ("ə^ʊ", "Q"),
    ("s^s", "S"),
    ("t^s", "ʦ"),
    ("t^ʃ", "ʧ"),
    ("ɔ^ɪ", "Y"),
)
# Written punctuation → Kokoro's (guillemets become curly quotes as misaki does; ¡ ¿ have no symbol).
PUNCTUATION_TO_KOKORO = {
    "«": "“",
    "»": "”",
    "‹": "“",
    "›": "”",
    "„": "“",
    "–": "—",
    "―": "—",
    "[": "(",
    "]": ")",
    "¡": "",
    "¿": "",
}
_PUNCTUATION = re.compile(r"""([.,;:!?¡¿…—–―"“”«»‹›„()\[\]]+)""")
_LANGUAGE_FLAG = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)?\)")  # eSpeak's (en) ... (es) around foreign words
_SPACES = re.compile(r"\s+")
PAD_TOKEN = 0


@cache
def vocabulary() -> dict[str, int]:
    data: dict[str, int] = json.loads(Path(__file__).with_name("vocab.json").read_text(encoding="utf-8"))
    return data


def kokoro_ipa(espeak_ipa: str) -> str:
    """One eSpeak IPA string in Kokoro's symbols."""
    phonemes = _LANGUAGE_FLAG.sub("", espeak_ipa)
    for tied, symbol in TIED_TO_KOKORO:
        phonemes = phonemes.replace(tied, symbol)
    return phonemes.replace(TIE, "").replace("-", "")


def _punctuation(marks: str) -> str:
    return "".join(PUNCTUATION_TO_KOKORO.get(mark, mark) for mark in marks)


def phonemize(text: str, espeak_voice: str) -> str:
    """Kokoro's phoneme string for `text`, spoken by the eSpeak voice (`es`: Spain, `es-419`: America).
    Spaces around punctuation stay where the text had them (`dijo: «vale»` → `dˈixo: “bˈale”`)."""
    vocab = vocabulary()
    out: list[str] = []
    for index, piece in enumerate(_PUNCTUATION.split(text)):
        if index % 2:
            out.append(_punctuation(piece))
        elif piece.strip():
            words = " ".join(kokoro_ipa(clause) for clause in ipa_clauses(piece, espeak_voice, TIE))
            lead = " " if piece[:1].isspace() else ""
            trail = " " if piece[-1:].isspace() else ""
            out.append(f"{lead}{words}{trail}")
        else:
            out.append(" " if piece else "")
    joined = _SPACES.sub(" ", "".join(out)).strip()
    return "".join(symbol for symbol in joined if symbol in vocab)


def tokenize(phonemes: str) -> list[int]:
    """Token ids of a phoneme string (symbols outside the vocabulary are skipped), without the pads."""
    vocab = vocabulary()
    return [vocab[symbol] for symbol in phonemes if symbol in vocab]


def split_phonemes(phonemes: str, max_tokens: int) -> list[str]:
    """Pieces of at most `max_tokens` symbols: cut after sentence punctuation, else after a comma-like
    mark, else at a space, else hard (Kokoro cannot attend past its context). `phonemes` holds only
    vocabulary symbols (`phonemize` drops the rest), so a symbol is a token."""
    pieces: list[str] = []
    rest = phonemes.strip()
    while len(rest) > max_tokens:
        head = rest[:max_tokens]
        end = -1  # the piece is rest[: end + 1]
        for marks in (".!?…", ",;:—"):
            end = max(head.rfind(mark) for mark in marks)
            if end > 0:
                break
        if end <= 0:
            space = rest[: max_tokens + 1].rfind(" ")  # a space just past the limit is dropped, not kept
            end = space - 1 if space > 0 else max_tokens - 1
        pieces.append(rest[: end + 1].strip())
        rest = rest[end + 1 :].strip()
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]
