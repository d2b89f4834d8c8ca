"""Mastering presets: published delivery specs as TOML data files in `presets/`, one per preset.

A preset has `[rules]` (what a file must measure to pass; a rule absent from the file is not checked)
and `[master]` (the targets `master` aims at, inside the rules with a margin). Adding a platform is
adding a file: `presets/<name>.toml`, its `name` equal to the file's stem.
"""

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_PRESET = "acx"


class PresetRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rms_dbfs: tuple[float, float] | None = None
    peak_dbfs_max: float | None = None
    true_peak_dbtp_max: float | None = None
    integrated_lufs: tuple[float, float] | None = None
    noise_floor_dbfs_max: float | None = None
    head_room_tone_s: tuple[float, float] | None = None
    tail_room_tone_s: tuple[float, float] | None = None
    sample_rate_hz: int | None = None
    channels: int | None = None
    mp3_min_kbps: int | None = None
    mp3_cbr: bool = False


class PresetMaster(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    loudness: Literal["rms", "lufs"] = Field(description="What the gain aims at: whole-file RMS or BS.1770 LUFS.")
    target: float = Field(description="dBFS RMS or LUFS, by `loudness`.")
    true_peak_ceiling_dbtp: float = Field(le=0.0, description="The limiter holds true peaks (4x) at or under this.")
    noise_floor_dbfs: float | None = Field(default=None, description="The gate's target between speech; None: no gate.")
    head_room_tone_s: float | None = Field(default=None, ge=0, description="Head edge outside its rule: set to this.")
    tail_room_tone_s: float | None = Field(default=None, ge=0, description="Tail edge outside its rule: set to this.")
    room_tone_dbfs: float | None = Field(default=None, description="Room tone where the audio is digital silence.")


class Preset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    rules: PresetRules
    master: PresetMaster

    @model_validator(mode="after")
    def _targets_inside_rules(self) -> "Preset":
        """A preset whose own master would fail its rules is a typo; refuse it when it is loaded."""
        rules, master = self.rules, self.master
        window = rules.rms_dbfs if master.loudness == "rms" else rules.integrated_lufs
        if window is not None and not window[0] <= master.target <= window[1]:
            raise ValueError(f"master target {master.target} is outside the rule {window}")
        for edge in ("head_room_tone_s", "tail_room_tone_s"):
            bounds, target = getattr(rules, edge), getattr(master, edge)
            if bounds is not None and (target is None or not bounds[0] <= target <= bounds[1]):
                raise ValueError(f"master {edge} {target} is outside the rule {bounds}")
        return self


def preset_names() -> list[str]:
    folder = resources.files(__package__).joinpath("presets")
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))


@cache
def load_preset(name: str) -> Preset:
    """The preset `name`; KeyError naming the known ones when there is no such file."""
    if name not in preset_names():
        raise KeyError(f"unknown mastering preset {name!r}; known: {', '.join(preset_names())}")
    text = resources.files(__package__).joinpath("presets", f"{name}.toml").read_text(encoding="utf-8")
    preset = Preset.model_validate(tomllib.loads(text))
    if preset.name != name:
        raise ValueError(f"presets/{name}.toml names itself {preset.name!r}")
    return preset
