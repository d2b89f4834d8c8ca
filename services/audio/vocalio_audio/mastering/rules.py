"""A preset's rules against a measurement: one `RuleCheck` per rule the preset sets.

Rule names (stable: reports, `vocalio book check --json` and scripts read them):
`rms`, `peak`, `true_peak`, `integrated_lufs`, `noise_floor`, `head_room_tone`, `tail_room_tone`,
`sample_rate`, `channels`, and for MP3 files `mp3_bitrate`, `mp3_cbr`. A rule compares the figure
as reported (rounded to 0.01 dB, 1 ms), so the number a person reads is the one that decided.
"""

from dataclasses import dataclass

from vocalio_shared.schemas.quality import AudioMeasurements, AudioReport, RuleCheck

from vocalio_audio.mastering.measuring import Measurement
from vocalio_audio.mastering.preset import Preset

RULE_NAMES = (
    "rms",
    "peak",
    "true_peak",
    "integrated_lufs",
    "noise_floor",
    "head_room_tone",
    "tail_room_tone",
    "sample_rate",
    "channels",
    "mp3_bitrate",
    "mp3_cbr",
)


@dataclass(frozen=True)
class Mp3Stream:
    """What the MP3 frame headers say (see `mp3.read_mp3_stream`)."""

    bitrate_kbps: int  # the lowest frame bitrate: what a CBR minimum reads
    cbr: bool


def _window(rule: str, value: float | None, bounds: tuple[float, float], unit: str) -> RuleCheck:
    low, high = bounds
    passed = value is not None and low <= value <= high
    return RuleCheck(rule=rule, passed=passed, value=value, target=f"{low:g}..{high:g} {unit}")


def _at_most(rule: str, value: float | None, ceiling: float, unit: str) -> RuleCheck:
    return RuleCheck(
        rule=rule, passed=value is not None and value <= ceiling, value=value, target=f"<= {ceiling:g} {unit}"
    )


def evaluate(figures: AudioMeasurements, preset: Preset, mp3: Mp3Stream | None = None) -> list[RuleCheck]:
    rules = preset.rules
    checks: list[RuleCheck] = []
    if rules.rms_dbfs is not None:
        checks.append(_window("rms", figures.rms_dbfs, rules.rms_dbfs, "dBFS"))
    if rules.peak_dbfs_max is not None:
        checks.append(_at_most("peak", figures.peak_dbfs, rules.peak_dbfs_max, "dBFS"))
    if rules.true_peak_dbtp_max is not None:
        checks.append(_at_most("true_peak", figures.true_peak_dbfs, rules.true_peak_dbtp_max, "dBTP"))
    if rules.integrated_lufs is not None:
        checks.append(_window("integrated_lufs", figures.integrated_lufs, rules.integrated_lufs, "LUFS"))
    if rules.noise_floor_dbfs_max is not None:
        checks.append(_at_most("noise_floor", figures.noise_floor_dbfs, rules.noise_floor_dbfs_max, "dBFS"))
    if rules.head_room_tone_s is not None:
        checks.append(_window("head_room_tone", figures.head_room_tone_s, rules.head_room_tone_s, "s"))
    if rules.tail_room_tone_s is not None:
        checks.append(_window("tail_room_tone", figures.tail_room_tone_s, rules.tail_room_tone_s, "s"))
    if rules.sample_rate_hz is not None:
        passed = figures.sample_rate_hz == rules.sample_rate_hz
        checks.append(
            RuleCheck(
                rule="sample_rate", passed=passed, value=figures.sample_rate_hz, target=f"{rules.sample_rate_hz} Hz"
            )
        )
    if rules.channels is not None:
        target = f"{rules.channels} channel{'s' if rules.channels > 1 else ''}"
        checks.append(
            RuleCheck(rule="channels", passed=figures.channels == rules.channels, value=figures.channels, target=target)
        )
    if mp3 is not None and rules.mp3_min_kbps is not None:
        passed = mp3.bitrate_kbps >= rules.mp3_min_kbps
        checks.append(
            RuleCheck(rule="mp3_bitrate", passed=passed, value=mp3.bitrate_kbps, target=f">= {rules.mp3_min_kbps} kbps")
        )
    if mp3 is not None and rules.mp3_cbr:
        checks.append(RuleCheck(rule="mp3_cbr", passed=mp3.cbr, value=None, target="constant bitrate"))
    return checks


def report(measurement: Measurement, preset: Preset, mp3: Mp3Stream | None = None) -> AudioReport:
    """The measurement against the preset, nothing changed (a job's file, `vocalio book check`)."""
    checks = evaluate(measurement.figures, preset, mp3)
    failures = [check.rule for check in checks if not check.passed]
    return AudioReport(
        preset=preset.name,
        measured=measurement.figures,
        rules=checks,
        passed=not failures,
        failures=failures,
        timeline_step_s=measurement.timeline_step_s,
        timeline_lufs=measurement.timeline_lufs,
    )
