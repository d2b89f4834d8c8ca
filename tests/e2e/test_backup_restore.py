"""`vocalio backup` mid-load, `vocalio restore` into a fresh data dir, the API started on it: every job the
backup saw finished downloads with the same sha256, the uploaded voice too; a tampered or cut archive and
a data dir already in use are refused. On SQLite, and on PostgreSQL (marked `postgres`)."""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import redis
import soundfile
from typer import Typer
from typer.testing import CliRunner
from vocalio_cli.backup import backup, restore

from tests.support.processes import ApiProcess, WorkerProcess

JOBS = 8
TEXT = "Primera frase del capítulo. Segunda frase, algo más larga que la primera. Y una tercera para cerrar."
# Each chunk takes this much longer, so some jobs are still queued or running when the backup is taken.
CHUNK_DELAY_S = "1.0"


def cli(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VOCALIO_")} | env
    command = [sys.executable, "-m", "vocalio_cli.main", *args]
    return subprocess.run(command, env=clean, input=stdin, capture_output=True, timeout=120)


# The same two commands in-process, for the quick checks of the archive itself (no process start each).
COMMANDS = Typer()
COMMANDS.command("backup")(backup)
COMMANDS.command("restore")(restore)


def in_process(args: list[str], data_dir: Path, stdin: bytes | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(COMMANDS, args, input=stdin, env={"VOCALIO_DATA_DIR": str(data_dir)})
    return result.exit_code, result.stdout_bytes, result.stderr


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def all_jobs(client: httpx.Client) -> dict[str, str]:
    items = client.get("/api/v1/jobs", params={"limit": 200}).json()["items"]
    return {job["id"]: job["status"] for job in items}


def reference_wav() -> bytes:
    t = np.arange(24000 * 4) / 24000
    voiced = sum(np.sin(2 * np.pi * k * (150 * t + 5 * np.sin(2 * np.pi * 0.5 * t))) / k for k in range(1, 6))
    audio = (0.25 * voiced * (np.sin(2 * np.pi * 4 * t) > -0.6) / 2.3).astype(np.float32)
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, 24000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


@pytest.fixture
def second_postgres_url(postgres_server: str) -> str:
    """Another empty database on the session's server: where the backup is restored."""
    import psycopg

    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS vocalio_restored")
        connection.execute("CREATE DATABASE vocalio_restored")
    base, _, query = postgres_server.partition("?")
    return f"{base.rsplit('/', 1)[0]}/vocalio_restored" + (f"?{query}" if query else "")


def round_trip(tmp_path: Path, redis_url: str, source_env: dict[str, str], target_env: dict[str, str]) -> None:
    api = ApiProcess(tmp_path / "source", redis_url, source_env)
    api.data_dir.mkdir()
    api.start()
    worker = WorkerProcess(api, redis_url, tmp_path, extra_env={"VOCALIO_SIMULATED_CHUNK_DELAY_S": CHUNK_DELAY_S})
    restored: ApiProcess | None = None
    try:
        worker.start(timeout_s=60)
        key = api.admin_key
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=api.base_url, headers=headers, timeout=30) as client:
            voice = client.post(
                "/api/v1/voices",
                data={"name": "Lucía", "transcript": "Había una vez una panadera.", "consent": "true"},
                files={"file": ("lucia.wav", reference_wav(), "audio/wav")},
            )
            assert voice.status_code == 201, voice.text
            voice_audio = client.get(f"/api/v1/voices/{voice.json()['id']}/audio").content
            for n in range(JOBS):
                body = {"text": f"{TEXT} Número {n}.", "output_format": "flac", "sample_rate": 16000}
                assert client.post("/api/v1/jobs", json=body).status_code == 202
            deadline = time.monotonic() + 120
            while "succeeded" not in all_jobs(client).values() and time.monotonic() < deadline:
                time.sleep(0.2)

            # Mid-load: the worker is synthesizing while the backup runs.
            env = source_env | {"VOCALIO_DATA_DIR": str(api.data_dir)}
            started = time.monotonic()
            made = cli(["backup", str(tmp_path / "backup.tar")], env)
            backup_s = time.monotonic() - started
            assert made.returncode == 0, made.stderr.decode()
            # Every job finished now was finished or not yet in the snapshot; succeeded never goes back.
            finished_now = [job for job, state in all_jobs(client).items() if state == "succeeded"]
            source_audio = {job: sha256(client.get(f"/api/v1/jobs/{job}/audio").content) for job in finished_now}
            submitted = set(all_jobs(client))
        worker.stop()
        api.stop()
        redis.Redis.from_url(redis_url).flushdb()  # the restored stack starts on an empty queue too

        target = tmp_path / "restored"
        put = cli(["restore", str(tmp_path / "backup.tar")], target_env | {"VOCALIO_DATA_DIR": str(target)})
        assert put.returncode == 0, put.stderr.decode()
        assert not (target / "admin-key.txt").exists() and not (target / "secrets.env").exists()  # no secret
        again = cli(["restore", str(tmp_path / "backup.tar")], target_env | {"VOCALIO_DATA_DIR": str(target)})
        assert again.returncode == 1 and b"fresh data dir" in again.stderr

        restored = ApiProcess(target, redis_url, target_env)
        restored.start()
        with httpx.Client(base_url=restored.base_url, headers=headers, timeout=30) as client:  # the same key
            jobs = all_jobs(client)
            assert set(jobs) == submitted
            finished = [job for job, state in jobs.items() if state == "succeeded"]
            assert 1 <= len(finished) < JOBS, jobs  # taken mid-load: some finished, some not yet
            for job in finished:
                response = client.get(f"/api/v1/jobs/{job}/audio")
                assert response.status_code == 200, response.text
                assert sha256(response.content) == source_audio[job], job
            assert client.get(f"/api/v1/voices/{voice.json()['id']}/audio").content == voice_audio
        print(f"backup mid-load: {backup_s:.1f}s, {len(finished)}/{JOBS} jobs finished in it")
    finally:
        for process in (restored, worker, api):
            if process is not None:
                process.stop()


def test_backup_mid_load_restores_every_finished_job_on_sqlite(tmp_path: Path, redis_url: str) -> None:
    round_trip(tmp_path, redis_url, {}, {})


@pytest.mark.postgres
def test_backup_mid_load_restores_every_finished_job_on_postgres(
    tmp_path: Path, redis_url: str, postgres_url: str, second_postgres_url: str
) -> None:
    round_trip(
        tmp_path, redis_url, {"VOCALIO_DATABASE_URL": postgres_url}, {"VOCALIO_DATABASE_URL": second_postgres_url}
    )


@pytest.fixture
def small_backup(tmp_path: Path) -> Iterator[Path]:
    """A backup of a data dir made by hand: a SQLite database and two audio files."""
    import sqlite3

    source = tmp_path / "source"
    (source / "audio").mkdir(parents=True)
    (source / "audio" / "a.flac").write_bytes(b"A" * 5000)
    (source / "audio" / "b.flac").write_bytes(b"B" * 7000)
    (source / "audio" / ".upload-x.part").write_bytes(b"half")  # a temporary: never backed up
    with sqlite3.connect(source / "vocalio.db") as connection:
        connection.execute("CREATE TABLE jobs (id TEXT, audio_path TEXT)")
        connection.execute("INSERT INTO jobs VALUES ('a', ?)", (str(source / "audio" / "a.flac"),))
    code, archive, stderr = in_process(["backup", "-"], source)  # to stdout, as the compose pipeline does
    assert code == 0, stderr
    (tmp_path / "backup.tar").write_bytes(archive)
    yield tmp_path / "backup.tar"


def test_the_archive_lists_every_member_with_its_sha256(small_backup: Path, tmp_path: Path) -> None:
    import json

    with tarfile.open(small_backup) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        assert names[0] == "database/vocalio.db" and names[-1] == "manifest.json"
        assert set(names) == {"manifest.json", *manifest["files"]}
        assert "data/audio/.upload-x.part" not in names
        for name, entry in manifest["files"].items():
            assert sha256(tar.extractfile(name).read()) == entry["sha256"]  # type: ignore[union-attr]
    target = tmp_path / "elsewhere"
    code, _, stderr = in_process(["restore", "-"], target, stdin=small_backup.read_bytes())  # from stdin
    assert code == 0, stderr
    import sqlite3

    with sqlite3.connect(target / "vocalio.db") as connection:
        (path,) = connection.execute("SELECT audio_path FROM jobs").fetchone()
    assert path == str(target.resolve() / "audio" / "a.flac")  # the stored path follows the data dir
    assert (target / "audio" / "b.flac").read_bytes() == b"B" * 7000


def test_a_tampered_or_cut_archive_is_refused_and_nothing_is_restored(small_backup: Path, tmp_path: Path) -> None:
    data = bytearray(small_backup.read_bytes())
    with tarfile.open(small_backup) as tar:
        offset = tar.getmember("data/audio/b.flac").offset_data
    data[offset + 10] ^= 0xFF
    target = tmp_path / "target"
    code, _, stderr = in_process(["restore", "-"], target, stdin=bytes(data))
    assert code == 1 and "data/audio/b.flac" in stderr, stderr
    assert not (target / "audio").exists() and not (target / "vocalio.db").exists()
    code, _, stderr = in_process(["restore", "-"], target, stdin=small_backup.read_bytes()[:6000])
    assert code == 1, stderr
    assert not (target / "audio").exists() and not (target / "vocalio.db").exists()
    assert not [path for path in target.iterdir() if path.name.startswith(".restore-")]  # staging removed


@pytest.mark.postgres
def test_the_compose_pipeline_pg_dump_in_and_pg_restore_out(
    tmp_path: Path, postgres_url: str, second_postgres_url: str
) -> None:
    """docs/operations/backup.md's compose commands, with pgserver's pg_dump/pg_restore standing in for the
    postgres container's: the dump goes in through stdin, comes out through stdout, and restores."""
    import psycopg
    from vocalio_cli.backup_database import postgres_tool

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, audio_path TEXT)")
        connection.execute("INSERT INTO jobs VALUES ('j1', '/data/audio/j1.flac')")
    data = tmp_path / "data"
    (data / "audio").mkdir(parents=True)
    (data / "audio" / "j1.flac").write_bytes(b"flac" * 1000)
    env = {"VOCALIO_DATA_DIR": str(data), "VOCALIO_DATABASE_URL": postgres_url}
    dump = subprocess.run(
        [postgres_tool("pg_dump"), "--format=custom", postgres_url], capture_output=True, check=True, timeout=60
    )
    made = cli(["backup", "-", "--database-dump", "-"], env, stdin=dump.stdout)
    assert made.returncode == 0, made.stderr.decode()
    with tarfile.open(fileobj=io.BytesIO(made.stdout)) as tar:
        assert tar.getnames() == ["database/vocalio.pgdump", "data/audio/j1.flac", "manifest.json"]

    restored = tmp_path / "restored"
    out = cli(["restore", "-", "--database-dump-out", "-"], {"VOCALIO_DATA_DIR": str(restored)}, stdin=made.stdout)
    assert out.returncode == 0, out.stderr.decode()
    subprocess.run(
        [postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={second_postgres_url}"],
        input=out.stdout, capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    with psycopg.connect(second_postgres_url) as connection:
        assert connection.execute("SELECT audio_path FROM jobs").fetchall() == [("/data/audio/j1.flac",)]
    assert (restored / "audio" / "j1.flac").read_bytes() == b"flac" * 1000
