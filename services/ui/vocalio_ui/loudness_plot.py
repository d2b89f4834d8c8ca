"""A chapter's loudness over time as an inline SVG, drawn on the server from its report's
`timeline_lufs` (short-term loudness every `timeline_step_s`), with the preset's target band behind
it: no chart library, no script, readable without JavaScript, and small (one polyline per stretch of
speech; silent windows, None in the timeline, break the line).

The band is the preset's level rule as its report states it (`rms`, or a LUFS rule), read from the
rule's target text ("-23..-18 dBFS"); short-term LUFS and RMS dBFS differ by a few dB on speech, so
the band is a guide for the eye, and the rule's pass/fail is the verdict.
"""

import re
from dataclasses import dataclass
from html import escape

from vocalio_shared.schemas.quality import AudioReport

WIDTH, HEIGHT = 600, 140
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 8, 8, 22
FLOOR_LUFS = -50.0  # the bottom of the plot (quieter windows are drawn at it)
CEILING_LUFS = -5.0
_LEVEL_RULES = ("integrated_lufs", "lufs", "loudness", "rms")
_RANGE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:\.\.|–|—|to)\s*(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


def target_band(report: AudioReport) -> Band | None:
    """The preset's level range, from the first level rule whose target reads as a range."""
    by_name = {rule.rule: rule for rule in report.rules}
    for name in _LEVEL_RULES:
        rule = by_name.get(name)
        found = _RANGE.search(rule.target) if rule is not None else None
        if rule is not None and found:
            low, high = sorted((float(found.group(1)), float(found.group(2))))
            return Band(low, high, f"{report.preset} {name} {rule.target}")
    return None


def _y(level: float) -> float:
    level = min(max(level, FLOOR_LUFS), CEILING_LUFS)
    span = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(PAD_TOP + (CEILING_LUFS - level) / (CEILING_LUFS - FLOOR_LUFS) * span, 1)


def loudness_svg(report: AudioReport, *, element_id: str, label: str) -> str | None:
    """The plot as SVG markup, or None when the report has no timeline."""
    timeline, step = report.timeline_lufs, report.timeline_step_s
    if not timeline or not step:
        return None
    duration = max(step * (len(timeline) - 1), step)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT

    def x(index: int) -> float:
        return round(PAD_LEFT + index * step / duration * plot_w, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="loudness-plot" id="{escape(element_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    band = target_band(report)
    if band is not None:
        top, bottom = _y(band.high), _y(band.low)
        parts.append(
            f'<rect class="target-band" x="{PAD_LEFT}" y="{top}" width="{plot_w}" height="{round(bottom - top, 1)}" '
            f'data-low="{band.low}" data-high="{band.high}"><title>{escape(band.label)}</title></rect>'
        )
    for level in (-10, -20, -30, -40):
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{_y(level)}" y2="{_y(level)}"/>'
            f'<text class="axis" x="{PAD_LEFT - 4}" y="{_y(level) + 4}" text-anchor="end">{level}</text>'
        )
    stretch: list[str] = []
    stretches: list[list[str]] = []
    for index, level in enumerate(timeline):
        if level is None:
            if stretch:
                stretches.append(stretch)
            stretch = []
            continue
        stretch.append(f"{x(index)},{_y(level)}")
    if stretch:
        stretches.append(stretch)
    for points in stretches:
        if len(points) == 1:  # one window between silences: a dot, a polyline of one point draws nothing
            px, py = points[0].split(",")
            parts.append(f'<circle class="loudness" cx="{px}" cy="{py}" r="1.5"/>')
        else:
            parts.append(f'<polyline class="loudness" points="{" ".join(points)}"/>')
    baseline = HEIGHT - PAD_BOTTOM
    parts.append(
        f'<text class="axis" x="{PAD_LEFT}" y="{baseline + 15}">0 s</text>'
        f'<text class="axis" x="{WIDTH - PAD_RIGHT}" y="{baseline + 15}" text-anchor="end">{duration:.0f} s</text>'
        f'<text class="axis" x="{PAD_LEFT + 4}" y="{PAD_TOP + 10}">LUFS (short-term)</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
