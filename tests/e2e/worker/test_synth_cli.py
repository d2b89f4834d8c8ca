"""`vocalio synth` against a real API and worker: submit, follow, download."""

import subprocess
import sys
from pathlib import Path

from tests.e2e.worker.conftest import decode
from tests.support.processes import ApiProcess


def test_synth_cli_downloads_the_audio(api: ApiProcess, worker_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    target = tmp_path / "out.flac"
    completed = subprocess.run(
        [sys.executable, "-m", "vocalio_cli.main", "synth", "Había una vez un gato que leía libros.",
         "-o", str(target), "--format", "flac", "--sample-rate", "16000", "--api-url", api.base_url],
        env={"VOCALIO_DATA_DIR": str(api.data_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    rate, duration = decode(target.read_bytes())
    assert rate == 16000 and 1.5 < duration < 10
    assert "saved" in completed.stderr
