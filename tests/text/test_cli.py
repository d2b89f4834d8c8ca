"""The CLI contract used for outside scoring: one output line per input line, nothing else on stdout."""

import json
import subprocess
import sys

import pytest

CLI = [sys.executable, "-c", "from vocalio_cli.main import app; app()", "text"]


def run(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120, check=False)


def test_normalize_one_line_per_line_in_order_with_empty_lines() -> None:
    lines = ["1.500 €", "", "Sr. Pérez", "   ", "siglo XIV", "hola"]
    result = run(["normalize"], ("\n".join(lines) + "\n").encode())
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8").split("\n") == [
        "mil quinientos euros",
        "",
        "señor Pérez",
        "   ",
        "siglo catorce",
        "hola",
        "",
    ]


def test_normalize_last_line_without_newline_and_crlf() -> None:
    result = run(["normalize"], b"12/10/2024\r\n3 kg")
    assert result.stdout.decode("utf-8") == "doce de octubre de dos mil veinticuatro\ntres kilogramos\n"


def test_normalize_region_option() -> None:
    result = run(["normalize", "--region", "mexican"], b"$5\n3.5 kg\n")
    assert result.stdout.decode("utf-8") == "cinco pesos\ntres punto cinco kilogramos\n"


def test_normalize_keeps_line_count_on_odd_input() -> None:
    lines = [
        b"\xff\xfe rotos",
        "caf\u00e9 \u2028 sep".encode(),
        b"a\x0bb\x0cc",
        "\u0663\u0664 años".encode(),
        b"\x00",
        "☃ ∑".encode(),
    ]
    result = run(["normalize"], b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b"\n") == len(lines)


def test_empty_input() -> None:
    result = run(["normalize"], b"")
    assert result.returncode == 0
    assert result.stdout == b""


@pytest.mark.parametrize("flag", [["--json"], []])
def test_analyze_json_per_line(flag: list[str]) -> None:
    result = run(["analyze", *flag], "Che boludo, ¿cómo andás?\n\nTengo 21 años.\n".encode())
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(objects) == 3
    assert objects[0]["region"] == "rioplatense"
    assert objects[0]["markers"] == ["che", "boludo", "andás"]
    assert 0 < objects[0]["confidence"] <= 1
    assert objects[1]["normalized"] == ""
    assert objects[2]["normalized"] == "Tengo veintiún años."
    assert objects[2]["chunks"] == ["Tengo veintiún años."]
    for key in ("region", "confidence", "markers", "normalized", "chunks"):
        assert key in objects[0]
