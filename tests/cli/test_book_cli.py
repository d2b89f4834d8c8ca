"""`vocalio book` with typer's CliRunner against a real local server that speaks the book contract."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner
from vocalio_cli.book_state import load_state, state_path
from vocalio_cli.main import app
from vocalio_client import Client

from tests.client.contract_server import ContractServer

TXT = "Capítulo 1\nHabía una vez un gato.\n\n\nCapítulo 2\nQue leía libros.\n\n\nEpílogo\nY colorín colorado.\n"


@pytest.fixture
def contract() -> Iterator[ContractServer]:
    yield from ContractServer.running(chapter_s=0.2)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "libro.txt"
    path.write_text(TXT, encoding="utf-8")
    return path


def vocalio(contract: ContractServer, *args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(app, [*args, "--api-url", contract.base_url, "--api-key", "test-key"], env={"COLUMNS": "200"})


def test_render_uploads_follows_and_downloads(contract: ContractServer, source: Path, tmp_path: Path) -> None:
    output = tmp_path / "libro.m4b"
    result = vocalio(contract, "book", "render", str(source), "-o", str(output), "--voice", "ana", "--title", "Gatos")
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == b"m4b" + contract.audio
    ((name, data, parts),) = contract.uploads
    assert name == "libro.txt" and data == source.read_bytes()
    assert parts["metadata"] == {"title": "Gatos"} and parts["settings"].voice == "ana"
    (book,) = contract.books.values()
    state = load_state(output)
    assert state is not None and state.book_id == book.id and state.api_url == contract.base_url
    assert "saved" in result.output and "3 chapters" in result.output


def test_running_it_again_continues_the_same_book(contract: ContractServer, source: Path, tmp_path: Path) -> None:
    output = tmp_path / "libro.m4b"
    first = vocalio(contract, "book", "render", str(source), "-o", str(output), "--detach")
    assert first.exit_code == 0, first.output
    (book,) = contract.books.values()
    assert book.renders == 1 and not output.exists()
    Client(contract.base_url, "test-key").pause_book(book.id)  # e.g. an operator paused it meanwhile
    second = vocalio(contract, "book", "render", str(source), "-o", str(output))
    assert second.exit_code == 0, second.output
    assert "continuing book" in second.output and len(contract.uploads) == 1 and len(contract.books) == 1
    assert book.paused_at is None  # resumed, not rendered anew
    assert output.read_bytes() == b"m4b" + contract.audio
    third = vocalio(contract, "book", "render", str(source), "-o", str(output), "--speed", "1.2")  # download only
    assert third.exit_code == 0, third.output
    assert "--speed ignored for an existing book" in third.output
    assert book.renders == 1 and len(contract.uploads) == 1


def test_a_changed_source_makes_a_new_book_with_the_same_seed(
    contract: ContractServer, source: Path, tmp_path: Path
) -> None:
    output = tmp_path / "libro.m4b"
    assert vocalio(contract, "book", "render", str(source), "-o", str(output), "--detach").exit_code == 0
    first_id = load_state(output).book_id  # type: ignore[union-attr]
    contract.books[first_id].seed = 987654
    source.write_text(TXT.replace("un gato", "una gata"), encoding="utf-8")
    result = vocalio(contract, "book", "render", str(source), "-o", str(output), "--detach")
    assert result.exit_code == 0, result.output
    assert len(contract.uploads) == 2 and contract.uploads[1][2]["settings"].seed == 987654
    assert load_state(output).book_id != first_id  # type: ignore[union-attr]


def test_a_crash_after_the_upload_is_answered_with_the_same_book(
    contract: ContractServer, source: Path, tmp_path: Path
) -> None:
    output = tmp_path / "libro.m4b"
    assert vocalio(contract, "book", "render", str(source), "-o", str(output), "--detach").exit_code == 0
    state = json.loads(state_path(output).read_text())
    state["book_id"] = None  # as if the CLI died between the upload and writing the id
    state_path(output).write_text(json.dumps(state))
    assert vocalio(contract, "book", "render", str(source), "-o", str(output), "--detach").exit_code == 0
    assert len(contract.books) == 1 and len(contract.uploads) == 1
    keys = {headers["idempotency-key"] for headers in contract.requests("POST", "/api/v1/books")}
    assert keys == {state["idempotency_key"]}


def test_the_output_and_format_must_agree(contract: ContractServer, source: Path, tmp_path: Path) -> None:
    result = vocalio(contract, "book", "render", str(source), "-o", str(tmp_path / "x.zip"), "--format", "m4b")
    assert result.exit_code == 2 and "does not hold m4b" in result.output
    result = vocalio(contract, "book", "render", str(source), "-o", str(tmp_path / "x.mp3"))
    assert result.exit_code == 2 and "cannot tell the format" in result.output
    assert contract.uploads == []


def test_zip_format_and_failures_are_reported(contract: ContractServer, source: Path, tmp_path: Path) -> None:
    output = tmp_path / "libro.zip"
    result = vocalio(contract, "book", "render", str(source), "-o", str(output), "--format", "flac-zip")
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == b"flac-zip" + contract.audio
    missing = vocalio(contract, "book", "status", "book_missing")
    assert missing.exit_code == 1 and "BOOK_NOT_FOUND (404)" in missing.output


def test_status_and_list(contract: ContractServer, source: Path, tmp_path: Path) -> None:
    output = tmp_path / "libro.m4b"
    assert vocalio(contract, "book", "render", str(source), "-o", str(output)).exit_code == 0
    book_id = load_state(output).book_id  # type: ignore[union-attr]
    shown = vocalio(contract, "book", "status", book_id)
    assert shown.exit_code == 0, shown.output
    assert "Capítulo 2" in shown.output and "succeeded" in shown.output and "set aside: Copyright" in shown.output
    as_json = vocalio(contract, "book", "status", book_id, "--json")
    assert json.loads(as_json.stdout)["id"] == book_id
    listed = vocalio(contract, "book", "list")
    assert listed.exit_code == 0 and book_id in listed.output
