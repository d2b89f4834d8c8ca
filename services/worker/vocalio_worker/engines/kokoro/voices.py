"""Kokoro voices: names, weighted mixes (`ef_dora*0.7+em_alex*0.3`), and their style vectors.

A voice is 510 style vectors of 256 floats, one per phoneme count: Kokoro conditions an utterance of n
tokens on row n. A mix is the weighted mean of its voices' rows (weights scaled to sum to 1, as
Kokoro-FastAPI does), so `a*1+b*1` is the even blend and a single name is that voice as it is.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from vocalio_shared.errors import ErrorCode, VocalioError

VOICE_PREFIX = "kokoro:"  # how a job (and the API) names an engine voice, like `espeak:es`
STYLE_ROWS, STYLE_DIM = 510, 256
_NAME = r"[a-z]{2}_[a-z0-9]+"
_TERM = re.compile(rf"^\s*({_NAME})\s*(?:\*\s*(\d+(?:\.\d+)?|\.\d+))?\s*$")
_SPEC = re.compile(rf"^\s*{_NAME}\s*(\*\s*[\d.]+\s*)?(\+\s*{_NAME}\s*(\*\s*[\d.]+\s*)?)*$")


@dataclass(frozen=True)
class VoiceMix:
    """Voices and their weights (summing to 1), in a canonical order: equal mixes spell the same."""

    parts: tuple[tuple[str, float], ...]

    @property
    def spec(self) -> str:
        if len(self.parts) == 1:
            return self.parts[0][0]
        return "+".join(f"{name}*{weight:.4g}" for name, weight in self.parts)


def looks_like_voice_spec(text: str) -> bool:
    """True for `ef_dora`, `ef_dora*0.7+em_alex*0.3` (with or without `kokoro:`): a Kokoro voice, not a library id."""
    return bool(_SPEC.match(text.removeprefix(VOICE_PREFIX)))


def parse_voice_spec(text: str) -> VoiceMix:
    """`name[*weight]` joined by `+`; raises UNKNOWN_VOICE on anything else or a zero total weight."""
    spec = text.removeprefix(VOICE_PREFIX)
    weights: dict[str, float] = {}
    for term in spec.split("+"):
        match = _TERM.match(term)
        if match is None:
            raise VocalioError(
                ErrorCode.UNKNOWN_VOICE,
                f"{text!r} is not a Kokoro voice: use a name (ef_dora) or a mix (ef_dora*0.7+em_alex*0.3)",
                {"voice": text},
            )
        name, weight = match.group(1), float(match.group(2) or 1.0)
        weights[name] = weights.get(name, 0.0) + weight
    total = sum(weights.values())
    if total <= 0:
        raise VocalioError(ErrorCode.UNKNOWN_VOICE, f"the weights of {text!r} add up to 0", {"voice": text})
    parts = tuple(sorted((name, weight / total) for name, weight in weights.items() if weight > 0))
    return VoiceMix(parts)


class VoiceBank:
    """The voices file (an .npz of name → 510x1x256), read once; mixes are computed on first use and kept."""

    def __init__(self, path: Path) -> None:
        try:
            with np.load(path) as archive:
                self.styles: dict[str, NDArray[np.float32]] = {
                    name: np.asarray(archive[name], dtype=np.float32).reshape(-1, STYLE_DIM) for name in archive.files
                }
        except (OSError, ValueError) as error:
            raise VocalioError(
                ErrorCode.ENGINE_UNAVAILABLE, f"cannot read the Kokoro voices file {path}: {error}", {"path": str(path)}
            ) from error
        bad = [name for name, rows in self.styles.items() if rows.shape[0] < STYLE_ROWS]
        if bad or not self.styles:
            raise VocalioError(
                ErrorCode.ENGINE_UNAVAILABLE,
                f"{path} is not a Kokoro voices file (voices with fewer than {STYLE_ROWS} style rows: {bad[:5]})",
                {"path": str(path)},
            )
        self._mixed: dict[VoiceMix, NDArray[np.float32]] = {}

    @property
    def names(self) -> list[str]:
        return sorted(self.styles)

    def styles_for(self, mix: VoiceMix) -> NDArray[np.float32]:
        """(510, 256) float32 rows of the mix; UNKNOWN_VOICE naming the voices this file lacks."""
        if mix not in self._mixed:
            unknown = [name for name, _ in mix.parts if name not in self.styles]
            if unknown:
                raise VocalioError(
                    ErrorCode.UNKNOWN_VOICE,
                    f"Kokoro has no voice {', '.join(unknown)}; voices: {', '.join(self.names)}",
                    {"voice": mix.spec},
                )
            rows = sum(weight * self.styles[name].astype(np.float64) for name, weight in mix.parts)
            self._mixed[mix] = np.asarray(rows, dtype=np.float32)
        return self._mixed[mix]
