"""Regional variant detection from weighted lexical and morphological markers."""

from dataclasses import dataclass, field

from vocalio_shared.regions import Region


@dataclass(frozen=True)
class RegionDetection:
    region: Region
    confidence: float
    markers: list[str] = field(default_factory=list)


def detect_region(text: str) -> RegionDetection:
    return RegionDetection(region=Region.NEUTRAL, confidence=0.0, markers=[])
