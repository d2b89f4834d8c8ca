from pathlib import Path

from vocalio_cli.env_example import render_env_example

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_lists_every_setting_of_the_code() -> None:
    expected = render_env_example()
    actual = (ROOT / ".env.example").read_text()
    assert actual == expected, "run `vocalio env-example -o .env.example` and commit the result"
