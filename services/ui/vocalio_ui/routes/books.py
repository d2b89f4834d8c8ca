"""Books: the list with its upload form, one book's page (confirm the detected structure, set the
voice, render, then watch its chapters live and listen to the finished ones) and its audio downloads.

The page is a client of the API's book routes like every other page: it never reads the queue.
Excluded front/back matter has no number (numbers count included chapters only), so it is put back
by its stable id: `PATCH /api/v1/books/{id}/chapters/{chapter_id}`.
"""

import json
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from markupsafe import Markup
from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.book_quality import MASTERING_PRESETS
from vocalio_shared.schemas.books import (
    MAX_BOOK_CHARS,
    MAX_BOOK_UPLOAD_BYTES,
    MAX_CHAPTERS,
    BookAudioFormat,
    BookList,
    BookPublic,
    BookStatus,
    ChapterPublic,
)
from vocalio_shared.schemas.jobs import SPEED_MAX, SPEED_MIN

from vocalio_ui.api_client import ApiClient, ApiError
from vocalio_ui.audio_proxy import proxy_audio
from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, redirect, render
from vocalio_ui.loudness_plot import loudness_svg
from vocalio_ui.sessions import Session
from vocalio_ui.voice_library import voice_choices

router = APIRouter()
log = structlog.get_logger("ui")

# An import unzips, parses and classifies a whole book before it answers: far longer than a page read.
UPLOAD_TIMEOUT_S = 300.0
PREVIEW_CHARS = 240
# A book is rendering (the page polls) in these; `paused` polls too, so a resume elsewhere shows up.
LIVE = frozenset(
    {BookStatus.QUEUED, BookStatus.PREPARING, BookStatus.SYNTHESIZING, BookStatus.ENCODING, BookStatus.PAUSED}
)
# The structure can be edited (and rendered again) when nothing is running.
EDITABLE = frozenset({BookStatus.DRAFT, BookStatus.SUCCEEDED, BookStatus.FAILED, BookStatus.CANCELLED})
DOWNLOADS = {BookAudioFormat.M4B: "m4b", BookAudioFormat.MP3_ZIP: "zip", BookAudioFormat.FLAC_ZIP: "zip"}
CHOICES = {
    "regions": [region.value for region in RegionChoice],
    "presets": list(MASTERING_PRESETS),
    "speed_min": SPEED_MIN,
    "speed_max": SPEED_MAX,
    "limits": {"upload_bytes": MAX_BOOK_UPLOAD_BYTES, "chapters": MAX_CHAPTERS, "chars": MAX_BOOK_CHARS},
}
TextForm = Annotated[str, Form()]


def _previews(raw: dict[str, Any]) -> dict[str, str]:
    """A short opening of each chapter's text, where the API sends one (`preview`, or `text`):
    ChapterPublic carries neither yet, so the page shows the source instead when both are absent."""
    previews = {}
    for chapter in [*raw.get("chapters", []), *raw.get("excluded", [])]:
        text = chapter.get("preview") or chapter.get("text")
        if isinstance(text, str) and text.strip():
            text = " ".join(text.split())
            previews[chapter["id"]] = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS].rstrip() + " …"
    return previews


def _summary(book: BookPublic) -> dict[str, Any]:
    done = sum(1 for chapter in book.chapters if chapter.status == BookStatus.SUCCEEDED)
    return {"done": done, "total": len(book.chapters)}


def _verdict(chapter: ChapterPublic) -> str:
    """The pass/fail cell's hover text: the failed rules with their figures and targets."""
    report = chapter.report
    if report is None:
        return "No mastering report (the worker did not measure this chapter)."
    if report.passed:
        return f"Passes {report.preset}."
    failed = [rule for rule in report.rules if not rule.passed]
    if not failed:
        return f"Fails {report.preset}: " + ", ".join(report.failures)
    shown = [
        f"{rule.rule} {rule.value:g} (want {rule.target})" if rule.value is not None else rule.rule for rule in failed
    ]
    return f"Fails {report.preset}: " + "; ".join(shown)


