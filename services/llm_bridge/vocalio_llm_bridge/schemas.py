"""Request and answer of POST /v1/expand (the worker's ExpandClient reads the same models)."""

from typing import Literal

from pydantic import BaseModel, Field
from vocalio_shared.regions import RegionChoice

Source = Literal["rules", "ollama", "cache"]


class ExpandRequest(BaseModel):
    text: str = Field(min_length=1, description="Spanish text as written.")
    region: RegionChoice = Field(default=RegionChoice.NEUTRAL, description="Variant to read numbers etc. in.")
    style: str | None = Field(default=None, max_length=200, description="Optional reading style hint.")


class ExpandResponse(BaseModel):
    text: str = Field(description="Text rewritten for listening.")
    source: Source = Field(
        description="rules, ollama (fresh, accepted by the guard) or cache (an earlier ollama answer)."
    )
    model: str | None = Field(default=None, description="The Ollama model, when source is ollama or cache.")
    prompt_version: str | None = None
    changed: bool = Field(description="Whether text differs from the input.")
    warnings: list[str] = Field(default_factory=list)
    fallback_reason: str | None = Field(
        default=None, description="Why the LLM answer was not used, when Ollama is on but rules won."
    )
