"""A TCP proxy the test controls, to put a slow and lossy network between two real processes.

It runs its own asyncio loop in a daemon thread and forwards 127.0.0.1:<port> to a target. Faults
apply to connections as they are accepted (`mode`, `reset_ratio`) and to bytes as they pass
(`delay_s`); `cut()` also resets every live connection, because HTTP clients keep connections
alive and would not notice a fault that only new connections meet.

Modes: `pass` forwards; `drop` accepts and closes at once (the client reads EOF); `reset` accepts
and aborts with RST (the client reads "connection reset"); `blackhole` accepts and never answers
(the client times out).
"""

import asyncio
import contextlib
import random
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["pass", "drop", "reset", "blackhole"]
PIPE_CHUNK_BYTES = 64 * 1024


@dataclass
class ProxyCounts:
    accepted: int = 0
    forwarded: int = 0
    dropped: int = 0
    reset: int = 0
    blackholed: int = 0
    cut: int = 0
    uploads_cut: int = 0
    bytes_up: int = 0
    bytes_down: int = 0


@dataclass
class _Faults:
    mode: Mode = "pass"
    delay_s: float = 0.0  # added before each chunk is passed on, both ways
    reset_ratio: float = 0.0  # share of new connections reset at once, even in `pass`
    cut_after_bytes_up: int = 0  # a connection that has sent this much upstream is reset (a big upload) ...
    uploads_to_cut: int = 0  # ... this many times
    rng: random.Random = field(default_factory=lambda: random.Random(1))  # the same losses every run


def _abort_with_rst(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):  # a socket already gone needs no RST
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.counts = ProxyCounts()
        self._faults = _Faults()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._live: set[asyncio.StreamWriter] = set()
        self._held: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "TcpProxy":
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        ).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for writer in list(self._live | self._held):
                writer.transport.abort()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def set(
        self,
        mode: Mode = "pass",
        *,
        delay_s: float = 0.0,
        reset_ratio: float = 0.0,
        cut: bool = False,
        cut_uploads: int = 0,
        upload_bytes: int = 256 * 1024,
    ) -> None:
        """Faults from now on; `cut` also resets the connections open now (and releases held ones);
        `cut_uploads` resets that many connections once each has sent `upload_bytes` upstream."""

        async def apply() -> None:
            self._faults.mode, self._faults.delay_s, self._faults.reset_ratio = mode, delay_s, reset_ratio
            self._faults.cut_after_bytes_up, self._faults.uploads_to_cut = upload_bytes, cut_uploads
            if cut or mode == "pass":
                for writer in list(self._held):
                    _abort_with_rst(writer)
                self._held.clear()
            if cut:
                for writer in list(self._live):
                    _abort_with_rst(writer)
                    self.counts.cut += 1
                self._live.clear()

        asyncio.run_coroutine_threadsafe(apply(), self._loop).result(10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.counts.accepted += 1
        faults = self._faults
        if faults.mode == "drop":
            self.counts.dropped += 1
            writer.close()
            return
        if faults.mode == "reset" or (faults.reset_ratio and faults.rng.random() < faults.reset_ratio):
            self.counts.reset += 1
            _abort_with_rst(writer)
            return
        if faults.mode == "blackhole":
            self.counts.blackholed += 1
            self._held.add(writer)  # read nothing, answer nothing: the client's timeout fires
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _abort_with_rst(writer)
            return
        self.counts.forwarded += 1
        self._live.update((writer, up_writer))
        client_side = writer
        await asyncio.gather(
            self._pipe(reader, up_writer, client_side), self._pipe(up_reader, writer, client_side, up=False)
        )
        self._live.difference_update((writer, up_writer))

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        client_side: asyncio.StreamWriter,
        up: bool = True,
    ) -> None:
        sent = 0
        try:
            while data := await reader.read(PIPE_CHUNK_BYTES):
                faults = self._faults
                if faults.delay_s:
                    await asyncio.sleep(faults.delay_s)
                sent += len(data)
                if up:
                    self.counts.bytes_up += len(data)
                    if faults.uploads_to_cut and sent >= faults.cut_after_bytes_up:
                        faults.uploads_to_cut -= 1
                        self.counts.uploads_cut += 1
                        _abort_with_rst(client_side)  # mid-body: the server holds a partial upload
                        _abort_with_rst(writer)
                        return
                else:
                    self.counts.bytes_down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if not writer.transport.is_closing():  # one side ended: end the other, so neither waits forever
                writer.close()
