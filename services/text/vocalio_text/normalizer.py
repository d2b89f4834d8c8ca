"""normalize(): written Spanish to spoken Spanish."""

from vocalio_shared.regions import Region


def normalize(text: str, region: Region | None = None) -> str:
    return text
