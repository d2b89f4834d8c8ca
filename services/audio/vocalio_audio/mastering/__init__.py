"""Mastering to a published delivery spec (ACX by default): measure, fix, measure again.

`measure` (figures), `evaluate`/`report` (a preset's rules), `master` (the fix), presets as TOML
data in `presets/`. The worker masters every chapter and measures every other job with it;
`vocalio book check` reports any audio file against a preset.
"""

from vocalio_audio.mastering.chain import Mastered, master, master_audio
from vocalio_audio.mastering.measuring import Measurement, measure
from vocalio_audio.mastering.preset import DEFAULT_PRESET, Preset, load_preset, preset_names
from vocalio_audio.mastering.rules import RULE_NAMES, Mp3Stream, evaluate, report

__all__ = [
    "DEFAULT_PRESET",
    "RULE_NAMES",
    "Mastered",
    "Measurement",
    "Mp3Stream",
    "Preset",
    "evaluate",
    "load_preset",
    "master",
    "master_audio",
    "measure",
    "preset_names",
    "report",
]
