"""`vocalio backup` / `vocalio restore`: the database and the data dir's stores in one tar archive.

The archive (docs/operations/backup.md) holds `database/vocalio.db` (SQLite) or
`database/vocalio.pgdump` (pg_dump's custom format), the stores under `data/<store>/…`, and last
`manifest.json`: every member's size and sha256, the database kind and the data dir the paths in the
database were written under. It is taken while the stack runs: the database snapshot comes first,
then the files. Files are only ever moved into place whole (the API writes a temporary, then renames),
so every job the snapshot calls finished has its audio already there; a file deleted meanwhile is
left out and a file added meanwhile belongs to a job the snapshot has not finished yet (harmless).
Secrets (secrets.env, admin-key.txt) are not in it: API keys live in the database as hashes, so the
keys clients hold keep working after a restore.
"""

import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

import typer
from pydantic import Field
from vocalio_api.config import sync_database_url
from vocalio_shared.settings import CommonSettings, load_settings

from vocalio_cli import backup_database as db

ARCHIVE_FORMAT = 1
STORES = ("audio", "voices", "books", "sentences")  # the data dir's subdirectories the API writes
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/vocalio.db"
POSTGRES_MEMBER = "database/vocalio.pgdump"
COPY_BUFFER_BYTES = 1 << 20


class BackupSettings(CommonSettings):
    """What backup and restore read of the API's configuration (the same variables, the same files)."""

    database_url: str | None = Field(
        default=None, description="The API's VOCALIO_DATABASE_URL; default the data dir's SQLite file."
    )

    @property
    def sync_database_url(self) -> str:
        return sync_database_url(self.database_url, self.data_dir)


@dataclass
class Manifest:
    database_kind: str
    database_member: str
    source_data_dirs: list[str]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> bytes:
        document = {
            "format": ARCHIVE_FORMAT,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "vocalio_version": _version(),
            "database": {"kind": self.database_kind, "member": self.database_member},
            "source_data_dirs": self.source_data_dirs,
            "files": self.files,
        }
        return json.dumps(document, indent=1, sort_keys=True).encode()


def _version() -> str:
    try:
        return version("vocalio")
    except PackageNotFoundError:
        return "unknown"


class _Hashing:
    """A reader that hashes what tarfile copies, so each file is read once."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, handle: IO[bytes], size: int, mtime: float) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o640
    reader = _Hashing(handle)
    tar.addfile(info, reader)  # type: ignore[arg-type]  # tarfile only calls read()
    return reader.digest.hexdigest()


def _store_files(data_dir: Path) -> list[tuple[str, Path]]:
    """(member name, path) of every finished file of the stores; temporaries (dot files) are not data."""
    found: list[tuple[str, Path]] = []
    for store in STORES:
        root = data_dir / store
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(data_dir)
            if any(part.startswith(".") for part in relative.parts) or path.is_symlink() or not path.is_file():
                continue
            found.append((f"data/{relative.as_posix()}", path))
    return found


def write_backup(settings: BackupSettings, out: IO[bytes], database_dump: IO[bytes] | None = None) -> Manifest:
    """The database snapshot first, then the stores, then the manifest, as one tar stream into `out`."""
    url = settings.sync_database_url
    sqlite = db.is_sqlite(url)
    if sqlite and database_dump is not None:
        raise db.BackupError("--database-dump is a PostgreSQL dump, but the database is SQLite")
    manifest = Manifest(
        database_kind="sqlite" if sqlite else "postgresql",
        database_member=SQLITE_MEMBER if sqlite else POSTGRES_MEMBER,
        source_data_dirs=list(dict.fromkeys([str(settings.data_dir), str(settings.data_dir.resolve())])),
    )
    with tempfile.TemporaryDirectory(prefix="vocalio-backup-") as scratch:
        snapshot = Path(scratch) / "database"
        if sqlite:
            db.snapshot_sqlite(db.sqlite_path(url), snapshot)
        elif database_dump is not None:
            with snapshot.open("wb") as handle:
                shutil.copyfileobj(database_dump, handle, COPY_BUFFER_BYTES)
        else:
            db.dump_postgres(url, snapshot)
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            with snapshot.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                digest = _add(tar, manifest.database_member, handle, size, time.time())
                manifest.files[manifest.database_member] = {"size": size, "sha256": digest}
            for name, path in _store_files(settings.data_dir):
                try:
                    handle = path.open("rb")
                except FileNotFoundError:
                    continue  # deleted since the listing (a job's audio expired): not in the snapshot's future
                with handle:
                    stat = os.fstat(handle.fileno())  # of the open file: a rename can't change it under us
                    digest = _add(tar, name, handle, stat.st_size, stat.st_mtime)
                    manifest.files[name] = {"size": stat.st_size, "sha256": digest}
            body = manifest.to_json()
            _add(tar, MANIFEST, io.BytesIO(body), len(body), time.time())
    return manifest


def _member_path(name: str) -> PurePosixPath:
    """Only the names a backup writes; nothing absolute, nothing climbing out of the data dir."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or name != path.as_posix():
        raise db.BackupError(f"refusing archive member {name!r}")
    if name in (MANIFEST, SQLITE_MEMBER, POSTGRES_MEMBER):
        return path
    if len(path.parts) < 3 or path.parts[0] != "data" or path.parts[1] not in STORES:
        raise db.BackupError(f"refusing archive member {name!r}: not a Vocalio backup member")
    return path


