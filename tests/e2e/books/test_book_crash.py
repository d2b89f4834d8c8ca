"""A book survives kill -9 of the API, of the worker and of Redis, mid-book, without redoing a finished sentence.

The API is killed first (the worker keeps rendering; its uploads and updates wait for the API to come
back), then the worker (its job comes back after the claim TTL and a new worker takes it). The API's
counter of stored sentences starts again with the restarted API, and covers everything after it: a
finished sentence synthesized again would be uploaded again, and show as `already_present`.

Redis is killed in a test of its own, on a redis-server of that test (same port and AOF directory
when it comes back), with the API and the worker left running: they reconnect by themselves.
"""

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from vocalio_cli.embedded_redis import EmbeddedRedis

from tests.e2e.books.conftest import sentence_files, stored_sentences
from tests.e2e.books.flows import create_book
from tests.e2e.books.test_book_api import render
from tests.e2e.books.test_book_api_worker import wait_for_book
from tests.support.processes import ApiProcess, WorkerProcess

PARAGRAPHS = (  # no sentence twice in the book: each distinct sentence is one file of the cache
    ("La lluvia caía sobre el puerto desde la madrugada. Los pescadores miraban el cielo sin decir nada.",
     "Tomás llegó tarde, con las botas llenas de barro. Nadie le preguntó dónde había estado."),
    ("El faro seguía apagado desde el invierno. Su madre decía que volvería a encenderse.",
     "Una tarde de marzo llegó un barco extraño. Traía velas negras y ningún nombre en la proa."),
    ("Los niños corrieron hasta el muelle para verlo. El capitán bajó sin mirar a nadie.",
     "Aquella noche el faro volvió a brillar. Nadie supo nunca quién lo había encendido."),
)  # fmt: skip
CHAPTERS = [{"title": f"Capítulo {n}", "text": "\n\n".join(PARAGRAPHS[n - 1])} for n in range(1, 4)]
SLOW = {"batch_size": "1", "simulated_chunk_delay_s": "0.4", "progress_interval_s": "0"}


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> str:
    """The session's redis-server, except for the test that kills its own."""
    if "own_redis" in request.fixturenames:
        return str(request.getfixturevalue("own_redis").url)
    return str(request.getfixturevalue("redis_url_of_session"))


@pytest.fixture
def redis_url_of_session(redis_server: EmbeddedRedis) -> Iterator[str]:
    import redis

    url = f"redis://{redis_server.host}:{redis_server.port}/14"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_kill_9_of_the_api_and_the_worker_mid_book(
    api: ApiProcess, worker_factory: Callable[..., WorkerProcess]
) -> None:
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with httpx.Client(base_url=api.base_url, headers=headers, timeout=30) as client:
        first = worker_factory("worker-1", **SLOW)
        book = create_book(client, chapters=CHAPTERS)
        render(client, book["id"])

        wait_until(lambda: len(sentence_files(api)) >= 3, 120, "the first sentences never reached the cache")
        api.kill()
        time.sleep(1.5)  # the worker renders on while nobody can take its uploads
        api.start(timeout_s=120)
        made_before = len(sentence_files(api))
        wait_until(lambda: len(sentence_files(api)) >= made_before + 3, 120, "rendering did not go on")
        first.kill()
        killed_at = len(sentence_files(api))

        worker_factory("worker-2", **SLOW)
        done = wait_for_book(client, book["id"], "succeeded", timeout_s=240)

        units = sum(c["sentences_synthesized"] + c["sentences_cached"] for c in done["chapters"])
        stored = len(sentence_files(api))
        print(f"sentences in the book: {units}; stored in the cache: {stored} (killed with {killed_at} stored)")
        # Every distinct sentence of the book is stored once; after the API's restart nothing came twice.
        assert stored == units, done["chapters"]
        assert stored_sentences(client, "already_present") == 0
        assert all(c["status"] == "succeeded" for c in done["chapters"])


def test_kill_9_of_redis_mid_book(
    own_redis: EmbeddedRedis, api: ApiProcess, worker_factory: Callable[..., WorkerProcess]
) -> None:
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with httpx.Client(base_url=api.base_url, headers=headers, timeout=30) as client:
        worker_factory("worker-1", **SLOW)
        book = create_book(client, chapters=CHAPTERS)
        render(client, book["id"])

        wait_until(lambda: len(sentence_files(api)) >= 3, 120, "the first sentences never reached the cache")
        assert own_redis.process is not None
        own_redis.process.send_signal(signal.SIGKILL)
        own_redis.process.wait()
        killed_at = len(sentence_files(api))
        time.sleep(1.5)  # the API and the worker find Redis gone
        own_redis.start()  # same port, same AOF directory

        done = wait_for_book(client, book["id"], "succeeded", timeout_s=240)
        units = sum(c["sentences_synthesized"] + c["sentences_cached"] for c in done["chapters"])
        stored = len(sentence_files(api))
        print(f"sentences in the book: {units}; stored in the cache: {stored} (Redis killed with {killed_at} stored)")
        assert stored == units, done["chapters"]
        assert stored_sentences(client, "already_present") == 0
        assert all(c["status"] == "succeeded" for c in done["chapters"])
