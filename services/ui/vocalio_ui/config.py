"""Dashboard settings: one class, loaded once per process by `load_settings`."""

from pathlib import Path

from pydantic import Field, SecretStr
from vocalio_shared.settings import CommonSettings


class UiSettings(CommonSettings):
    ui_host: str = Field(default="127.0.0.1", description="Address the dashboard listens on.")
    ui_port: int = Field(default=8080, ge=1, le=65535, description="Port the dashboard listens on.")
    api_url: str = Field(default="http://127.0.0.1:8000", description="Where workers and the dashboard reach the API.")
    ui_session_secret: SecretStr = Field(
        min_length=16, description="Signs the dashboard's session cookie; changing it signs everyone out."
    )
    ui_cookie_secure: bool = Field(
        default=False, description="Mark the dashboard's session cookie Secure (set true behind HTTPS)."
    )
    ui_session_ttl_s: int = Field(default=12 * 3600, ge=60, description="Dashboard sign-in lifetime in seconds.")
    ui_poll_interval_s: float = Field(
        default=2.0, ge=0.5, le=60, description="How often dashboard pages refresh live figures."
    )
    ui_api_timeout_s: float = Field(default=5.0, gt=0, description="Timeout of one dashboard call to the API.")
    # Checked before forwarding, so an oversized file is refused here with a clear message instead of the API
    # cutting the connection mid-upload. Keep it equal to the API's VOCALIO_MAX_VOICE_UPLOAD_BYTES.
    ui_max_voice_upload_bytes: int = Field(
        default=25 * 1024 * 1024, ge=1024, description="Largest voice reference the dashboard forwards to the API."
    )
    supervisor_status_file: Path | None = Field(
        default=None,
        description="`vocalio up` sets it to its status file: the Workers page then shows the stack's processes.",
    )
