"""Property-based fuzzing of the whole HTTP API from its own OpenAPI schema (schemathesis), against
a real API process over real HTTP: every operation, valid and invalid inputs alike, with an admin
key (and the worker token where a route wants it). Each answer must be below 500, answer within
10 s, and an error must carry the documented body: Vocalio's on /api/*, OpenAI's on /v1/*.

The budget is fixed (cases per operation, a seed), so a CI run costs the same every time; a new
route is fuzzed as soon as it is in the schema.
"""

import json
from collections import Counter
from pathlib import Path

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from vocalio_api.config import ApiSettings
from vocalio_api.main import create_app
from vocalio_shared.errors import ERROR_TRAITS, ErrorBody, ErrorCode

from tests.support.processes import ApiProcess

MAX_EXAMPLES_PER_OPERATION = 30
SEED = 20_2612
MAX_RESPONSE_S = 10.0
OPENAI_PREFIX = "/v1/"

# Answers the HTTP layer gives before a route runs; their code is the generic one for the status.
GENERIC_STATUS_CODES = {405: ErrorCode.VALIDATION_ERROR.value}

fuzz_counts: Counter[str] = Counter()
TALLY = Path(__file__).resolve().parents[3] / "test-artifacts" / "fuzz.json"


def _served_schema() -> dict:
    """The schema the API serves at /openapi.json, built from the same app object (no lifespan runs,
    so nothing starts): collection needs it before any process is up; the test below checks the
    running process serves the same one."""
    settings = ApiSettings(worker_token="fuzz-worker-token-0123", webhook_secret="fuzz-webhook-secret-0123")
    return create_app(settings).openapi()


SCHEMA_DOCUMENT = _served_schema()
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES_PER_OPERATION},
        "phases": {"examples": {"enabled": True}, "fuzzing": {"enabled": True}, "coverage": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(SCHEMA_DOCUMENT, config=CONFIG)


def _error_problem(path: str, status: int, body: bytes) -> str | None:
    """Why an error answer is not in the documented shape, or None when it is."""
    try:
        document = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]!r}"
    if path.startswith(OPENAI_PREFIX):
        error = document.get("error") if isinstance(document, dict) else None
        if not isinstance(error, dict) or not {"message", "type", "param", "code"} <= error.keys():
            return f"not OpenAI's error shape: {document!r}"[:400]
        if error["code"] not in {code.value for code in ErrorCode}:
            return f"unknown code {error['code']!r}"
        return None
    try:
        detail = ErrorBody.model_validate(document).error
    except ValueError as exc:
        return f"not the Vocalio error shape ({exc.__class__.__name__}): {document!r}"[:400]
    try:
        code = ErrorCode(detail.code)
    except ValueError:
        return f"unknown code {detail.code!r}"
    if GENERIC_STATUS_CODES.get(status) == code.value:
        return None
    if ERROR_TRAITS[code].http_status != status:
        return f"{code.value} documented as {ERROR_TRAITS[code].http_status}, answered {status}"
    return None


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_every_operation_answers_below_500_in_the_error_shape(case: schemathesis.Case, hostile_api: ApiProcess) -> None:
    base_url, timeout = hostile_api.base_url, MAX_RESPONSE_S + 5
    response = case.call(base_url, headers={"Authorization": f"Bearer {hostile_api.admin_key}"}, timeout=timeout)
    refusal = response.json() if response.status_code == 403 and response.content.startswith(b"{") else {}
    if "worker token" in str(refusal.get("error", {}).get("message", "")):
        # A worker route: the same case again as the worker it was written for.
        response = case.call(base_url, headers={"Authorization": f"Bearer {hostile_api.worker_token}"}, timeout=timeout)
    fuzz_counts[case.operation.label] += 1
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:500]}"
    assert response.elapsed < MAX_RESPONSE_S, f"{where}: answered in {response.elapsed:.1f} s"
    if response.status_code >= 400:
        problem = _error_problem(case.path, response.status_code, response.content)
        assert problem is None, f"{where}: {response.status_code} {problem}"


def test_fuzzing_covered_every_operation(hostile_api: ApiProcess) -> None:
    """Runs after the fuzz tests (file order): the schema fuzzed is the one served, every operation
    in it got cases, and the API never hit an unhandled error."""
    assert httpx.get(f"{hostile_api.base_url}/openapi.json", timeout=10).json() == SCHEMA_DOCUMENT
    operations = {f"{method.upper()} {path}" for path, item in SCHEMA_DOCUMENT["paths"].items() for method in item}
    missing = sorted(operations - set(fuzz_counts))
    assert not missing, f"operations never fuzzed: {missing}"
    total = sum(fuzz_counts.values())
    print(f"\nfuzz: {total} cases over {len(fuzz_counts)} operations")
    # For the run's note, beside faults_io.jsonl and soak.json: what the fuzzing covered.
    TALLY.parent.mkdir(parents=True, exist_ok=True)
    TALLY.write_text(json.dumps({"cases": total, "operations": len(fuzz_counts), "per_operation": fuzz_counts}))
    assert total >= len(operations) * 3
    assert "unhandled error" not in hostile_api.logs(), "the API logged an unhandled error while fuzzed"
