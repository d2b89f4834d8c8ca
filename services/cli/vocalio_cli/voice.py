"""`vocalio voice`: add a reference voice from a recording, and list the sentences to record.

`vocalio voice add take.wav --name Lucía --prompt es-03 --consent` stores the file through the API's
POST /api/v1/voices with the sentence of prompt es-03 as its transcript (or --transcript for any other
clip); the API checks the audio (length, clipping, silence, sample rate, speech rate) and its refusals
are printed with their code. The new voice's id goes to stdout, alone, for scripts.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from vocalio_shared.regions import Region

from vocalio_cli.synth import console, resolve_api_key

app = typer.Typer(no_args_is_help=True)
ApiUrl = Annotated[str, typer.Option(envvar="VOCALIO_API_URL", help="API base URL.")]
ApiKey = Annotated[str | None, typer.Option(help="API key (else VOCALIO_API_KEY or the data dir's).")]
DEFAULT_API_URL = "http://127.0.0.1:8000"


def _client(api_url: str, api_key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {resolve_api_key(api_key)}"}
    return httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=60)


def _refusal(response: httpx.Response, what: str) -> typer.Exit:
    """The API's error shape ({"error": {"code", "message", "context"}}) as one line, and exit 1."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") or f"HTTP {response.status_code}"
    message = error.get("message") or response.text[:300]
    console.print(f"[red]{what} refused ({response.status_code} {code}): {message}[/red]")
    return typer.Exit(1)


def _request(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    try:
        return client.request(method, path, **kwargs)
    except httpx.HTTPError as error:
        console.print(f"[red]cannot reach the API at {client.base_url}: {error}[/red]")
        raise typer.Exit(1) from None


def _prompts(client: httpx.Client) -> dict[str, Any]:
    response = _request(client, "GET", "/api/v1/voices/prompts")
    if response.status_code != 200:
        raise _refusal(response, "listing the prompts")
    body: dict[str, Any] = response.json()
    return body


@app.command("prompts")
def prompts(
    as_json: Annotated[bool, typer.Option("--json", help="The API's answer as JSON.")] = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
) -> None:
    """Print the sentences to read aloud for a reference voice (id, then the sentence)."""
    with _client(api_url, api_key) as client:
        body = _prompts(client)
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for prompt in body["items"]:
        typer.echo(f"{prompt['id']}\t{prompt['text']}")
    console.print(
        f"Read one aloud in {body['min_seconds']:.0f}-{body['max_seconds']:.0f} s, then: "
        "vocalio voice add FILE --name NAME --prompt ID --consent"
    )


@app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="The recording (WAV, FLAC, OGG, MP3, WebM, M4A)."
        ),
    ],
    name: Annotated[str, typer.Option(help="The voice's name (jobs may name it).")],
    transcript: Annotated[str | None, typer.Option(help="Exactly what is said in the recording.")] = None,
    prompt: Annotated[
        str | None,
        typer.Option(help="The id of the sentence read (vocalio voice prompts): its text is the transcript."),
    ] = None,
    consent: Annotated[
        bool, typer.Option("--consent", help="Attest that the speaker agreed to have their voice cloned (required).")
    ] = False,
    region: Annotated[Region, typer.Option(help="The accent the voice speaks.")] = Region.NEUTRAL,
    description: Annotated[str | None, typer.Option(help="Free text shown with the voice.")] = None,
    licence: Annotated[str | None, typer.Option(help="The recording's licence.")] = None,
    source: Annotated[str | None, typer.Option(help="Where the recording comes from.")] = None,
    shared: Annotated[bool, typer.Option("--shared", help="Every key may use it (admin keys only).")] = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    api_key: ApiKey = None,
) -> None:
    """Add a reference voice from FILE, with its transcript or the prompt it reads."""
    if (transcript is None) == (prompt is None):
        raise typer.BadParameter("give exactly one of --transcript and --prompt", ctx=ctx, param_hint="'--prompt'")
    if not consent:
        raise typer.BadParameter(
            "a voice is cloned only with its speaker's agreement: pass --consent to attest it",
            ctx=ctx,
            param_hint="'--consent'",
        )
    with _client(api_url, api_key) as client:
        if prompt is not None:
            found = {item["id"]: item["text"] for item in _prompts(client)["items"]}
            if prompt not in found:
                known = ", ".join(sorted(found))
                raise typer.BadParameter(f"unknown prompt {prompt!r}; one of {known}", ctx=ctx, param_hint="'--prompt'")
            transcript = found[prompt]
            source = source or f"recorded from prompt {prompt}"
        data = {"name": name, "transcript": transcript, "consent": "true", "region": region.value}
        optional = {"description": description, "licence": licence, "source": source}
        data |= {key: value for key, value in optional.items() if value} | ({"shared": "true"} if shared else {})
        with file.open("rb") as handle:
            response = _request(client, "POST", "/api/v1/voices", data=data, files={"file": (file.name, handle)})
    if response.status_code != 201:
        raise _refusal(response, "voice")
    voice = response.json()
    analysis = voice["analysis"]
    console.print(
        f"[green]voice added[/green] {voice['name']} ({voice['region']}): {analysis['duration_s']:.1f} s, "
        f"{analysis['sample_rate_hz']} Hz, SNR {analysis['snr_db']:.0f} dB, peak {analysis['peak_dbfs']:.1f} dBFS"
    )
    for warning in analysis["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    typer.echo(voice["id"])
