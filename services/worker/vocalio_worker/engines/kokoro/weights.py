"""Where the Kokoro files come from: a local path, the weights folder, or a download on first start.

A download goes to `<file>.part` with a progress bar on stderr, is hashed as it arrives, and is moved into
place only when its size and sha256 match the pins in `assets.toml`; a file already in the folder is hashed
again at every start (a truncated or tampered file fails the start instead of loading half a model). Local
paths (VOCALIO_KOKORO_MODEL_PATH / _VOICES_PATH) are the operator's files: used as they are.
"""

import hashlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.engines.kokoro.assets import Asset, kokoro_assets
from vocalio_worker.engines.kokoro.settings import KokoroSettings

log = logging.getLogger(__name__)

_BLOCK = 1 << 20


@dataclass(frozen=True)
class KokoroFiles:
    model: Path
    voices: Path
    model_sha256: str
    voices_sha256: str


def _unavailable(message: str, **context: object) -> VocalioError:
    return VocalioError(ErrorCode.ENGINE_UNAVAILABLE, message, dict(context))


def offline(settings: KokoroSettings) -> bool:
    """VOCALIO_KOKORO_OFFLINE, or the Hugging Face switch operators already set for an offline host."""
    return settings.kokoro_offline or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def weights_dir(settings: KokoroSettings) -> Path:
    return settings.kokoro_weights_dir or settings.data_dir / "models" / "kokoro"


def model_asset(settings: KokoroSettings) -> Asset:
    return kokoro_assets(settings.kokoro_assets_file).models[settings.kokoro_model]


def url_for(asset: Asset, settings: KokoroSettings) -> str:
    if settings.kokoro_base_url:
        return f"{settings.kokoro_base_url.rstrip('/')}/{asset.file}"
    return asset.url


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(8 * _BLOCK):
            digest.update(block)
    return digest.hexdigest()


def missing_reason(settings: KokoroSettings) -> str | None:
    """Why the files cannot be had without loading anything (cheap: no hashing, no network), or None."""
    for local, what in ((settings.kokoro_model_path, "MODEL_PATH"), (settings.kokoro_voices_path, "VOICES_PATH")):
        if local is not None and not local.is_file():
            return f"VOCALIO_KOKORO_{what}={local} does not exist"
    try:
        model_asset(settings)
    except VocalioError as error:
        return error.message
    except KeyError:
        return f"the Kokoro assets have no model {settings.kokoro_model!r}"
    if not offline(settings):
        return None
    folder = weights_dir(settings)
    wanted = [
        asset
        for local, asset in (
            (settings.kokoro_model_path, model_asset(settings)),
            (settings.kokoro_voices_path, kokoro_assets(settings.kokoro_assets_file).voices),
        )
        if local is None and not (folder / asset.file).is_file()
    ]
    if wanted:
        names = ", ".join(asset.file for asset in wanted)
        return (
            f"the Kokoro files ({names}) are not in {folder} and downloads are off (offline): download them once "
            "online, copy them there, or set VOCALIO_KOKORO_MODEL_PATH / VOCALIO_KOKORO_VOICES_PATH"
        )
    return None


class _Progress:
    """A progress bar on stderr where tqdm is installed (dev, GPU image), else a log line every 10 %
    (the CPU image has no tqdm; the log is what a container operator reads anyway)."""

    def __init__(self, asset: Asset) -> None:
        self.asset, self.received, self._logged = asset, 0, 0
        try:
            from tqdm import tqdm

            self._bar: Any = tqdm(total=asset.size_bytes, unit="B", unit_scale=True, desc=asset.file, file=sys.stderr)
        except ImportError:
            self._bar = None

    def update(self, count: int) -> None:
        self.received += count
        if self._bar is not None:
            self._bar.update(count)
        tenth = self.received * 10 // max(1, self.asset.size_bytes)
        if tenth > self._logged:
            self._logged = tenth
            log.info("kokoro_download_progress file=%s percent=%d", self.asset.file, min(100, tenth * 10))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def download(asset: Asset, url: str, target: Path, timeout_s: float) -> str:
    """Fetch `url` to `target` through `<target>.part`, checking size and sha256 before the rename."""
    import httpx

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    progress = _Progress(asset)
    log.info("kokoro_download url=%s to=%s bytes=%d", url, target, asset.size_bytes)
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout_s) as response, partial.open("wb") as out:
            response.raise_for_status()
            for block in response.iter_bytes(_BLOCK):
                out.write(block)
                digest.update(block)
                progress.update(len(block))
    except (httpx.HTTPError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise _unavailable(f"cannot download {url}: {error}", url=url) from error
    finally:
        progress.close()
    actual = digest.hexdigest()
    if progress.received != asset.size_bytes or actual != asset.sha256:
        partial.unlink(missing_ok=True)
        raise _unavailable(
            f"download of {url} does not match its pin: got {progress.received} bytes sha256 {actual}, expected "
            f"{asset.size_bytes} bytes sha256 {asset.sha256}",
            url=url,
        )
    os.replace(partial, target)
    return actual


def _pinned_file(asset: Asset, settings: KokoroSettings) -> tuple[Path, str]:
    target = weights_dir(settings) / asset.file
    if target.is_file():
        actual = sha256_of(target)
        if actual == asset.sha256:
            return target, actual
        if offline(settings):
            raise _unavailable(
                f"checksum mismatch for {target}: expected sha256 {asset.sha256}, the file has {actual}; "
                "replace it (downloads are off)",
                path=str(target),
            )
        log.warning("kokoro_file_mismatch path=%s sha256=%s: downloading it again", target, actual)
    elif offline(settings):
        raise _unavailable(
            f"{target} is missing and downloads are off (offline): download it once online or copy it there",
            path=str(target),
        )
    return target, download(asset, url_for(asset, settings), target, settings.kokoro_download_timeout_s)


def _file(local: Path | None, asset: Asset, settings: KokoroSettings) -> tuple[Path, str]:
    if local is None:
        return _pinned_file(asset, settings)
    if not local.is_file():
        raise _unavailable(f"{local} does not exist", path=str(local))
    return local, sha256_of(local)  # the sha256 still names the model in the sentence cache's keys


def kokoro_files(settings: KokoroSettings) -> KokoroFiles:
    """The model and voices files, verified; downloads what is missing unless offline."""
    model, model_sha256 = _file(settings.kokoro_model_path, model_asset(settings), settings)
    voices, voices_sha256 = _file(
        settings.kokoro_voices_path, kokoro_assets(settings.kokoro_assets_file).voices, settings
    )
    return KokoroFiles(model=model, voices=voices, model_sha256=model_sha256, voices_sha256=voices_sha256)
