"""`vocalio book …`: a whole book in, a finished audiobook out, through the API (vocalio_client).

`vocalio book render libro.epub -o libro.m4b` uploads the book (EPUB, TXT, or a BookCreate JSON
file), renders it, shows a bar for the book and for each chapter being worked on, and downloads the
audiobook. It is resumable: `libro.m4b.vocalio.json` (next to the output) names the book on the
server, so running the same command again follows or resumes THAT book, never a second one. If the
source file changed since, a new book is made with the old one's seed and voice: every unchanged
sentence has the same sentence-cache key, so only the changed ones are synthesized.
"""

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from vocalio_client import BOOK_SETTLED_STATUSES, Client, VocalioApiError
from vocalio_shared.errors import ErrorCode
from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.books import BookAudioFormat, BookCreate, BookPublic, BookStatus

from vocalio_cli.book_check import check
from vocalio_cli.book_progress import BookProgress, book_line
from vocalio_cli.book_state import BookState, file_sha256, load_state, save_state, state_path
from vocalio_cli.synth import resolve_api_key

app = typer.Typer(help="Books: a whole book in, a finished audiobook out.", no_args_is_help=True)
console = Console(stderr=True)

DEFAULT_API_URL = "http://127.0.0.1:8000"
AUDIO_READY_POLL_S = 2.0
FORMAT_BY_EXTENSION = {".m4b": BookAudioFormat.M4B, ".m4a": BookAudioFormat.M4B, ".zip": BookAudioFormat.MP3_ZIP}

