"""Reference clips the API's checks accept (or refuse on purpose), made on the spot: no audio fixtures."""

import io

import numpy as np
import soundfile

TRANSCRIPT = "Había una vez, en un pueblo de la costa, una panadera que cantaba al amanecer."


def speechlike_wav(seconds: float = 5.0, rate: int = 24000, seed: int = 1) -> bytes:
    """Harmonic tones with a gliding pitch under a ~4 syllables/s envelope, a short lead-in and a noise floor."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    pitch = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    voiced = sum(np.sin(2 * np.pi * k * np.cumsum(pitch) / rate) / k for k in range(1, 6))
    envelope = (np.sin(2 * np.pi * 4 * t) > -0.6).astype(float)
    signal = 0.3 * voiced * envelope / 2.3 + 0.0005 * rng.standard_normal(len(t))
    lead_in = int(len(t) * 0.1)
    signal[:lead_in] = 0.0005 * rng.standard_normal(lead_in)
    buffer = io.BytesIO()
    soundfile.write(buffer, signal.astype(np.float32), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()
