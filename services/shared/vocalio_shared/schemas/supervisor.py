"""`vocalio up`'s status file (`data_dir/supervisor.json`): written by the supervisor, read by
`vocalio status` and the dashboard's Workers page. Times are Unix seconds."""

from pydantic import BaseModel, Field


class ChildStatus(BaseModel):
    name: str
    state: str = Field(description="starting | running | backoff (died, restart pending) | stopped")
    pid: int | None = None
    restarts: int = 0
    last_exit_code: int | None = Field(default=None, description="Negative: killed by that signal.")
    last_exit: str | None = Field(default=None, description="The last exit in words ('killed by SIGKILL').")
    last_exit_at: float | None = None
    started_at: float | None = None
    next_start_at: float | None = Field(default=None, description="Monotonic clock of the supervisor (backoff).")


class SupervisorStatus(BaseModel):
    supervisor_pid: int
    state: str = Field(description="starting | running | stopping | stopped | gave_up (a crash loop)")
    reason: str | None = None
    updated_at: float
    children: list[ChildStatus]
