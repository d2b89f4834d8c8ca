"""`vocalio status`: what `vocalio up`'s supervisor says about its children (its status file)."""

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from vocalio_cli.supervisor import STATUS_FILE, read_status


def _ago(moment: float | None, now: float) -> str:
    if moment is None:
        return "-"
    seconds = max(0.0, now - moment)
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def render(status: dict[str, Any], now: float | None = None) -> str:
    now = time.time() if now is None else now
    state = status["state"] if status["alive"] else f"{status['state']} (supervisor not running)"
    lines = [f"vocalio up: {state} (pid {status['supervisor_pid']})"]
    if status.get("reason"):
        lines.append(f"  {status['reason']}")
    lines.append(f"  {'child':<11}{'state':<10}{'pid':>8}{'restarts':>10}  last exit")
    for child in status["children"]:
        last = f"{child['last_exit']}, {_ago(child['last_exit_at'], now)}" if child["last_exit"] else "-"
        pid = str(child["pid"]) if child["pid"] else "-"
        lines.append(f"  {child['name']:<11}{child['state']:<10}{pid:>8}{child['restarts']:>10}  {last}")
    return "\n".join(lines)


def status(
    data_dir: Annotated[Path, typer.Option(envvar="VOCALIO_DATA_DIR", help="`vocalio up`'s data dir.")] = Path("data"),
    as_json: Annotated[bool, typer.Option("--json", help="The status file as JSON.")] = False,
) -> None:
    """The embedded stack's children: state, pid, restarts, last exit. Exit code 1 when it is not running."""
    found = read_status(data_dir.resolve() / STATUS_FILE)
    if found is None:
        typer.echo(f"vocalio up is not running on {data_dir} (no {STATUS_FILE})", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(found, indent=2) if as_json else render(found))
    running = found["alive"] and found["state"] == "running"
    raise typer.Exit(0 if running else 1)
