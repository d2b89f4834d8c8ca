"""Settings of the llm_bridge service (environment, prefix VOCALIO_).

Names carry an `llm_`/`ollama_` prefix because the whole stack shares one `.env`: a bare `PORT` or
`TOKEN` would collide with another service's.
"""

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from vocalio_shared.settings import CommonSettings

from vocalio_llm_bridge.prompt import PROMPTS


class LlmBridgeSettings(CommonSettings):
    llm_bridge_host: str = Field(default="0.0.0.0", description="Interface the HTTP server binds.")
    llm_bridge_port: int = Field(default=8002, ge=1, le=65535)
    llm_bridge_token: SecretStr = Field(
        min_length=16, description="Service token callers send as `Authorization: Bearer <token>`."
    )

    ollama_url: str | None = Field(default=None, description="e.g. http://ollama:11434; unset = rules only.")
    ollama_model: str | None = Field(default=None, description="e.g. qwen2.5:7b; unset = rules only.")
    ollama_timeout_s: float = Field(default=60.0, gt=0, description="Whole-request limit for one LLM call.")
    ollama_connect_timeout_s: float = Field(default=3.0, gt=0)
    ollama_temperature: float = Field(default=0.1, ge=0, le=2)
    ollama_pull_on_start: bool = Field(default=False, description="Pull the model at start.")

    llm_prompt_version: str = Field(default="v1", description="Which versioned prompt to use.")
    llm_cache_ttl_s: int = Field(default=7 * 24 * 3600, ge=0, description="0 disables the cache.")
    llm_length_ratio_min: float = Field(default=0.6, gt=0)
    llm_length_ratio_max: float = Field(default=1.8, gt=0)
    llm_max_text_chars: int = Field(default=20_000, ge=1)

    @field_validator("ollama_url", "ollama_model", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # compose passes `VOCALIO_OLLAMA_URL=` when the variable is empty in .env: treat it as unset.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("ollama_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("llm_prompt_version")
    @classmethod
    def _known_prompt(cls, value: str) -> str:
        if value not in PROMPTS:
            raise ValueError(f"unknown prompt version; known: {', '.join(sorted(PROMPTS))}")
        return value

    @field_validator("llm_length_ratio_max")
    @classmethod
    def _ratio_bounds(cls, value: float, info: ValidationInfo) -> float:
        # A field validator (not a model one) so the startup error names VOCALIO_LLM_LENGTH_RATIO_MAX.
        minimum = info.data.get("llm_length_ratio_min")
        if minimum is not None and value <= minimum:
            raise ValueError("must be above VOCALIO_LLM_LENGTH_RATIO_MIN")
        return value

    @property
    def ollama_enabled(self) -> bool:
        return bool(self.ollama_url and self.ollama_model)
