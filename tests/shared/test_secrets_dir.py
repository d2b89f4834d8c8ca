"""VOCALIO_SECRETS_DIR: every settings class reads a secret from its file; the environment and `.env` win."""

from pathlib import Path

import pytest
from vocalio_api.config import ApiSettings
from vocalio_shared.settings import SECRETS_DIR_VARIABLE
from vocalio_worker.config import WorkerConfig


@pytest.fixture
def secrets_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir()
    (directory / "vocalio_worker_token").write_text("file-worker-token-0123456789\n")
    (directory / "vocalio_webhook_secret").write_text("file-webhook-secret-0123456789\n")
    (directory / "vocalio_database_url").write_text("postgresql://vocalio:pw@postgres:5432/vocalio\n")
    for variable in ("VOCALIO_WORKER_TOKEN", "VOCALIO_WEBHOOK_SECRET", "VOCALIO_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(directory))
    monkeypatch.chdir(tmp_path)  # no developer `.env` in the working directory
    return directory


def test_settings_read_their_secrets_from_the_files(secrets_dir: Path) -> None:
    api = ApiSettings()
    assert api.worker_token.get_secret_value() == "file-worker-token-0123456789"  # trailing newline stripped
    assert api.sync_database_url == "postgresql+psycopg://vocalio:pw@postgres:5432/vocalio"
    assert api.secrets_dir == secrets_dir
    assert WorkerConfig().worker_token.get_secret_value() == "file-worker-token-0123456789"


def test_the_environment_and_dot_env_win_over_a_file(secrets_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOCALIO_WORKER_TOKEN", "env-worker-token-0123456789")
    Path(".env").write_text("VOCALIO_WEBHOOK_SECRET=dotenv-webhook-secret-0123\n")
    api = ApiSettings()
    assert api.worker_token.get_secret_value() == "env-worker-token-0123456789"
    assert api.webhook_secret.get_secret_value() == "dotenv-webhook-secret-0123"


def test_without_the_directory_a_missing_secret_is_still_required(
    secrets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRETS_DIR_VARIABLE)
    with pytest.raises(ValueError, match="worker_token"):
        ApiSettings()