ApiUrl = Annotated[str, typer.Option("--api-url", "--api", envvar="VOCALIO_API_URL", help="API base URL.")]
ApiKey = Annotated[
    str | None, typer.Option("--api-key", "--key", help="API key (else VOCALIO_API_KEY or the data dir's).")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(code)


def _api_error(error: VocalioApiError) -> typer.Exit:
    where = f" ({error.status})" if error.status else ""
    return _fail(f"{error.code}{where}: {error.message}")


def resolve_output(source: Path, output: Path | None, explicit: BookAudioFormat | None) -> tuple[Path, BookAudioFormat]:
    """The audiobook file and its format: `.m4b` is m4b, `.zip` is mp3-zip unless --format says
    flac-zip; no -o means `<source>.m4b` (or .zip for the zip formats)."""
    if output is None:
        chosen = explicit or BookAudioFormat.M4B
        return source.with_suffix(".m4b" if chosen is BookAudioFormat.M4B else ".zip"), chosen
    named = FORMAT_BY_EXTENSION.get(output.suffix.lower())
    if explicit is None:
        if named is None:
            raise typer.BadParameter(f"cannot tell the format from {output.name!r}: use .m4b or .zip, or --format")
        return output, named
    zip_format = explicit in (BookAudioFormat.MP3_ZIP, BookAudioFormat.FLAC_ZIP)
    if named is not None and (named is BookAudioFormat.M4B) == zip_format:
        raise typer.BadParameter(f"{output.name!r} does not hold {explicit.value}: use .m4b for m4b, .zip for zips")
    return output, explicit


@contextlib.contextmanager
def _embedded_stack(data_dir: Path) -> Iterator[tuple[str, str]]:
    """`vocalio up` for the length of the command; the services' logs go to <data dir>/stack.log."""
    from vocalio_cli.embedded import Stack

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(data_dir, "127.0.0.1")
    with (data_dir / "stack.log").open("a", buffering=1) as log:
        try:
            console.print(f"starting the embedded stack in {data_dir} (logs: stack.log)…")
            with contextlib.redirect_stdout(log):  # the log pumps write where stdout points at start
                env = stack.base_env()
                stack.plan(env)
                stack.start()
            yield stack.api_url, (data_dir / "admin-key.txt").read_text().strip()
        finally:
            stack.stop()


@contextlib.contextmanager
def _client(api_url: str, api_key: str | None, embedded: bool, data_dir: Path) -> Iterator[tuple[Client, str]]:
    if embedded:
        with _embedded_stack(data_dir) as (url, key), Client(url, key) as client:
            yield client, url
        return
    with Client(api_url, resolve_api_key(api_key)) as client:
        yield client, api_url.rstrip("/")


def _find_or_create(
    client: Client,
    api_url: str,
    source: Path,
    output: Path,
    metadata: dict[str, object],
    settings: dict[str, object],
    fresh: bool,
) -> BookPublic:
    """The book this output belongs to: the one the state file names, else a new upload."""
    sha256 = file_sha256(source)
    state = None if fresh else load_state(output)
    if state is not None and state.book_id and state.matches(api_url, sha256):
        try:
            book = client.get_book(state.book_id)
            console.print(
                f"continuing book [bold]{book.id}[/bold] ({book.status.value}) from {state_path(output).name}"
            )
            if metadata or settings:  # an existing book keeps what it was made with (its sentences' keys)
                given = ", ".join(f"--{name.removesuffix('s')}" for name in [*metadata, *settings])  # authors
                console.print(f"[yellow]{given} ignored for an existing book: pass --new for a new one[/yellow]")
            return book
        except VocalioApiError as error:
            if error.code != ErrorCode.BOOK_NOT_FOUND:
                raise
            console.print(f"book {state.book_id} is gone from the server: uploading again")
            state = None
    if state is not None and state.book_id and state.api_url == api_url and state.source_sha256 != sha256:
        # An edited source: the old book's seed and voice keep every unchanged sentence's cache key.
        with contextlib.suppress(VocalioApiError):
            previous = client.get_book(state.book_id)
            if previous.seed is not None:
                settings.setdefault("seed", previous.seed)
            if previous.voice and previous.voice.voice_id:
                settings.setdefault("voice", previous.voice.voice_id)
            console.print(f"{source.name} changed since book {previous.id}: a new book with its seed and voice")
        state = None
    if state is None or not state.matches(api_url, sha256):
        state = BookState(api_url=api_url, source=str(source.resolve()), source_sha256=sha256)
    save_state(output, state)  # the key first: a crash mid-upload is answered with the same book
    if source.suffix.lower() == ".json":
        body = json.loads(source.read_text(encoding="utf-8"))
        body["metadata"] = {**body.get("metadata", {}), **metadata}
        body["settings"] = {**body.get("settings", {}), **settings}
        book = client.create_book(BookCreate.model_validate(body), idempotency_key=state.idempotency_key)
    else:
        book = client.upload_book(source, metadata or None, settings or None, idempotency_key=state.idempotency_key)
    state.book_id = book.id
    save_state(output, state)
    console.print(
        f"book [bold]{book.id}[/bold]: {len(book.chapters)} chapters, {book.text_chars} characters"
        + (f", {len(book.excluded)} sections set aside" if book.excluded else "")
    )
    return book


def _start(client: Client, book: BookPublic) -> BookPublic:
    """Render what is not done: render a draft (or a failed or cancelled book), resume a paused one,
    leave a running or finished one as it is."""
    if book.status is BookStatus.PAUSED:
        return client.resume_book(book.id)
    if book.status in (BookStatus.DRAFT, BookStatus.FAILED, BookStatus.CANCELLED):
        return client.render_book(book.id)
    return book


def _follow(client: Client, book: BookPublic, deadline: float | None) -> BookPublic:
    with BookProgress(console) as view:
        view.update(book)
        for snapshot in client.follow_book(book.id):
            book = snapshot
            view.update(book)
            if deadline is not None and time.monotonic() > deadline:
                raise _fail(f"gave up waiting for book {book.id}: {book_line(book)}; run again to continue")
    return book


def _download(
    client: Client, book: BookPublic, output: Path, audio_format: BookAudioFormat, deadline: float | None
) -> None:
    """The book's file, waiting while the API still assembles it (AUDIO_NOT_READY)."""
    while True:
        try:
            client.download_book(book.id, output, audio_format)
            return
        except VocalioApiError as error:
            if error.code != ErrorCode.AUDIO_NOT_READY or (deadline is not None and time.monotonic() > deadline):
                raise
            time.sleep(AUDIO_READY_POLL_S)


@app.command("render")
def render(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="EPUB, TXT, or BookCreate JSON.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The audiobook: .m4b, or .zip (default <source>.m4b).")
    ] = None,
    audio_format: Annotated[
        BookAudioFormat | None, typer.Option("--format", "-f", help="m4b, mp3-zip or flac-zip (default: from -o).")
    ] = None,
    voice: Annotated[str | None, typer.Option(help="Voice id or name (default: the region's).")] = None,
    region: Annotated[RegionChoice | None, typer.Option(help="Regional variant, or auto to detect.")] = None,
    speed: Annotated[float | None, typer.Option(help="Speaking speed factor, 0.5-2.0.")] = None,
    title: Annotated[str | None, typer.Option(help="Title (else the book's own).")] = None,
    author: Annotated[list[str] | None, typer.Option(help="Author; repeat for several (else the book's).")] = None,
    narrator: Annotated[str | None, typer.Option(help="Narrator tag.")] = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
    embedded: Annotated[bool, typer.Option(help="Start the embedded stack (`vocalio up`) for this command.")] = False,
    data_dir: Annotated[Path, typer.Option(envvar="VOCALIO_DATA_DIR", help="The embedded stack's data.")] = Path(
        "data"
    ),
    new: Annotated[bool, typer.Option("--new", help="Ignore the state file: upload a new book.")] = False,
    detach: Annotated[bool, typer.Option(help="Start the render and exit; run again to follow and download.")] = False,
    timeout_s: Annotated[float, typer.Option("--timeout", help="Give up after this many seconds (0: never).")] = 0,
) -> None:
    """Render SOURCE into an audiobook; run it again to continue the same book."""
    try:
        output, chosen = resolve_output(source, output, audio_format)
    except typer.BadParameter as error:  # raised in the command, typer prints it as its own: usage, exit 2
        raise typer.BadParameter(error.message, ctx=ctx, param_hint="'--output' / '--format'") from None
    metadata: dict[str, object] = {
        k: v for k, v in {"title": title, "authors": author, "narrator": narrator}.items() if v
    }
    settings: dict[str, object] = {
        k: v for k, v in {"voice": voice, "region": region and region.value, "speed": speed}.items() if v is not None
    }
    deadline = time.monotonic() + timeout_s if timeout_s > 0 else None
    try:
        with _client(api_url, api_key, embedded, data_dir) as (client, url):
            book = _start(client, _find_or_create(client, url, source, output, metadata, settings, new))
            if detach:
                console.print(f"book [bold]{book.id}[/bold] {book.status.value}; run the same command to follow it")
                return
            book = _follow(client, book, deadline)
            if book.status is not BookStatus.SUCCEEDED:
                failed = [
                    f"{c.number}. {c.title}: {(c.error or {}).get('code', c.status.value)}"
                    for c in book.chapters
                    if c.status is BookStatus.FAILED
                ]
                hint = "; run the same command again to continue" if book.status in BOOK_SETTLED_STATUSES else ""
                raise _fail(f"book {book.id} {book.status.value}{hint}" + "".join(f"\n  {line}" for line in failed))
            _download(client, book, output, chosen, deadline)
    except VocalioApiError as error:
        raise _api_error(error) from None
    except KeyboardInterrupt:
        raise _fail(
            "interrupted: the book keeps rendering on the server; run the same command to continue", 130
        ) from None
    for warning in book.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    minutes = sum(c.duration_s or 0 for c in book.chapters) / 60
    console.print(f"[green]saved[/green] {output} — {len(book.chapters)} chapters, {minutes:.1f} min, {chosen.value}")


