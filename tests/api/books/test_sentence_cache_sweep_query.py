"""Which renders keep their sentences, on SQLite and on PostgreSQL (the query reads a JSON path):
every succeeded chapter job of a book that exists, nothing else."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vocalio_api.books.sentence_cache import finished_render_results, referenced_keys
from vocalio_api.config import ApiSettings
from vocalio_api.db import create_engine, session_factory, upgrade_database
from vocalio_api.models import CHAPTER_PARAM, Book, Job

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def book(book_id: str) -> Book:
    return Book(
        id=book_id, api_key_id="k", state="rendering", announced_status="succeeded", book_metadata={"title": "t"},
        settings={}, source_format="json", text_chars=10, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def job(job_id: str, status: str, book_id: str | None, key: str) -> Job:
    params = {CHAPTER_PARAM: {"book_id": book_id, "chapter_id": "c", "book_seed": 1}} if book_id else {}
    return Job(
        id=job_id, api_key_id="k", status=status, priority="bulk", text="x", text_chars=1, params=params,
        result={"sentence_keys": [key * 64], "segments": []}, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


async def kept_keys(settings: ApiSettings) -> set[str]:
    engine = create_engine(settings)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            session.add(book("b1"))
            session.add_all([
                job("j1", "succeeded", "b1", "a"),  # a render of an existing book
                job("j2", "succeeded", "b1", "b"),  # an older render of it (before an edit)
                job("j3", "failed", "b1", "c"),  # never finished: its sentences are kept by age only
                job("j4", "succeeded", "gone", "d"),  # a deleted book's render
                job("j5", "succeeded", None, "e"),  # a plain job
            ])  # fmt: skip
            await session.commit()
        async with sessions() as session:
            return referenced_keys(await finished_render_results(session))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_finished_renders_of_existing_books(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("postgres_url") if database == "postgresql" else None
    settings = ApiSettings(
        data_dir=tmp_path, database_url=url, redis_url="redis://127.0.0.1:1/0",
        worker_token="w" * 32, webhook_secret="s" * 32,
    )  # fmt: skip
    upgrade_database(settings)
    assert asyncio.run(kept_keys(settings)) == {"a" * 64, "b" * 64}
