"""The sentence cache's sweep on a real stack: it keeps every sentence an existing book's renders used
(an edited-away one too: undoing the edit is free), and every recent file; a deleted book's sentences
go once they are old.

"Old" is made with os.utime (a month back) rather than by waiting: the rule compares a file's mtime
with `VOCALIO_SENTENCE_CACHE_KEEP_S`, and the API sweeps every half second here.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from vocalio_api.books.sentence_cache import referenced_keys

from tests.e2e.books.conftest import sentence_files
from tests.e2e.books.flows import create_book
from tests.e2e.books.test_book_api import render
from tests.e2e.books.test_book_api_worker import wait_for_book
from tests.support.processes import ApiProcess, WorkerProcess

MONTH_S = 30 * 24 * 3600
CHAPTERS = [
    {"title": "Uno", "text": "El puerto dormía bajo la niebla. Nadie esperaba el barco."},
    {"title": "Dos", "text": "Tomás llegó con las botas llenas de barro. Su madre no dijo nada."},
]


@pytest.fixture
def api(api_factory: Callable[..., ApiProcess]) -> ApiProcess:
    sweep = {"VOCALIO_SENTENCE_CACHE_SWEEP_INTERVAL_S": "0.5", "VOCALIO_SENTENCE_CACHE_KEEP_S": "3600"}
    return api_factory({"VOCALIO_HEARTBEAT_INTERVAL_S": "1"} | sweep)


def age(files: list[Path]) -> None:
    past = time.time() - MONTH_S
    for path in files:
        os.utime(path, (past, past))


def settle(api: ApiProcess, expected: int, timeout_s: float = 20.0) -> list[Path]:
    deadline = time.monotonic() + timeout_s
    while (files := sentence_files(api)) and len(files) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return files


def test_sweep_keeps_what_books_use_and_removes_the_rest(
    api: ApiProcess, worker_factory: Callable[..., WorkerProcess], admin: httpx.Client
) -> None:
    worker_factory("worker-1")
    book = create_book(admin, chapters=CHAPTERS)
    render(admin, book["id"])
    done = wait_for_book(admin, book["id"], "succeeded")
    units = sum(c["sentences_synthesized"] + c["sentences_cached"] for c in done["chapters"])
    first = sentence_files(api)
    assert len(first) == units == 6  # two titles, four sentences

    age(first)  # old, but all of them used by the book's last render: the sweep keeps them
    time.sleep(1.5)
    assert sentence_files(api) == first

    edited = "Tomás llegó con las botas limpias. Su madre no dijo nada."
    admin.patch(f"/api/v1/books/{book['id']}/chapters/2", json={"text": edited}).raise_for_status()
    render(admin, book["id"])
    wait_for_book(admin, book["id"], "succeeded")
    after_edit = sentence_files(api)
    assert len(after_edit) == 7 and set(first) < set(after_edit)  # one new sentence, nothing swept meanwhile
    age(after_edit)
    time.sleep(1.5)
    assert sentence_files(api) == after_edit  # the book's first render used the edited-away one

    assert admin.delete(f"/api/v1/books/{book['id']}").status_code == 204
    assert settle(api, 0) == []  # nothing uses them any more, and they are old


def test_referenced_keys_reads_sentence_keys_and_older_results_segments() -> None:
    results = [
        {"sentence_keys": ["a" * 64, "b" * 64], "segments": [{"key": "a" * 64}]},
        {"segments": [{"key": "c" * 64}, {"text": "no key"}]},  # a result from before sentence_keys
        None,  # a chapter whose job has not finished
    ]
    assert referenced_keys(results) == {"a" * 64, "b" * 64, "c" * 64}
