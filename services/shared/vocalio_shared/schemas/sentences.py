"""The sentence cache's worker protocol: which keys the API's store holds (keys: `vocalio_shared.books`)."""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vocalio_shared.books import is_sentence_key

MAX_LOOKUP_KEYS = 2000  # one lookup's keys; a chapter with more asks in several calls
SENTENCE_AUDIO_MEDIA_TYPE = "audio/flac"
SENTENCE_SHA256_HEADER = "X-Audio-Sha256"


class SentenceLookup(BaseModel):
    """Body of POST /api/v1/sentences/lookup."""

    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(max_length=MAX_LOOKUP_KEYS)

    @field_validator("keys")
    @classmethod
    def _keys_are_keys(cls, keys: list[str]) -> list[str]:
        bad = [key for key in keys if not is_sentence_key(key)]
        if bad:
            raise ValueError(f"not a sentence key (64 lowercase hex digits): {bad[0][:80]!r}")
        return keys


class SentenceLookupResult(BaseModel):
    present: list[str] = Field(description="The asked keys the store holds, in the order asked.")
