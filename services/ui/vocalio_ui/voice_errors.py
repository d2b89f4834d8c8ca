"""The API's voice-upload refusals, placed next to the field they concern with what to do about it.

The API's message says what is wrong (with the measured figure); the hint here says how to fix it,
in the operator's terms. Codes this table does not know still show, as the API's message alone.
"""

from dataclasses import dataclass

from vocalio_ui.api_client import ApiError


@dataclass(frozen=True)
class FieldError:
    field: str  # the form input it belongs next to: file, transcript, name, consent, region, shared …
    message: str
    hint: str | None


_HINTS: dict[str, tuple[str, str]] = {
    "VOICE_TOO_SHORT": ("file", "Upload 2 to 30 seconds of one person speaking; 5 to 15 s works best."),
    "VOICE_TOO_LONG": ("file", "Trim the clip to at most 30 s (and shorten the transcript to match)."),
    "VOICE_NOT_AUDIO": (
        "file",
        "Export the recording as WAV, FLAC, OGG/Opus, MP3, WebM/Opus or M4A and upload that file.",
    ),
    "VOICE_CLIPPING": ("file", "Record again with the input gain lower, so the loudest syllables stay below 0 dBFS."),
    "VOICE_MOSTLY_SILENCE": (
        "file",
        "Trim the silence before and after the speech, or pick a clip that is mostly speech.",
    ),
    "VOICE_SAMPLE_RATE_TOO_LOW": (
        "file",
        "Use a recording made at 16 kHz or more (24 or 48 kHz is best); resampling a phone-quality clip does not help.",
    ),
    "UPLOAD_TOO_LARGE": ("file", "A 30 s WAV is a few MB: trim the clip or export it compressed (FLAC, OGG)."),
    "VOICE_TRANSCRIPT_EMPTY": ("transcript", "Type exactly what is said in the clip, word for word."),
    "VOICE_TRANSCRIPT_IMPLAUSIBLE": (
        "transcript",
        "The transcript must be exactly what is said in this clip: no more, no less. Check it against the audio.",
    ),
    "VOICE_NAME_INVALID": ("name", "Use 1 to 100 letters, digits, spaces or . ' ( ) - _ (no slashes)."),
    "VOICE_CONSENT_REQUIRED": (
        "consent",
        "Tick the consent box only if the speaker agreed to have their voice cloned; otherwise do not upload it.",
    ),
    "FORBIDDEN": ("shared", "Only an admin key can share a voice with every key; untick “shared”."),
}
FORM_FIELDS = ("file", "transcript", "name", "region", "description", "licence", "source", "consent", "shared")


def upload_errors(error: ApiError) -> list[FieldError]:
    """One entry per refused field; `context.fields` of a generic 422 names `body.<field>`."""
    if error.code in _HINTS:
        field, hint = _HINTS[error.code]
        return [FieldError(field, error.message, hint)]
    fields = (error.error.get("context") or {}).get("fields") or []
    found = [
        FieldError(name, str(item.get("message", "")), None)
        for item in fields
        if (name := str(item.get("field", "")).removeprefix("body.")) in FORM_FIELDS
    ]
    return found or [FieldError("form", error.message, None)]


def too_large(size_bytes: int, limit_bytes: int) -> FieldError:
    """The dashboard's own check, worded like the API's 413."""
    message = f"the file is {size_bytes / 1_048_576:.1f} MB; the limit is {limit_bytes / 1_048_576:.0f} MB"
    return FieldError("file", message, _HINTS["UPLOAD_TOO_LARGE"][1])
