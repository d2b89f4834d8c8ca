"""The pipeline script on docs/api/client.md runs as printed, against a server speaking the contract."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.client.contract_server import ContractServer

DOC = Path(__file__).parents[2] / "docs" / "api" / "client.md"


def test_the_documented_pipeline_runs_and_reruns_on_the_same_book(contract: ContractServer, tmp_path: Path) -> None:
    script = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert script is not None
    assert len(script.group(1).strip().splitlines()) <= 22
    (tmp_path / "pipeline.py").write_text(script.group(1), encoding="utf-8")
    book = tmp_path / "libro.epub"
    book.write_text("Capítulo 1\nHabía una vez.\n\n\nCapítulo 2\nFin.\n", encoding="utf-8")
    env = os.environ | {"VOCALIO_API_URL": contract.base_url, "VOCALIO_API_KEY": "test-key"}
    for _run in range(2):
        command = [sys.executable, "pipeline.py", str(book)]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert len(contract.books) == 1  # the second run found the first run's book by its key
    assert (tmp_path / "libro.m4b").read_bytes() == b"m4b" + contract.audio
    assert (tmp_path / "libro-02.mp3").read_bytes().startswith(b"mp3:2")
    assert (tmp_path / "libro-01.vtt").read_text().startswith("WEBVTT")
    assert "100.0 %" in done.stdout
