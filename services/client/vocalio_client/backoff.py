"""The wait before another try: exponential from the client's `backoff_s`, capped, with jitter so
many clients cut off together do not come back together."""

import random
from typing import Protocol


class _Backoff(Protocol):
    backoff_s: float
    max_backoff_s: float


def backoff_delay(client: _Backoff, failures: int) -> float:
    """Seconds to wait after the `failures`-th failure in a row (1, 2, ...)."""
    base = min(client.backoff_s * 2 ** max(failures - 1, 0), client.max_backoff_s)
    return min(base + random.uniform(0, client.backoff_s), client.max_backoff_s)
