"""The Kokoro release as data (`assets.toml`): files with their pins, the Spanish voices, region → voice.

An operator's file (VOCALIO_KOKORO_ASSETS_FILE, same layout) is read over it: its tables replace the
built-in ones key by key (a new release's pins, another region → voice map).
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region

ASSETS_FILE = Path(__file__).with_name("assets.toml")


@dataclass(frozen=True)
class Asset:
    file: str
    url: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class KokoroAssets:
    models: dict[str, Asset]
    voices: Asset
    spanish_voices: tuple[str, ...]
    region_voices: dict[Region, str]


def _asset(table: dict[str, object]) -> Asset:
    return Asset(
        file=str(table["file"]),
        url=str(table["url"]),
        size_bytes=int(str(table["size_bytes"])),
        sha256=str(table["sha256"]).lower(),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise VocalioError(
            ErrorCode.ENGINE_UNAVAILABLE, f"cannot read the Kokoro assets file {path}: {error}"
        ) from error


@cache
def kokoro_assets(extra_file: Path | None = None) -> KokoroAssets:
    data = _read(ASSETS_FILE)
    if extra_file is not None:
        for key, table in _read(extra_file).items():
            if key == "models":
                data["models"] = {**data["models"], **table}
            elif isinstance(table, dict):
                data[key] = {**data.get(key, {}), **table}
    region_voices = {Region(name): voice for name, voice in data["region_voices"].items()}
    missing = set(Region) - set(region_voices)
    if missing:  # a new region must get a voice here, not a KeyError in the middle of a job
        raise VocalioError(ErrorCode.ENGINE_UNAVAILABLE, f"no Kokoro voice for regions {sorted(missing)}")
    try:
        return KokoroAssets(
            models={name: _asset(table) for name, table in data["models"].items()},
            voices=_asset(data["voices"]),
            spanish_voices=tuple(data["spanish"]["voices"]),
            region_voices=region_voices,
        )
    except (KeyError, ValueError) as error:
        raise VocalioError(ErrorCode.ENGINE_UNAVAILABLE, f"bad Kokoro assets ({extra_file}): {error!r}") from error