def _plots(book: BookPublic) -> dict[str, Markup]:
    """Each finished chapter's loudness plot (server-rendered SVG from its report's timeline)."""
    plots = {}
    for chapter in book.chapters:
        if chapter.report is None:
            continue
        label = f"Loudness of chapter {chapter.number} over time, {chapter.report.preset} target band"
        svg = loudness_svg(chapter.report, element_id=f"loudness-{chapter.number}", label=label)
        if svg is not None:
            plots[chapter.id] = Markup(svg)  # built from numbers and escaped text only
    return plots


async def _book_context(api: ApiClient, session: Session, book_id: str) -> dict[str, Any]:
    raw = await api.get(f"/api/v1/books/{book_id}", session.api_key)
    book = BookPublic.model_validate(raw)
    return {
        "book": book,
        "verdicts": {chapter.id: _verdict(chapter) for chapter in book.chapters},
        "plots": _plots(book),
        "previews": _previews(raw),
        "live": book.status in LIVE,
        "editable": book.status in EDITABLE,
        "downloads": [fmt.value for fmt in DOWNLOADS] if book.status == BookStatus.SUCCEEDED else [],
        **_summary(book),
    }


async def _book_page(
    request: Request, api: ApiClient, session: Session, book_id: str, status_code: int = 200, **extra: Any
) -> Response:
    context = await _book_context(api, session, book_id)
    if context["editable"]:
        context["voices"] = await voice_choices(api, session.api_key or "")
    title = context["book"].metadata.title
    return render(request, "book.html", context | CHOICES | extra | {"title": title}, status_code=status_code)


async def _books(api: ApiClient, session: Session) -> dict[str, Any]:
    listing = BookList.model_validate(await api.get("/api/v1/books", session.api_key))
    return {"books": [(book, _summary(book)) for book in listing.items], "next_cursor": listing.next_cursor}


async def _books_page(
    request: Request, api: ApiClient, session: Session, status_code: int = 200, **extra: Any
) -> Response:
    context = await _books(api, session)
    context["voices"] = await voice_choices(api, session.api_key or "")
    defaults = {"form": {"title": "", "authors": "", "narrator": "", "voice": ""}}
    return render(
        request, "books.html", defaults | context | CHOICES | extra | {"title": "Books"}, status_code=status_code
    )


