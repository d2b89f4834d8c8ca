"""`vocalio text normalize|analyze`: line-oriented filters used for outside scoring.

Contract: read UTF-8 lines on stdin, write exactly one line per input line on stdout, in order.
Nothing else goes to stdout (logs, if any, go to stderr). Empty lines stay empty.
"""

import io
import json
import sys
from typing import Annotated

import typer
from vocalio_shared.regions import Region

app = typer.Typer(help="Spanish text pipeline: normalize and analyze.", no_args_is_help=True)


def _stdin_lines() -> io.TextIOWrapper:
    # Decode UTF-8 ourselves so a locale without UTF-8 cannot break the contract; bad bytes are
    # replaced rather than aborting the whole run.
    # newline="\n": only LF ends a line (a stray CR or form feed inside a line must not split it);
    # a CRLF line keeps its CR, which _line() strips.
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")


def _stdout() -> io.TextIOWrapper:
    return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=False)


def _line(raw_line: str) -> str:
    return raw_line.removesuffix("\n").removesuffix("\r")


def _one_line(text: str) -> str:
    """Output lines must not contain line breaks of their own (one output line per input line)."""
    return text.replace("\r", " ").replace("\n", " ") if ("\n" in text or "\r" in text) else text


@app.command()
def normalize(
    region: Annotated[
        Region | None, typer.Option("--region", "-r", help="Regional variant; neutral readings if unset.")
    ] = None,
) -> None:
    """Normalize stdin to spoken Spanish, one output line per input line."""
    from vocalio_text.normalizer import normalize as normalize_text

    out = _stdout()
    for raw_line in _stdin_lines():
        line = _line(raw_line)
        try:
            spoken = normalize_text(line, region)
        except Exception:  # the contract is one line out per line in, whatever happens
            spoken = line
        out.write(_one_line(spoken) + "\n")
    out.flush()


@app.command()
def analyze(
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per line (default).")] = True,
    region: Annotated[str, typer.Option("--region", "-r", help="auto, neutral or a variant.")] = "auto",
    max_chunk_chars: Annotated[int, typer.Option("--max-chunk-chars", min=1)] = 300,
) -> None:
    """Analyze each stdin line: region, confidence, markers, normalized text and chunks, as JSON."""
    from vocalio_text.analysis import analyze as analyze_text

    out = _stdout()
    for raw_line in _stdin_lines():
        line = _line(raw_line)
        try:
            result = analyze_text(line, region=region, max_chunk_chars=max_chunk_chars).model_dump(mode="json")
        except Exception as error:  # keep the line count whatever happens
            result = {
                "error": str(error),
                "normalized": line,
                "chunks": [],
                "region": None,
                "confidence": 0.0,
                "markers": [],
            }
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