def _not_fresh(settings: BackupSettings, restoring_database: bool) -> list[str]:
    stores = [settings.data_dir / store for store in STORES]
    busy = [str(store) for store in stores if store.is_dir() and any(store.iterdir())]
    url = settings.sync_database_url
    if restoring_database and db.is_sqlite(url) and db.sqlite_path(url).exists():
        busy.append(str(db.sqlite_path(url)))
    elif restoring_database and not db.is_sqlite(url) and db.has_tables(url):
        busy.append("the PostgreSQL database (it has tables)")
    return busy


def read_backup(
    settings: BackupSettings, archive: IO[bytes], database_dump_out: IO[bytes] | None = None
) -> dict[str, Any]:
    """Extract into a staging dir, verify every sha256 against the manifest, then move into place."""
    url = settings.sync_database_url
    busy = _not_fresh(settings, restoring_database=database_dump_out is None)
    if busy:
        raise db.BackupError(f"restore wants a fresh data dir and an empty database; not empty: {', '.join(busy)}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    staging = settings.data_dir / f".restore-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        extracted: dict[str, dict[str, Any]] = {}
        manifest: dict[str, Any] | None = None
        with tarfile.open(fileobj=archive, mode="r|") as tar:
            for member in tar:
                path = _member_path(member.name)
                if not member.isfile():
                    raise db.BackupError(f"refusing archive member {member.name!r}: not a regular file")
                source = tar.extractfile(member)
                assert source is not None  # a regular file always has content
                if member.name == MANIFEST:
                    manifest = json.loads(source.read())
                    continue
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as handle:
                    while chunk := source.read(COPY_BUFFER_BYTES):
                        digest.update(chunk)
                        size += len(chunk)
                        handle.write(chunk)
                extracted[member.name] = {"size": size, "sha256": digest.hexdigest()}
        if manifest is None or manifest.get("format") != ARCHIVE_FORMAT:
            raise db.BackupError("not a Vocalio backup (no manifest.json of format 1 at its end): cut short?")
        if extracted != manifest["files"]:
            names = set(extracted) | set(manifest["files"])
            wrong = sorted(name for name in names if extracted.get(name) != manifest["files"].get(name))
            raise db.BackupError(f"the archive does not match its manifest (sha256 or size): {', '.join(wrong[:10])}")
        kind, member = manifest["database"]["kind"], manifest["database"]["member"]
        if database_dump_out is None and (kind == "sqlite") != db.is_sqlite(url):
            raise db.BackupError(f"the backup holds a {kind} database, but VOCALIO_DATABASE_URL is another kind")
        for store in STORES:
            if (staging / "data" / store).is_dir():
                shutil.rmtree(settings.data_dir / store, ignore_errors=True)  # empty: checked above
                os.replace(staging / "data" / store, settings.data_dir / store)
        rewritten = 0
        if database_dump_out is not None:
            with (staging / member).open("rb") as handle:
                shutil.copyfileobj(handle, database_dump_out, COPY_BUFFER_BYTES)
        else:
            if kind == "sqlite":
                db.sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staging / member, db.sqlite_path(url))
            else:
                db.restore_postgres(url, staging / member)
            rewritten = db.rewrite_paths(url, manifest["source_data_dirs"], str(settings.data_dir.resolve()))
        return {"files": len(extracted) - 1, "database": kind, "paths_rewritten": rewritten}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---- the commands ----------------------------------------------------------------------------------