@router.get("/books")
async def books_page(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    return await _books_page(request, api, session)


@router.get("/fragments/books")
async def books_fragment(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    return render(request, "books.html", await _books(api, session), block="table")


@router.post("/books", dependencies=[CsrfDep])
async def upload_book(
    request: Request,
    session: OperatorDep,
    api: ApiDep,
    file: Annotated[UploadFile | None, File()] = None,
    title: TextForm = "",
    authors: TextForm = "",
    narrator: TextForm = "",
    voice: TextForm = "",
) -> Response:
    form = {"title": title.strip(), "authors": authors.strip(), "narrator": narrator.strip(), "voice": voice.strip()}
    if file is None or not file.filename:
        return await _books_page(request, api, session, 422, form=form, error="Choose an EPUB or TXT file.")
    if file.size is not None and file.size > MAX_BOOK_UPLOAD_BYTES:
        # Refused here, so the operator is told why instead of the API cutting the upload off.
        message = (
            f"The file is {file.size / 2**20:.1f} MiB; the largest book upload is {MAX_BOOK_UPLOAD_BYTES // 2**20} MiB."
        )
        return await _books_page(request, api, session, 413, form=form, error=message, error_code="BOOK_TOO_LARGE")
    # Only what the operator typed: an EPUB's own dc:title, dc:creator … fill the rest on the API's side.
    metadata: dict[str, Any] = {}
    if form["title"]:
        metadata["title"] = form["title"]
    if form["authors"]:
        metadata["authors"] = [name.strip() for name in form["authors"].split(";") if name.strip()]
    if form["narrator"]:
        metadata["narrator"] = form["narrator"]
    data = {"metadata": json.dumps(metadata)}
    if form["voice"]:
        data["settings"] = json.dumps({"voice": form["voice"]})
    upload = (file.filename, file.file, file.content_type or "application/octet-stream")
    try:
        created = await api.post(
            "/api/v1/books", session.api_key, data=data, files={"file": upload}, timeout=UPLOAD_TIMEOUT_S
        )
    except ApiError as error:
        log.info("book_upload_refused", code=error.code, key_id=session.key_id)
        status_code = error.status_code if 400 <= error.status_code < 500 else 422
        return await _books_page(
            request, api, session, status_code, form=form, error=error.message, error_code=error.code
        )
    log.info("book_uploaded", book_id=created["id"], chapters=len(created.get("chapters", [])), key_id=session.key_id)
    return redirect(request, f"/books/{created['id']}")


@router.get("/books/{book_id}")
async def book_page(request: Request, book_id: str, session: OperatorDep, api: ApiDep) -> Response:
    return await _book_page(request, api, session, book_id)


@router.get("/fragments/books/{book_id}")
async def book_fragment(request: Request, book_id: str, session: OperatorDep, api: ApiDep) -> Response:
    context = await _book_context(api, session, book_id)
    return render(request, "book.html", context, block="live")


async def _edit(request: Request, api: ApiClient, session: Session, book_id: str, path: str, body: dict) -> Response:
    """One PATCH; the API's refusal is shown on the book's page, next to what was being edited."""
    try:
        await api.patch(path, session.api_key, json=body)
    except ApiError as error:
        log.info("book_edit_refused", book_id=book_id, code=error.code, key_id=session.key_id)
        return await _book_page(request, api, session, book_id, 422, error=error.message, error_code=error.code)
    log.info("book_edited", book_id=book_id, path=path, fields=sorted(body), key_id=session.key_id)
    return redirect(request, f"/books/{book_id}")


def _chapter_ref(chapter: ChapterPublic) -> str:
    """Included chapters by their number (the contract's), set-aside matter by its stable id."""
    return str(chapter.number) if chapter.number is not None else chapter.id


async def _find_chapter(api: ApiClient, session: Session, book_id: str, chapter_id: str) -> ChapterPublic | None:
    book = BookPublic.model_validate(await api.get(f"/api/v1/books/{book_id}", session.api_key))
    return next((c for c in [*book.chapters, *book.excluded] if c.id == chapter_id), None)


@router.post("/books/{book_id}/chapters/{chapter_id}", dependencies=[CsrfDep])
async def edit_chapter(
    request: Request,
    book_id: str,
    chapter_id: str,
    session: OperatorDep,
    api: ApiDep,
    title: TextForm = "",
    included: TextForm = "",
) -> Response:
    """Rename a chapter (`title`), or put set-aside matter back / leave a chapter out (`included`)."""
    chapter = await _find_chapter(api, session, book_id, chapter_id)
    if chapter is None:
        return await _book_page(request, api, session, book_id, 404, error=f"No chapter {chapter_id} in this book.")
    body: dict[str, Any] = {}
    if title.strip() and title.strip() != chapter.title:
        body["title"] = title.strip()
    if included in ("true", "false"):
        body["included"] = included == "true"
    if not body:
        return redirect(request, f"/books/{book_id}")
    return await _edit(
        request, api, session, book_id, f"/api/v1/books/{book_id}/chapters/{_chapter_ref(chapter)}", body
    )


@router.post("/books/{book_id}/settings", dependencies=[CsrfDep])
async def edit_settings(
    request: Request,
    book_id: str,
    session: OperatorDep,
    api: ApiDep,
    voice: TextForm = "",
    region: TextForm = "auto",
    speed: TextForm = "1.0",
    mastering_preset: TextForm = "",
) -> Response:
    book = BookPublic.model_validate(await api.get(f"/api/v1/books/{book_id}", session.api_key))
    # The whole settings object, the form's fields changed: right whether the API merges or replaces.
    settings = book.settings.model_dump(mode="json") | {"voice": voice.strip() or None, "region": region}
    if mastering_preset:
        settings["mastering_preset"] = mastering_preset
    try:
        settings["speed"] = float(speed)
    except ValueError:
        return await _book_page(request, api, session, book_id, 422, error=f"Speed must be a number, not {speed!r}.")
    return await _edit(request, api, session, book_id, f"/api/v1/books/{book_id}", {"settings": settings})


@router.post("/books/{book_id}/{action}", dependencies=[CsrfDep])
async def book_action(request: Request, book_id: str, action: str, session: OperatorDep, api: ApiDep) -> Response:
    if action not in ("render", "pause", "resume", "cancel"):
        return render(request, "message.html", {"title": "Not found", "message": "No such action."}, status_code=404)
    try:
        await api.post(f"/api/v1/books/{book_id}/{action}", session.api_key)
    except ApiError as error:
        log.info("book_action_refused", book_id=book_id, action=action, code=error.code, key_id=session.key_id)
        return await _book_page(request, api, session, book_id, 409, error=error.message, error_code=error.code)
    log.info("book_action", book_id=book_id, action=action, key_id=session.key_id)
    return redirect(request, f"/books/{book_id}")


@router.post("/books/{book_id}/chapters/{number}/sentences/{index}/redraw", dependencies=[CsrfDep])
async def redraw_sentence(
    request: Request, book_id: str, number: int, index: int, session: OperatorDep, api: ApiDep
) -> Response:
    """ "Render again" on a flagged sentence: the API draws it with a new seed and re-assembles its
    chapter; the page then follows that chapter's render like any other."""
    try:
        await api.post(f"/api/v1/books/{book_id}/chapters/{number}/sentences/{index}/redraw", session.api_key)
    except ApiError as error:
        log.info("book_redraw_refused", book_id=book_id, chapter=number, index=index, code=error.code)
        status_code = error.status_code if 400 <= error.status_code < 500 else 409
        return await _book_page(request, api, session, book_id, status_code, error=error.message, error_code=error.code)
    log.info("book_redraw", book_id=book_id, chapter=number, index=index, key_id=session.key_id)
    return redirect(request, f"/books/{book_id}")


@router.get("/books/{book_id}/chapters/{number}/audio")
async def chapter_audio(
    request: Request, book_id: str, number: int, session: OperatorDep, api: ApiDep, download: int = 0
) -> Response:
    """A finished chapter, playable while the rest renders; Range goes through for seeking."""
    path = f"/api/v1/books/{book_id}/chapters/{number}/audio"
    name = f"{book_id}-{number:03d}" if download else None
    return await proxy_audio(request, api, path, session.api_key or "", download_name=name)


@router.get("/books/{book_id}/report")
async def book_report(book_id: str, session: OperatorDep, api: ApiDep, format: str = "csv") -> Response:
    """The book's quality report as a download (the API's JSON or CSV, unchanged)."""
    if format not in ("csv", "json"):
        return Response("format must be csv or json", status_code=404)
    answer = await api.get(f"/api/v1/books/{book_id}/report", session.api_key, params={"format": format})
    body = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False, indent=2)
    media_type = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    disposition = f'attachment; filename="{book_id}-report.{format}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/books/{book_id}/audio")
async def book_audio(
    request: Request, book_id: str, session: OperatorDep, api: ApiDep, format: str = "m4b"
) -> Response:
    if format not in DOWNLOADS:
        return Response("format must be one of m4b, mp3-zip, flac-zip", status_code=404)
    path = f"/api/v1/books/{book_id}/audio?format={format}"
    name = f"{book_id}.{DOWNLOADS[BookAudioFormat(format)]}"
    return await proxy_audio(request, api, path, session.api_key or "", download_name=name)
