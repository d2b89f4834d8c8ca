"""Regional Spanish variants: the one list every service agrees on."""

from enum import StrEnum


class Region(StrEnum):
    NEUTRAL = "neutral"
    RIOPLATENSE = "rioplatense"
    COLOMBIAN = "colombian"
    MEXICAN = "mexican"
    CHILEAN = "chilean"
    CARIBBEAN = "caribbean"
    ANDEAN = "andean"
    PENINSULAR = "peninsular"  # Spain


class RegionChoice(StrEnum):
    """What a client may ask for: a variant, neutral, or detection from the text."""

    AUTO = "auto"
    NEUTRAL = "neutral"
    RIOPLATENSE = "rioplatense"
    COLOMBIAN = "colombian"
    MEXICAN = "mexican"
    CHILEAN = "chilean"
    CARIBBEAN = "caribbean"
    ANDEAN = "andean"
    PENINSULAR = "peninsular"  # Spain


REGIONAL_VARIANTS: tuple[Region, ...] = tuple(Region)
