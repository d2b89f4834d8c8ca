"""Where the Voices form shows each API refusal, and with what advice (no browser, no stack)."""

import pytest
from vocalio_ui.api_client import ApiError
from vocalio_ui.voice_errors import too_large, upload_errors


@pytest.mark.parametrize(
    ("code", "field"),
    [
        ("VOICE_TOO_SHORT", "file"),
        ("VOICE_TOO_LONG", "file"),
        ("VOICE_NOT_AUDIO", "file"),
        ("VOICE_CLIPPING", "file"),
        ("VOICE_MOSTLY_SILENCE", "file"),
        ("VOICE_SAMPLE_RATE_TOO_LOW", "file"),
        ("UPLOAD_TOO_LARGE", "file"),
        ("VOICE_TRANSCRIPT_EMPTY", "transcript"),
        ("VOICE_TRANSCRIPT_IMPLAUSIBLE", "transcript"),
        ("VOICE_NAME_INVALID", "name"),
        ("VOICE_CONSENT_REQUIRED", "consent"),
        ("FORBIDDEN", "shared"),
    ],
)
def test_each_code_lands_next_to_its_field_with_a_fix(code: str, field: str) -> None:
    (error,) = upload_errors(ApiError(422, {"code": code, "message": "the API's words"}))
    assert error.field == field and error.message == "the API's words" and error.hint


def test_generic_validation_errors_name_their_fields() -> None:
    context = {"fields": [{"field": "body.region", "message": "not a region"}, {"field": "query.x", "message": "?"}]}
    errors = upload_errors(ApiError(422, {"code": "VALIDATION_ERROR", "message": "invalid", "context": context}))
    assert [(e.field, e.message) for e in errors] == [("region", "not a region")]


def test_unknown_refusals_still_show_the_api_message() -> None:
    (error,) = upload_errors(ApiError(500, {"code": "SOMETHING_NEW", "message": "new failure"}))
    assert error.field == "form" and error.message == "new failure" and error.hint is None


def test_too_large_reads_like_the_api() -> None:
    error = too_large(30 * 1_048_576, 25 * 1_048_576)
    assert error.field == "file" and "30.0 MB" in error.message and "25 MB" in error.message
