"""Cross-job batching: chunks of concurrent jobs on the same voice share forward passes.

The engine calls `submit` from each job's worker thread instead of its `synthesize_requests`. The first
caller waits `window_s` for others, then runs one engine call with every request pending by then and hands
each caller its own audio; callers that arrive meanwhile form the next call. The batcher knows the engine only
as that call (`synthesize`), so it does not import the engine module. No extra thread, no queue to
drain at shutdown: a caller is always either the one running the call or one waiting for it.
"""

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from vocalio_audio.types import FloatAudio

from vocalio_worker.engines.f5.request import ChunkRequest

# The engine call a batch goes to: audio per request, in order (F5Engine.synthesize_requests).
Synthesize = Callable[[Sequence[ChunkRequest]], list[FloatAudio]]


@dataclass
class _Pending:
    requests: Sequence[ChunkRequest]
    done: bool = False
    result: list[FloatAudio] = field(default_factory=list)
    error: BaseException | None = None


class CrossJobBatcher:
    def __init__(self, synthesize: Synthesize, window_s: float) -> None:
        self.synthesize = synthesize
        self.window_s = window_s
        self._pending: list[_Pending] = []
        self._running = False
        self._condition = threading.Condition()
        self.calls = 0  # engine calls made (observability, tests)

    def submit(self, requests: Sequence[ChunkRequest]) -> list[FloatAudio]:
        mine = _Pending(requests)
        with self._condition:
            self._pending.append(mine)
            while not mine.done and self._running:
                self._condition.wait()
            if mine.done:
                return self._outcome(mine)
            self._running = True  # this caller runs the next engine call
        try:
            time.sleep(self.window_s)
            with self._condition:
                taken, self._pending = self._pending, []
            self._run(taken)
        finally:
            with self._condition:
                self._running = False
                self._condition.notify_all()
        return self._outcome(mine)

    def _run(self, taken: list[_Pending]) -> None:
        flat = [request for pending in taken for request in pending.requests]
        try:
            self.calls += 1
            audio = self.synthesize(flat)
        except BaseException as error:
            for pending in taken:
                pending.error, pending.done = error, True
            return
        start = 0
        for pending in taken:
            pending.result = audio[start : start + len(pending.requests)]
            pending.done = True
            start += len(pending.requests)

    @staticmethod
    def _outcome(pending: _Pending) -> list[FloatAudio]:
        if pending.error is not None:
            raise pending.error
        return pending.result
