"""`vocalio book check PATH...`: audio files (or folders of them), made anywhere, against a mastering
preset (ACX by default). A table for people, `--json` for scripts; exit status 1 when any file fails
(or cannot be read), 0 when all pass, so it works on its own and in a pipeline.

`--json` prints {"files": [{"path", "rms_dbfs", "peak_dbfs", "noise_floor_dbfs", "head_room_tone_s",
"tail_room_tone_s", "pass", "failures": [rule names]}]}; an unreadable file has null figures and the
failure "unreadable".
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from vocalio_audio.mastering.files import FileCheck

UNREADABLE = "unreadable"


def check(
    paths: Annotated[list[Path], typer.Argument(help="Audio files, or folders of them (any format ffmpeg reads).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    preset: Annotated[str, typer.Option("--preset", help="Mastering preset: acx (default) or podcast.")] = "acx",
) -> None:
    """Check audio files against a mastering preset (ACX by default); exit 1 when one fails."""
    # numpy, scipy and pyloudnorm come with the worker/api extras: imported here, so `vocalio` starts light
    from vocalio_audio.ffmpeg import default_ffmpeg_exe
    from vocalio_audio.mastering import load_preset
    from vocalio_audio.mastering.files import audio_files, check_file

    try:
        chosen = load_preset(preset)
    except KeyError as error:
        raise typer.BadParameter(str(error.args[0]), param_hint="--preset") from error
    files = audio_files(paths)
    if not files:
        raise typer.BadParameter("no audio files found", param_hint="PATH")
    ffmpeg_exe = default_ffmpeg_exe()
    checks = [check_file(ffmpeg_exe, path, chosen) for path in files]
    rows = [_row(item) for item in checks]
    if as_json:
        typer.echo(json.dumps({"files": rows}, ensure_ascii=False))
    else:
        _print_table(checks, rows, chosen.name)
    if not all(row["pass"] for row in rows):
        raise typer.Exit(1)


def _row(item: "FileCheck") -> dict[str, Any]:
    if item.report is None:
        return {
            "path": str(item.path),
            "rms_dbfs": None,
            "peak_dbfs": None,
            "noise_floor_dbfs": None,
            "head_room_tone_s": None,
            "tail_room_tone_s": None,
            "pass": False,
            "failures": [UNREADABLE],
        }
    measured = item.report.measured
    return {
        "path": str(item.path),
        "rms_dbfs": measured.rms_dbfs,
        "peak_dbfs": measured.peak_dbfs,
        "noise_floor_dbfs": measured.noise_floor_dbfs,
        "head_room_tone_s": measured.head_room_tone_s,
        "tail_room_tone_s": measured.tail_room_tone_s,
        "pass": item.report.passed,
        "failures": item.report.failures,
    }


def _print_table(checks: list["FileCheck"], rows: list[dict[str, Any]], preset: str) -> None:
    table = Table(title=f"mastering check: {preset}")
    for column in ("file", "length", "RMS dBFS", "peak dBFS", "true peak", "floor dBFS", "head s", "tail s", "result"):
        table.add_column(column, justify="left" if column in ("file", "result") else "right")
    for item, row in zip(checks, rows, strict=True):
        if item.report is None:
            table.add_row(str(item.path), *["—"] * 7, f"[red]unreadable[/red]: {item.error}")
            continue
        measured = item.report.measured
        minutes, seconds = divmod(measured.duration_s, 60)
        verdict = "[green]pass[/green]" if row["pass"] else "[red]fail[/red]: " + ", ".join(row["failures"])
        true_peak = "—" if measured.true_peak_dbfs is None else f"{measured.true_peak_dbfs:.1f}"
        table.add_row(
            str(item.path),
            f"{int(minutes)}:{seconds:04.1f}",
            f"{measured.rms_dbfs:.1f}",
            f"{measured.peak_dbfs:.1f}",
            true_peak,
            f"{measured.noise_floor_dbfs:.1f}",
            f"{measured.head_room_tone_s:.2f}",
            f"{measured.tail_room_tone_s:.2f}",
            verdict,
        )
    Console().print(table)
    failed = sum(1 for row in rows if not row["pass"])
    Console().print(f"{len(rows) - failed} of {len(rows)} files pass {preset}.")
