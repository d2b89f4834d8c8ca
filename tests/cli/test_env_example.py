import importlib
from pathlib import Path

import pytest
from pydantic import SecretStr
from vocalio_cli.env_example import SETTINGS_CLASSES, render_env_example

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting_of_the_code() -> None:
    expected = render_env_example()
    actual = (ROOT / ".env.example").read_text()
    assert actual == expected, "run `vocalio env-example -o .env.example` and commit the result"


@pytest.mark.parametrize(("title", "module", "name"), SETTINGS_CLASSES)
def test_env_example_values_load_back_as_the_defaults(
    title: str, module: str, name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cls = getattr(importlib.import_module(module), name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            variable, _, value = line.partition("=")
            if value:
                monkeypatch.setenv(variable, value)
            else:
                monkeypatch.delenv(variable, raising=False)
    for field_name, field in cls.model_fields.items():
        if field.is_required():
            monkeypatch.setenv(f"VOCALIO_{field_name.upper()}", "s" * 32)
    loaded = cls()
    for field_name, field in cls.model_fields.items():
        if field.is_required() or (field.default_factory is not None and isinstance(getattr(loaded, field_name), str)):
            continue
        expected = field.get_default(call_default_factory=True)
        value = getattr(loaded, field_name)
        if isinstance(value, SecretStr):
            continue
        assert value == expected, f"{title}: VOCALIO_{field_name.upper()}"