@app.command("status")
def status(
    book_id: Annotated[str, typer.Argument(help="Book id.")],
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the book as JSON.")] = False,
) -> None:
    """Show a book: its status and every chapter's."""
    try:
        with Client(api_url, resolve_api_key(api_key)) as client:
            book = client.get_book(book_id)
    except VocalioApiError as error:
        raise _api_error(error) from None
    if as_json:
        typer.echo(book.model_dump_json(indent=2))
        return
    table = Table(title=f"{book.metadata.title} — {book.id}", caption=f"{book.progress:.0f}% · {book_line(book)}")
    for column in ("#", "chapter", "status", "progress", "sentences", "audio"):
        table.add_column(column)
    for chapter in book.chapters:
        sentences = "" if chapter.sentences is None else f"{chapter.sentences} ({chapter.sentences_cached} cached)"
        audio = "" if chapter.duration_s is None else f"{chapter.duration_s / 60:.1f} min"
        table.add_row(
            str(chapter.number), chapter.title, chapter.status.value, f"{chapter.progress:.0f}%", sentences, audio
        )
    Console().print(table)
    if book.excluded:
        Console().print("set aside: " + ", ".join(f"{c.title} ({c.kind.value})" for c in book.excluded))


@app.command("list")
def list_books(
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """List your books."""
    try:
        with Client(api_url, resolve_api_key(api_key)) as client:
            books = client.list_books(limit=limit).items
    except VocalioApiError as error:
        raise _api_error(error) from None
    table = Table()
    for column in ("id", "title", "status", "progress", "chapters"):
        table.add_column(column)
    for book in books:
        table.add_row(book.id, book.metadata.title, book.status.value, f"{book.progress:.0f}%", str(len(book.chapters)))
    Console().print(table)


def _act(action: str, book_id: str, api_url: str, api_key: str | None) -> None:
    try:
        with Client(api_url, resolve_api_key(api_key)) as client:
            book = getattr(client, f"{action}_book")(book_id)
    except VocalioApiError as error:
        raise _api_error(error) from None
    console.print(f"book {book.id}: {book.status.value}")


@app.command("pause")
def pause(book_id: str, api_url: ApiUrl = DEFAULT_API_URL, api_key: ApiKey = None) -> None:
    """Pause a book (finished sentences stay in the cache)."""
    _act("pause", book_id, api_url, api_key)


@app.command("resume")
def resume(book_id: str, api_url: ApiUrl = DEFAULT_API_URL, api_key: ApiKey = None) -> None:
    """Resume a paused book."""
    _act("resume", book_id, api_url, api_key)


@app.command("cancel")
def cancel(book_id: str, api_url: ApiUrl = DEFAULT_API_URL, api_key: ApiKey = None) -> None:
    """Cancel a book's render."""
    _act("cancel", book_id, api_url, api_key)


@app.command("redraw")
def redraw(
    book_id: Annotated[str, typer.Argument(help="Book id.")],
    chapter: Annotated[int, typer.Argument(help="Chapter number (from 1).")],
    sentence: Annotated[int, typer.Argument(help="Sentence index in the chapter (as `report` lists flagged ones).")],
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
) -> None:
    """Render one sentence of a finished book again, with a new seed; only its chapter is re-assembled."""
    try:
        with Client(api_url, resolve_api_key(api_key)) as client:
            book = client.redraw_sentence(book_id, chapter, sentence)
    except VocalioApiError as error:
        raise _api_error(error) from None
    console.print(f"book {book.id}: chapter {chapter} sentence {sentence} renders again ({book.status.value})")


@app.command("report")
def report(
    book_id: Annotated[str, typer.Argument(help="Book id.")],
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the report as CSV.")] = False,
) -> None:
    """A book's quality: each chapter against its mastering preset, sentence QA, flagged sentences."""
    try:
        with Client(api_url, resolve_api_key(api_key)) as client:
            if as_csv:
                typer.echo(client.book_report_csv(book_id), nl=False)
                return
            book_report = client.book_report(book_id)
    except VocalioApiError as error:
        raise _api_error(error) from None
    if as_json:
        typer.echo(book_report.model_dump_json(indent=2))
        return
    summary = book_report.quality
    caption = (
        f"{summary.preset}: {summary.chapters_passing} passing, {summary.chapters_failing} failing · "
        f"sentences re-drawn {summary.sentences.redrawn}, flagged {summary.sentences.flagged}"
    )
    table = Table(title=f"{book_report.title} — {book_report.book_id}", caption=caption)
    for column in ("#", "chapter", "pass", "rms dBFS", "peak dBFS", "noise dBFS", "failures", "flagged", "drift"):
        table.add_column(column)
    for row in book_report.chapters:
        verdict = "—" if row.passed is None else ("pass" if row.passed else "FAIL")
        figures = [
            f"{value:.1f}" if value is not None else "" for value in (row.rms_dbfs, row.peak_dbfs, row.noise_floor_dbfs)
        ]
        table.add_row(
            str(row.number),
            row.title,
            verdict,
            *figures,
            ", ".join(row.failures),
            str(row.sentences_flagged),
            ", ".join(row.drift),
        )
    Console().print(table)
    for row in book_report.chapters:
        for flagged in row.flagged:
            Console().print(
                f"chapter {row.number} sentence {flagged.index} at {flagged.start_s:.1f} s "
                f"({', '.join(flagged.failures)}): {flagged.text}"
            )


app.command("check")(check)  # `vocalio book check`: no API involved, see book_check
