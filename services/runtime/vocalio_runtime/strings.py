"""Text out of libraries that answer bytes or str depending on how they are set up (redis-py without
`decode_responses`, older pynvml)."""

from typing import Any


def as_str(value: Any) -> str:
    """UTF-8 text of `value` if it is bytes, else `str(value)`."""
    return value.decode() if isinstance(value, bytes | bytearray) else str(value)
