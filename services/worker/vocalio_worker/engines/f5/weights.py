"""Where F5 weights come from: a local path, the Hugging Face cache, or a hub download on first start.

huggingface_hub does the work (cache layout, HF_HUB_OFFLINE, resumable downloads with a progress bar);
this module turns its failures into one clear start error and checks what it got:
- LFS files live in the cache as `blobs/<sha256>`, so the content is hashed and compared with that name
  (a truncated or tampered blob fails the start instead of loading half a model);
- an entry's `sha256` pin, when set, must match as well.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.engines.f5.registry import ModelEntry

log = logging.getLogger(__name__)

VOCOS_FILES = ("config.yaml", "pytorch_model.bin")
_SHA256_NAME = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ModelFiles:
    checkpoint: Path
    vocab: Path
    checkpoint_sha256: str


def _unavailable(message: str, **context: object) -> VocalioError:
    return VocalioError(ErrorCode.ENGINE_UNAVAILABLE, message, dict(context))


def offline_mode() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def hub_file(repo: str, filename: str, revision: str | None = None) -> Path:
    """A file from the HF cache, downloaded first when allowed; ENGINE_UNAVAILABLE when it cannot be had."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        # Progress goes to stderr through huggingface_hub's own bars; the log line says what is fetched.
        log.info("f5_weights_resolve repo=%s file=%s offline=%s", repo, filename, offline_mode())
        return Path(hf_hub_download(repo_id=repo, filename=filename, revision=revision))
    except LocalEntryNotFoundError as error:
        if offline_mode():
            raise _unavailable(
                f"{repo}/{filename} is not in the Hugging Face cache and HF_HUB_OFFLINE is set: download it once "
                "online (or copy the cache), or point VOCALIO_F5_CHECKPOINT / VOCALIO_F5_VOCODER at local files",
                repo=repo,
                file=filename,
                offline=True,
            ) from error
        raise _unavailable(f"cannot download {repo}/{filename}: {error}", repo=repo, file=filename) from error
    except Exception as error:  # repo/file not found, gated, HTTP errors: all are start errors
        raise _unavailable(f"cannot get {repo}/{filename}: {error}", repo=repo, file=filename) from error


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()


def verified_sha256(path: Path, pinned: str | None) -> str:
    """The file's sha256, checked against its cache blob name (LFS) and the registry pin."""
    actual = sha256_of(path)
    blob_name = path.resolve().name
    if _SHA256_NAME.match(blob_name) and blob_name != actual:
        raise _unavailable(
            f"checksum mismatch for {path}: the cache expects sha256 {blob_name}, the file has {actual}; "
            "delete the cached file and start again",
            path=str(path),
        )
    if pinned and pinned.lower() != actual:
        raise _unavailable(
            f"checksum mismatch for {path}: the registry pins sha256 {pinned}, the file has {actual}", path=str(path)
        )
    return actual


def default_vocab() -> Path:
    """The character vocab F5-TTS ships (the Emilia pinyin/char set every Base checkpoint was trained with)."""
    return Path(str(files("f5_tts").joinpath("infer/examples/vocab.txt")))


def model_files(entry: ModelEntry, local_checkpoint: Path | None) -> ModelFiles:
    if local_checkpoint is not None:
        if not local_checkpoint.is_file():
            raise _unavailable(f"VOCALIO_F5_CHECKPOINT={local_checkpoint} does not exist", path=str(local_checkpoint))
        checkpoint = local_checkpoint
    else:
        checkpoint = hub_file(entry.repo, entry.file, entry.revision)
    # A local file is a different file: the entry's pin does not apply, the cross-check in `loading` does.
    digest = verified_sha256(checkpoint, None if local_checkpoint else entry.sha256)
    vocab = default_vocab() if entry.vocab == "default" else hub_file(entry.repo, entry.vocab, entry.revision)
    return ModelFiles(checkpoint=checkpoint, vocab=vocab, checkpoint_sha256=digest)


def vocoder_files(vocoder: str) -> tuple[Path, Path]:
    """(config.yaml, pytorch_model.bin) of Vocos, from a local folder or a hub repo id."""
    local = Path(vocoder).expanduser()
    if local.is_dir():
        paths = tuple(local / name for name in VOCOS_FILES)
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise _unavailable(f"vocoder folder {local} lacks {', '.join(missing)}", path=str(local))
        return paths[0], paths[1]
    config, weights = (hub_file(vocoder, name) for name in VOCOS_FILES)
    verified_sha256(weights, None)
    return config, weights
