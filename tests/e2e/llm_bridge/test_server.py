"""The service as a real process: start-up errors, JSON logs with pull progress, the Typer commands."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner
from vocalio_cli.embedded_redis import free_port
from vocalio_llm_bridge.cli import app as cli_app

from tests.llm_bridge.conftest import AUTH, TOKEN
from tests.llm_bridge.ollama_double import OllamaDouble


def clean_env(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VOCALIO_", "OLLAMA_"))}
    env.update(values)
    return env


def start_up_error(tmp_path: Path, **values: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "vocalio_llm_bridge.server"],
        env=clean_env(**values),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_missing_token_stops_with_one_line(tmp_path: Path) -> None:
    line = start_up_error(tmp_path)
    assert line == "configuration error: VOCALIO_LLM_BRIDGE_TOKEN is required but not set"


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"VOCALIO_LLM_BRIDGE_TOKEN": "short"}, "VOCALIO_LLM_BRIDGE_TOKEN"),
        ({"VOCALIO_OLLAMA_URL": "ollama:11434"}, "VOCALIO_OLLAMA_URL"),
        ({"VOCALIO_LLM_LENGTH_RATIO_MIN": "2", "VOCALIO_LLM_LENGTH_RATIO_MAX": "1.5"}, "VOCALIO_LLM_LENGTH_RATIO_MAX"),
        ({"VOCALIO_LLM_PROMPT_VERSION": "v99"}, "VOCALIO_LLM_PROMPT_VERSION"),
    ],
)
def test_bad_values_name_their_variable(tmp_path: Path, values: dict[str, str], variable: str) -> None:
    values = {"VOCALIO_LLM_BRIDGE_TOKEN": TOKEN, **values}
    assert start_up_error(tmp_path, **values).startswith(f"configuration error: {variable}:")


@pytest.fixture
def bridge_process(tmp_path: Path, redis_url: str, ollama: OllamaDouble) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log_path = tmp_path / "bridge.log"
    env = clean_env(
        VOCALIO_LLM_BRIDGE_TOKEN=TOKEN,
        VOCALIO_LLM_BRIDGE_HOST="127.0.0.1",
        VOCALIO_LLM_BRIDGE_PORT=str(port),
        VOCALIO_REDIS_URL=redis_url,
        VOCALIO_OLLAMA_URL=ollama.url,
        VOCALIO_OLLAMA_MODEL="pulled-at-start:1b",
        VOCALIO_OLLAMA_PULL_ON_START="true",
    )
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "vocalio_llm_bridge.server"],
            env=env,
            cwd=tmp_path,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "bridge did not start"
                time.sleep(0.1)
            yield url, log_path
        finally:
            process.terminate()
            process.wait(15)


def test_process_serves_and_logs_pull_progress_as_json(bridge_process: tuple[str, Path]) -> None:
    url, log_path = bridge_process
    deadline = time.monotonic() + 15
    while httpx.get(f"{url}/ready", headers=AUTH, timeout=5).status_code != 200:
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
    answer = httpx.post(f"{url}/v1/expand", json={"text": "Hola, Ana."}, headers=AUTH, timeout=10).json()
    assert answer["source"] == "ollama" and answer["model"] == "pulled-at-start:1b"

    events = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    names = [event["event"] for event in events]
    assert "ollama_pull_started" in names and "ollama_pull_finished" in names
    percents = [event["percent"] for event in events if event["event"] == "ollama_pull_progress"]
    assert 100 in percents and all(event["service"] == "llm_bridge" for event in events)


def test_cli_expand_talks_to_the_process(bridge_process: tuple[str, Path]) -> None:
    url, _ = bridge_process
    result = CliRunner().invoke(
        cli_app, ["expand", "Hola, Ana.", "--url", url], env={"VOCALIO_LLM_BRIDGE_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["text"]


def test_cli_has_a_serve_command() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output
