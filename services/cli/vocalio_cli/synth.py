"""`vocalio synth`: text in, audio file out, through a running API (and its workers).

Submits a job, follows it with a progress bar (polling the job: works through any proxy), and
downloads the audio. The format comes from the output file's extension (`-o hola.mp3` is an mp3), or
--format; the two must agree. The API key comes from --api-key, VOCALIO_API_KEY, or the admin key the API
wrote into its data dir (VOCALIO_DATA_DIR, default ./data) on a local stack.
"""

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.jobs import AUDIO_EXTENSIONS, TERMINAL_STATUSES, JobStatus, OutputFormat, Priority

console = Console(stderr=True)
POLL_INTERVAL_S = 0.5


def resolve_api_key(api_key: str | None) -> str:
    if api_key:
        return api_key
    if os.environ.get("VOCALIO_API_KEY"):
        return os.environ["VOCALIO_API_KEY"]
    key_file = Path(os.environ.get("VOCALIO_DATA_DIR", "data")) / "admin-key.txt"
    if key_file.is_file():
        return key_file.read_text().strip()
    console.print("[red]no API key: pass --api-key, set VOCALIO_API_KEY, or run next to the API's data dir[/red]")
    raise typer.Exit(2)


def read_text(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        return Path(text[1:]).read_text(encoding="utf-8")
    return text


def formats_by_extension() -> dict[str, OutputFormat]:
    """File extension (lower case, no dot) → the format it names: each format's usual extension and its own
    name (an opus file is `.ogg` or `.opus`); the extensions come from the codec table (`vocalio_shared.codecs`)."""
    extensions = {output_format.value: output_format for output_format in OutputFormat}
    extensions.update({extension: output_format for output_format, extension in AUDIO_EXTENSIONS.items()})
    return extensions


def resolve_format(
    output: Path | None, explicit: OutputFormat | None, ctx: typer.Context | None = None
) -> OutputFormat:
    """The format to ask for: the output's extension names it, --format confirms or replaces it.

    Refused (a usage error, exit 2) before any job is submitted: an extension that contradicts --format, and
    an unknown or missing extension without --format (a WAV saved as `hola.mp3` is what this prevents)."""
    if output is None:
        return explicit or OutputFormat.WAV
    extensions = formats_by_extension()
    named = extensions.get(output.suffix.lower().removeprefix("."))
    if named is None:
        if explicit is not None:  # `-o take.audio --format flac`: no extension to contradict the choice
            return explicit
        known = ", ".join(f".{extension}" for extension in sorted(extensions))
        message = f"cannot tell the audio format from {output.name!r}: use one of {known} or pass --format"
        raise _usage_error(message, ctx)
    if explicit is not None and explicit is not named:
        raise _usage_error(
            f"{output.name!r} names {named.value} but --format is {explicit.value}: "
            f"drop --format or use a .{AUDIO_EXTENSIONS[explicit]} file",
            ctx,
        )
    return named


def _usage_error(message: str, ctx: typer.Context | None) -> typer.BadParameter:
    # Raised inside the command, typer prints it like its own option errors (usage, message) and exits 2.
    return typer.BadParameter(message, ctx=ctx, param_hint="'--output' / '-o'")


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(1)


def synth(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Text to speak; @path reads a file, - reads stdin.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Audio file; its extension picks the format (default <job id>.wav)."),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="Audio format (default: from --output's extension, else wav)."),
    ] = None,
    region: Annotated[RegionChoice, typer.Option(help="Regional variant, or auto to detect.")] = RegionChoice.AUTO,
    sample_rate: Annotated[int, typer.Option(help="Sample rate in Hz.")] = 24000,
    voice: Annotated[str | None, typer.Option(help="Voice id (default: the region's).")] = None,
    speed: Annotated[float, typer.Option(help="Speaking speed factor, 0.5-2.0.")] = 1.0,
    priority: Annotated[Priority, typer.Option(help="Queue lane.")] = Priority.NORMAL,
    expand: Annotated[bool, typer.Option(help="Rewrite the text for listening (llm_bridge).")] = False,
    api_url: Annotated[str, typer.Option(envvar="VOCALIO_API_URL", help="API base URL.")] = "http://127.0.0.1:8000",
    api_key: Annotated[str | None, typer.Option(help="API key (else VOCALIO_API_KEY or the data dir's).")] = None,
    timeout_s: Annotated[float, typer.Option(help="Give up waiting after this many seconds.")] = 3600.0,
) -> None:
    """Synthesize TEXT through the API and save the audio."""
    output_format = resolve_format(output, output_format, ctx)
    body = {
        "text": read_text(text),
        "output_format": output_format.value,
        "region": region.value,
        "sample_rate": sample_rate,
        "speed": speed,
        "priority": priority.value,
        "expand": expand,
    }
    if voice:
        body["voice"] = voice
    headers = {"Authorization": f"Bearer {resolve_api_key(api_key)}"}
    with httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=30) as client:
        try:
            created = client.post("/api/v1/jobs", json=body)
        except httpx.HTTPError as error:
            raise _fail(f"cannot reach the API at {api_url}: {error}") from None
        if created.status_code != 202:
            raise _fail(f"job refused ({created.status_code}): {created.text[:500]}")
        job = created.json()
        job_id = job["id"]
        console.print(f"job [bold]{job_id}[/bold] queued")
        job = _follow(client, job_id, timeout_s)
        if job["status"] != JobStatus.SUCCEEDED:
            error = job.get("error") or {}
            raise _fail(f"job {job['status']}: {error.get('code', '')} {error.get('message', '')}".rstrip())
        target = output or Path(f"{job_id}.{AUDIO_EXTENSIONS[output_format]}")
        with client.stream("GET", f"/api/v1/jobs/{job_id}/audio") as audio, target.open("wb") as sink:
            if audio.status_code != 200:
                raise _fail(f"download failed ({audio.status_code})")
            for piece in audio.iter_bytes():
                sink.write(piece)
    result = job["result"]
    console.print(
        f"[green]saved[/green] {target} — {result['duration_s']:.1f} s, {result['sample_rate']} Hz, "
        f"{result['format']}, region {job.get('metrics', {}).get('detected_region', '?')}"
    )


def _follow(client: httpx.Client, job_id: str, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("queued", total=100)
        while time.monotonic() < deadline:
            try:
                response = client.get(f"/api/v1/jobs/{job_id}")
            except httpx.HTTPError:
                time.sleep(POLL_INTERVAL_S)  # the API restarting: keep following
                continue
            if response.status_code == 200:
                job = dict(response.json())
                stage = f" · {job['stage']}" if job.get("stage") else ""
                progress.update(bar, completed=job["progress"], description=f"{job['status']}{stage}")
                if job["status"] in TERMINAL_STATUSES:
                    return job
            time.sleep(POLL_INTERVAL_S)
    raise _fail(f"gave up waiting for job {job_id} after {timeout_s:.0f} s")
