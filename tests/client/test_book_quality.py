"""The client's and the CLI's quality calls (report, render again) against the real API, the chapter
jobs finished through the real worker protocol with quality results (tests/api/books/test_quality)."""

import json

import httpx
from typer.testing import CliRunner
from vocalio_cli.main import app
from vocalio_client import Client, VocalioApiError

from tests.api.books.test_quality import create, finish_book, key, queued_chapter
from tests.support.processes import ApiProcess


def test_report_and_redraw_through_the_client_and_the_cli(api: ApiProcess, redis_url: str) -> None:
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with (
        httpx.Client(base_url=api.base_url, headers=headers, timeout=30) as admin,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}) as worker,
        Client(api.base_url, api.admin_key, timeout=15, retries=2) as client,
    ):
        book = create(admin)
        finish_book(admin, worker, book["id"])

        report = client.book_report(book["id"])
        assert [row.passed for row in report.chapters] == [True, False, True]
        assert report.quality.failing_chapters == [2] and report.chapters[0].flagged[0].index == 2
        assert client.book_report_csv(book["id"]).splitlines()[0].startswith("number,title,status")

        runner = CliRunner()
        common = ["--api-url", api.base_url, "--api-key", api.admin_key]
        shown = runner.invoke(app, ["book", "report", book["id"], *common], env={"COLUMNS": "200"})
        assert shown.exit_code == 0, shown.output
        assert "FAIL" in shown.output and "chapter 1 sentence 2" in shown.output
        as_json = runner.invoke(app, ["book", "report", book["id"], "--json", *common])
        assert json.loads(as_json.stdout)["quality"]["chapters_failing"] == 1

        redrawn = runner.invoke(app, ["book", "redraw", book["id"], "1", "2", *common])
        assert redrawn.exit_code == 0, redrawn.output
        again = client.get_book(book["id"])
        assert again.chapters[0].status == "queued" and again.chapters[0].redraws == 1
        spec = queued_chapter(redis_url, again.chapters[0].job_id or "")
        assert spec["redraw_from"] == {key("El viento soplaba desde el norte."): 4}

        # While the chapter renders, another redraw is refused in the one error shape.
        try:
            client.redraw_sentence(book["id"], 1, 1)
        except VocalioApiError as error:
            assert error.status == 409 and error.code == "INVALID_STATE"
        else:
            raise AssertionError("a redraw of a rendering book was accepted")
        refused = runner.invoke(app, ["book", "redraw", book["id"], "1", "1", *common])
        assert refused.exit_code == 1 and "INVALID_STATE" in refused.output
