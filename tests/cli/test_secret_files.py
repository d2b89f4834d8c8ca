"""`vocalio secrets init|show`: each secret generated once, kept after, replaced by the environment; derived
files rewritten from their templates; values never printed by `init`."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from vocalio_cli.secret_files import SECRETS, SecretsError, app, init_secrets

RUNNER = CliRunner()


def _values(directory: Path) -> dict[str, str]:
    return {name: (directory / name).read_text().strip() for name in SECRETS}


def test_init_generates_each_secret_once_then_keeps_it(tmp_path: Path) -> None:
    first = init_secrets(tmp_path, {})
    assert set(first.values()) == {"generated"}
    values = _values(tmp_path)
    assert len(set(values.values())) == len(SECRETS)  # independent secrets, not one value copied
    assert all(len(value) == 64 and int(value, 16) >= 0 for value in values.values())
    assert all(stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o400 for name in SECRETS)
    assert set(init_secrets(tmp_path, {}).values()) == {"kept"}
    assert _values(tmp_path) == values
    (tmp_path / "vocalio_webhook_secret").unlink()  # a lost file is generated again, the others stay
    third = init_secrets(tmp_path, {})
    assert third["vocalio_webhook_secret"] == "generated" and third["postgres_password"] == "kept"


def test_the_environment_replaces_a_file_and_derived_files_follow(tmp_path: Path) -> None:
    derived = {"redis.conf": "requirepass {redis_password}", "url": "redis://:{redis_password}@redis:6379/0"}
    init_secrets(tmp_path, {}, derived)
    before = _values(tmp_path)
    outcome = init_secrets(tmp_path, {"VOCALIO_REDIS_PASSWORD": "from-dot-env-0123456789"}, derived)
    assert outcome["redis_password"] == "environment" and outcome["redis.conf"] == "derived"
    assert (tmp_path / "redis_password").read_text() == "from-dot-env-0123456789\n"
    assert (tmp_path / "redis.conf").read_text() == "requirepass from-dot-env-0123456789\n"
    assert (tmp_path / "url").read_text() == "redis://:from-dot-env-0123456789@redis:6379/0\n"
    after = _values(tmp_path)
    assert {k: v for k, v in after.items() if k != "redis_password"} == {
        k: v for k, v in before.items() if k != "redis_password"
    }
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]  # no temporary left behind


@pytest.mark.parametrize("value", ["short", "has space in it 0123456789", "url@breaking:0123456789/x"])
def test_an_unsafe_value_from_the_environment_is_refused_naming_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(SecretsError, match="VOCALIO_WORKER_TOKEN"):
        init_secrets(tmp_path, {"VOCALIO_WORKER_TOKEN": value})
    assert not (tmp_path / "vocalio_worker_token").exists()


def test_cli_init_prints_names_never_values_and_show_prints_one(tmp_path: Path) -> None:
    result = RUNNER.invoke(
        app, ["init", "--dir", str(tmp_path), "--mode", "0444", "--derive", "a.conf=x {postgres_password}"]
    )
    assert result.exit_code == 0, result.output
    values = _values(tmp_path)
    assert not [value for value in values.values() if value in result.output]
    assert "postgres_password: generated" in result.output and "a.conf: derived" in result.output
    assert stat.S_IMODE((tmp_path / "a.conf").stat().st_mode) == 0o444
    shown = RUNNER.invoke(app, ["show", "postgres_password", "--dir", str(tmp_path)])
    assert shown.exit_code == 0 and shown.output.strip() == values["postgres_password"]
    missing = RUNNER.invoke(app, ["show", "../etc/passwd", "--dir", str(tmp_path)])
    assert missing.exit_code == 2 and "postgres_password" in missing.output


@pytest.mark.parametrize("derive", ["nameonly", "vocalio_worker_token=x", "x.conf={nope}", "../escape=x"], ids=str)
def test_cli_refuses_a_bad_derive(tmp_path: Path, derive: str) -> None:
    result = RUNNER.invoke(app, ["init", "--dir", str(tmp_path), "--derive", derive])
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())  # checked before anything is written


def test_vocalio_secrets_is_a_subcommand_of_the_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOCALIO_")} | {
        "VOCALIO_SECRETS_DIR": str(tmp_path),
        "VOCALIO_UI_SESSION_SECRET": "from-env-0123456789abcdef",
    }
    result = subprocess.run(
        [sys.executable, "-m", "vocalio_cli.main", "secrets", "init"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "vocalio_ui_session_secret").read_text() == "from-env-0123456789abcdef\n"
