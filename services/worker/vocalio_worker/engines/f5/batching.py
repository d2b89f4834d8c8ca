"""Which chunks share a forward pass, how many fit in GPU memory, and what happens when they do not.

Chunks are sorted by estimated duration and cut into batches of neighbours, so padding stays small. The
batch size comes from free VRAM (NVML, through the worker's metrics helper) and a per-frame cost estimate;
the estimate is deliberately rough because the OOM path backs it up: on CUDA out-of-memory the cache is
freed, the batch halved and the rest retried; a single chunk that does not fit is GPU_OOM.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import torch
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.engines.f5.registry import ModelEntry

T = TypeVar("T")
R = TypeVar("R")

# Share of free VRAM a batch may plan to use: the rest is headroom for the allocator and the vocoder.
VRAM_SHARE = 0.7


def plan_batches(
    durations_frames: Sequence[int], max_batch: int, max_batch_frames: int | None = None
) -> list[list[int]]:
    """Indices grouped by similar duration; each group ≤ max_batch chunks and ≤ max_batch_frames padded frames."""
    order = sorted(range(len(durations_frames)), key=lambda index: durations_frames[index])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = durations_frames[index]  # sorted: the newcomer is the longest of its batch
        too_many = len(current) >= max_batch
        too_big = max_batch_frames is not None and current and longest * (len(current) + 1) > max_batch_frames
        if current and (too_many or too_big):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def bytes_per_frame(entry: ModelEntry, dtype: torch.dtype, frames: int) -> int:
    """Rough activation cost of one chunk-frame in one flow step (CFG doubles the batch)."""
    arch = entry.architecture
    dim, heads = int(arch.get("dim", 1024)), int(arch.get("heads", 16))
    element = torch.finfo(dtype).bits // 8
    hidden = dim * (4 + 2 * int(arch.get("ff_mult", 2)))  # residual, q/k/v/out, feed-forward
    attention = heads * frames  # score row per head when attention runs the math kernel (masked batches)
    return 2 * (hidden + attention) * element


def free_vram_bytes() -> int | None:
    """Memory a batch can still get on GPU 0: free by NVML plus what torch's caching allocator holds unused.

    NVML counts the allocator's cached blocks as used; without adding them back, every batch after the first
    would be planned against the memory the previous batch left cached, and shrink. None without NVIDIA.
    """
    from vocalio_worker.metrics import sample_gpu

    sample = sample_gpu()
    if sample.memory_total_mb is None or sample.memory_used_mb is None:
        return None
    nvml_free = max(0, int((sample.memory_total_mb - sample.memory_used_mb) * 2**20))
    cached = torch.cuda.memory_reserved() - torch.cuda.memory_allocated() if torch.cuda.is_available() else 0
    return nvml_free + max(0, cached)


def admitted_batch_frames(entry: ModelEntry, dtype: torch.dtype, longest_frames: int) -> int | None:
    """How many padded frames one batch may hold now; None = unbounded (CPU, or no NVML)."""
    free = free_vram_bytes()
    if free is None:
        return None
    return max(longest_frames, int(free * VRAM_SHARE / bytes_per_frame(entry, dtype, longest_frames)))


def is_oom(error: BaseException) -> bool:
    if isinstance(error, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


@dataclass(frozen=True)
class OomContext:
    """What GPU_OOM reports for the chunk that did not fit alone."""

    memory_required_mb: float
    memory_available_mb: float | None
    text_length: int


def run_with_oom_backoff(
    items: Sequence[T],
    run: Callable[[Sequence[T]], list[R]],
    batch_size: int,
    describe: Callable[[T], OomContext],
    on_oom: Callable[[int], None] | None = None,
) -> list[R]:
    """`run` on slices of `items`; halves the slice size on OOM, GPU_OOM when one item alone fails."""
    results: list[R] = []
    start, size = 0, max(1, batch_size)
    while start < len(items):
        piece = items[start : start + size]
        try:
            results.extend(run(piece))
        except Exception as error:
            if not is_oom(error):
                raise
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            if on_oom is not None:
                on_oom(len(piece))
            if len(piece) == 1:
                context = describe(piece[0])
                raise VocalioError(
                    ErrorCode.GPU_OOM,
                    f"GPU out of memory on a single chunk ({context.text_length} characters)",
                    {
                        "memory_required_mb": round(context.memory_required_mb, 1),
                        "memory_available_mb": (
                            round(context.memory_available_mb, 1) if context.memory_available_mb is not None else None
                        ),
                        "text_length": context.text_length,
                        "batch_size": 1,
                    },
                ) from error
            size = max(1, len(piece) // 2)
            continue
        start += len(piece)
    return results
