"""`vocalio voice prompts` and `vocalio voice add` as a user runs them, against a real API process."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.api.test_voices import TRANSCRIPT, speechlike, wav_bytes
from tests.support.processes import ApiProcess


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    process = ApiProcess(tmp_path / "api", redis_url)
    process.data_dir.mkdir(parents=True)
    process.start(timeout_s=90)
    yield process
    process.stop()


def vocalio(api: ApiProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "VOCALIO_DATA_DIR": str(api.data_dir),  # the admin key the API wrote there
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "250",  # rich wraps at the terminal width: keep each message on one line
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),  # this checkout's CLI
    }
    command = [sys.executable, "-m", "vocalio_cli.main", "voice", *args]
    if args[0] != "--help":
        command += ["--api-url", api.base_url]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_prompts_then_add_by_prompt_or_transcript_and_the_apis_refusals(api: ApiProcess, tmp_path: Path) -> None:
    listed = vocalio(api, "prompts")
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert len(lines) >= 5 and all(len(line) == 2 for line in lines)
    prompt_id, prompt_text = lines[2]
    assert "vocalio voice add FILE" in listed.stderr
    as_json = vocalio(api, "prompts", "--json")
    assert as_json.returncode == 0 and f'"{prompt_id}"' in as_json.stdout and "covers" in as_json.stdout

    take = tmp_path / "take.wav"
    take.write_bytes(wav_bytes(speechlike(seconds=7.0)))
    added = vocalio(
        api, "add", str(take), "--name", "Narradora", "--prompt", prompt_id, "--consent", "--region", "chilean"
    )
    assert added.returncode == 0, added.stderr
    voice_id = added.stdout.strip()  # the id alone on stdout, for scripts
    assert "voice added" in added.stderr and "7.0 s" in added.stderr
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    voice = httpx.get(f"{api.base_url}/api/v1/voices/{voice_id}", headers=headers).json()
    assert voice["transcript"] == prompt_text and voice["region"] == "chilean"
    assert voice["source"] == f"recorded from prompt {prompt_id}" and voice["consent_attested_at"]

    typed = vocalio(api, "add", str(take), "--name", "Otra", "--transcript", TRANSCRIPT + " " + TRANSCRIPT, "--consent")
    assert typed.returncode == 0, typed.stderr

    # Refused before anything is sent: no consent, both or neither transcript source, an unknown prompt.
    for args, says in (
        (["--prompt", prompt_id], "--consent"),
        (["--prompt", prompt_id, "--transcript", "Hola.", "--consent"], "exactly one of --transcript and --prompt"),
        (["--consent"], "exactly one of --transcript and --prompt"),
        (["--prompt", "es-99", "--consent"], "unknown prompt 'es-99'"),
    ):
        refused = vocalio(api, "add", str(take), "--name", "Nadie", *args)
        assert refused.returncode == 2 and says in refused.stderr, (args, refused.stderr)

    # The API's own refusal, by its code and message.
    short = tmp_path / "short.wav"
    short.write_bytes(wav_bytes(speechlike(seconds=1.0)))
    too_short = vocalio(api, "add", str(short), "--name", "Corta", "--prompt", prompt_id, "--consent")
    assert too_short.returncode == 1
    assert "voice refused (422 VOICE_TOO_SHORT): clip is 1.00 s" in too_short.stderr
    names = [item["name"] for item in httpx.get(f"{api.base_url}/api/v1/voices", headers=headers).json()["items"]]
    assert sorted(names) == ["Narradora", "Otra"]