def _settings(data_dir: Path | None) -> BackupSettings:
    settings = load_settings(BackupSettings)
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir is not None else settings


DataDirOption = Annotated[
    Path | None, typer.Option(help="The data dir (default VOCALIO_DATA_DIR, as the API reads it).", show_default=False)
]


def _open(name: str, mode: str, stack: ExitStack) -> IO[bytes]:
    """A named file, or stdin/stdout for `-` (left open: it is not ours to close)."""
    if name == "-":
        return sys.stdin.buffer if "r" in mode else sys.stdout.buffer
    return stack.enter_context(Path(name).open(mode))  # type: ignore[return-value]


def backup(
    output: Annotated[str, typer.Argument(help="The archive to write (a .tar); - writes it to stdout.")],
    data_dir: DataDirOption = None,
    database_dump: Annotated[
        str | None,
        typer.Option(
            help="Put this `pg_dump --format=custom` file (- reads stdin) in the archive instead of running pg_dump "
            "(compose: pg_dump runs in the postgres container)."
        ),
    ] = None,
) -> None:
    """Back up the database and the audio, voice, book and sentence stores into one archive, while the stack runs."""
    settings = _settings(data_dir)
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            dump = _open(database_dump, "rb", stack) if database_dump is not None else None
            if output == "-":
                manifest = write_backup(settings, sys.stdout.buffer, dump)
                sys.stdout.buffer.flush()
            else:
                target = Path(output)
                partial = target.with_name(f".{target.name}.partial")
                stack.callback(partial.unlink, missing_ok=True)
                with partial.open("wb") as handle:
                    manifest = write_backup(settings, handle, dump)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(partial, target)  # a backup cut short never looks like a finished one
    except (db.BackupError, OSError) as error:
        typer.echo(f"vocalio backup: {error}", err=True)
        raise typer.Exit(1) from None
    total = sum(entry["size"] for entry in manifest.files.values())
    typer.echo(
        f"vocalio backup: {manifest.database_kind} database and {len(manifest.files) - 1} files, "
        f"{total / 1e6:.1f} MB, in {time.monotonic() - started:.1f}s -> {output}",
        err=True,
    )


def restore(
    archive: Annotated[str, typer.Argument(help="An archive `vocalio backup` wrote; - reads stdin.")],
    data_dir: DataDirOption = None,
    database_dump_out: Annotated[
        str | None,
        typer.Option(
            help="Write the archive's PostgreSQL dump here (- for stdout) instead of running pg_restore "
            "(compose: pg_restore runs in the postgres container)."
        ),
    ] = None,
) -> None:
    """Restore a backup into a fresh data dir and an empty database; every file is checked against its sha256."""
    settings = _settings(data_dir)
    try:
        with ExitStack() as stack:
            source = _open(archive, "rb", stack)
            out = _open(database_dump_out, "wb", stack) if database_dump_out is not None else None
            result = read_backup(settings, source, out)
    except (db.BackupError, tarfile.TarError, OSError) as error:
        typer.echo(f"vocalio restore: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"vocalio restore: {result['database']} database and {result['files']} files verified and restored into "
        f"{settings.data_dir} ({result['paths_rewritten']} stored paths moved to it)",
        err=True,
    )
