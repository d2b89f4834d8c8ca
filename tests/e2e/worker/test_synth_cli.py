"""`vocalio synth` against a real API and worker: submit, follow, download; the format from the file name."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import imageio_ffmpeg

from tests.e2e.worker.conftest import decode
from tests.support.processes import ApiProcess

TEXT = "Había una vez un gato que leía libros."


def run_synth(api: ApiProcess, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        "VOCALIO_DATA_DIR": str(api.data_dir),
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "250",  # rich wraps error boxes at the terminal width: keep each message on one line
        # the CLI under test is this checkout's, not whatever the interpreter has installed
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    return subprocess.run(
        [sys.executable, "-m", "vocalio_cli.main", "synth", TEXT, "--sample-rate", "16000",
         "--api-url", api.base_url, *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def audio_codec(path: Path) -> str:
    """The codec ffmpeg finds in the file, from its content (not its name): mp3, flac, opus, aac, pcm_s16le…"""
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    )
    found = re.search(r"Audio: (\w+)", probe.stderr)
    assert found, probe.stderr
    return found.group(1)


def test_synth_cli_downloads_the_audio(api: ApiProcess, worker_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    target = tmp_path / "out.flac"
    completed = run_synth(api, "-o", str(target), "--format", "flac")
    assert completed.returncode == 0, completed.stderr
    rate, duration = decode(target.read_bytes())
    assert rate == 16000 and 1.5 < duration < 10
    assert audio_codec(target) == "flac"
    assert "saved" in completed.stderr


def test_the_output_extension_picks_the_format(api: ApiProcess, worker_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    out = tmp_path / "out"  # tmp_path also holds the API's and the worker's data dirs
    out.mkdir()
    # No --format: `hola.mp3` is an mp3 (it used to be a WAV under that name); `.opus` names the opus format.
    for name, codec, job_format in (("hola.mp3", "mp3", "mp3"), ("hola.opus", "opus", "opus")):
        target = out / name
        completed = run_synth(api, "-o", str(target))
        assert completed.returncode == 0, completed.stderr
        assert audio_codec(target) == codec
        assert f"{job_format}, region" in completed.stderr  # the "saved …" line names the format the API made
        assert 1.5 < decode(target.read_bytes())[1] < 10  # (opus decodes at 48 kHz whatever the job's rate)
    # No --output: --format alone, the file is named <job id>.<the format's extension>.
    completed = run_synth(api, "--format", "m4a", cwd=out)
    assert completed.returncode == 0, completed.stderr
    (saved,) = out.glob("*.m4a")
    assert audio_codec(saved) == "aac"


def test_a_format_the_file_name_contradicts_is_refused_before_submitting(api: ApiProcess, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    cases = (
        (("-o", str(out / "hola.mp3"), "--format", "wav"), "'hola.mp3' names mp3 but --format is wav"),
        (("-o", str(out / "hola.xyz")), "cannot tell the audio format from 'hola.xyz': use one of .flac, .m4a"),
        (("-o", str(out / "hola")), "cannot tell the audio format from 'hola'"),
    )
    for args, message in cases:
        completed = run_synth(api, *args)
        assert completed.returncode == 2, completed.stderr  # a usage error, like typer's own
        assert message in completed.stderr
        assert "Usage:" in completed.stderr
    assert not list(out.iterdir())
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    jobs = httpx.get(f"{api.base_url}/api/v1/jobs", headers=headers, timeout=10).json()["items"]
    assert jobs == []  # refused in the CLI: no job reached the API
