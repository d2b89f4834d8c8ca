"""MP4 reading and surgery that ffmpeg's muxer and CLI do not offer.

- An audio track's length in whole frames, read from its sample table (no process started).
- Freeform iTunes tags ("----:com.apple.iTunes:series"): where `series`, `isbn`, `asin`, `language`
  and `AI_NARRATION` live in an m4b. ffmpeg writes only the fixed iTunes atoms, or with
  `use_metadata_tags` QuickTime `mdta` keys, which Apple's and most audiobook players do not read.
- The index (`moov`) moved before the audio in the same pass, as `-movflags +faststart` would, so
  players start before the whole download.

The audio (`mdat`) is copied, never parsed; only `moov` (a few MB for a 12-hour book) is read and
rewritten, and every chunk offset of every track (`stco`/`co64`) is moved by what its box moved.
"""

import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.temp_files import replacing

# Boxes whose payload is only child boxes (on the way to ilst and to the chunk offsets).
_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf", b"ilst"})
_FULL_CONTAINERS = frozenset({b"meta"})  # 4 bytes of version and flags before the children
_COPY_CHUNK = 8 * 1024 * 1024
FREEFORM_MEAN = "com.apple.iTunes"


def _corrupt(message: str) -> VocalioError:
    return VocalioError(ErrorCode.INTERNAL_ERROR, f"unexpected MP4 layout: {message}", {})


@dataclass
class _Box:
    kind: bytes
    payload: bytes = b""  # leaves: everything after the header
    children: list["_Box"] | None = None
    prefix: bytes = b""  # full containers: version and flags

    def serialize(self) -> bytes:
        body = (
            self.prefix + b"".join(child.serialize() for child in self.children)
            if self.children is not None
            else self.payload
        )
        if len(body) + 8 <= 0xFFFFFFFF:
            return struct.pack(">I4s", len(body) + 8, self.kind) + body
        return struct.pack(">I4sQ", 1, self.kind, len(body) + 16) + body

    def child(self, kind: bytes) -> "_Box | None":
        return next((box for box in self.children or [] if box.kind == kind), None)


def _parse(data: bytes) -> list[_Box]:
    boxes: list[_Box] = []
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = len(data) - offset
        if size < header or offset + size > len(data):
            raise _corrupt(f"box {kind!r} runs past its parent")
        body = data[offset + header : offset + size]
        if kind in _CONTAINERS:
            boxes.append(_Box(kind, children=_parse(body)))
        elif kind in _FULL_CONTAINERS:
            boxes.append(_Box(kind, prefix=body[:4], children=_parse(body[4:])))
        else:
            boxes.append(_Box(kind, payload=body))
        offset += size
    return boxes


def _top_level(handle: BinaryIO) -> list[tuple[bytes, int, int]]:
    """(kind, offset, size) of each top-level box, read from the headers only."""
    end = handle.seek(0, os.SEEK_END)
    boxes = []
    offset = 0
    while offset + 8 <= end:
        handle.seek(offset)
        size, kind = struct.unpack(">I4s", handle.read(8))
        if size == 1:
            (size,) = struct.unpack(">Q", handle.read(8))
        elif size == 0:
            size = end - offset
        if size < 8 or offset + size > end:
            raise _corrupt(f"top-level box {kind!r} runs past the end of the file")
        boxes.append((kind, offset, size))
        offset += size
    return boxes


def _read_moov(handle: BinaryIO) -> tuple[list[tuple[bytes, int, int]], _Box]:
    layout = _top_level(handle)
    moovs = [box for box in layout if box[0] == b"moov"]
    if len(moovs) != 1:
        raise _corrupt("not exactly one moov box")
    _, offset, size = moovs[0]
    handle.seek(offset)
    (moov,) = _parse(handle.read(size))
    return layout, moov


def audio_frame_span(path: Path) -> tuple[int, int]:
    """(ticks, timescale) of the first sound track's samples laid end to end, every one a whole
    frame (the longest delta of its time-to-sample table): what its packets take once copied into
    another file, priming and the padded last frame included, unlike the track's own duration,
    which the edit list and the shortened last delta trim."""
    with path.open("rb") as handle:
        _, moov = _read_moov(handle)
    for trak in moov.children or []:
        mdia = trak.child(b"mdia") if trak.kind == b"trak" else None
        handler = mdia.child(b"hdlr") if mdia else None
        if mdia is None or handler is None or handler.payload[8:12] != b"soun":
            continue
        header = mdia.child(b"mdhd")
        stbl = (mdia.child(b"minf") or _Box(b"minf", children=[])).child(b"stbl")
        stts = stbl.child(b"stts") if stbl else None
        if header is None or stts is None:
            break
        timescale_at = 20 if header.payload[0] == 1 else 12  # version 1: 64-bit creation/modification times
        (timescale,) = struct.unpack_from(">I", header.payload, timescale_at)
        (entries,) = struct.unpack_from(">I", stts.payload, 4)
        pairs = [struct.unpack_from(">II", stts.payload, 8 + 8 * index) for index in range(entries)]
        samples = sum(count for count, _ in pairs)
        frame = max((delta for _, delta in pairs), default=0)
        if samples and frame and timescale:
            return samples * frame, timescale
        break
    raise _corrupt(f"no sound track with samples in {path.name}")


def _freeform(name: str, value: str) -> _Box:
    def full(kind: bytes, data: bytes) -> _Box:
        return _Box(kind, payload=b"\x00\x00\x00\x00" + data)

    data = _Box(b"data", payload=struct.pack(">II", 1, 0) + value.encode())  # type 1: UTF-8; locale 0
    return _Box(b"----", children=[full(b"mean", FREEFORM_MEAN.encode()), full(b"name", name.encode()), data])


def _ilst(moov: _Box) -> _Box:
    """moov/udta/meta/ilst, made if missing (ffmpeg writes it whenever a file has a title)."""
    assert moov.children is not None
    udta = moov.child(b"udta")
    if udta is None:
        udta = _Box(b"udta", children=[])
        moov.children.append(udta)
    meta = udta.child(b"meta")
    if meta is None:
        handler = _Box(b"hdlr", payload=b"\x00" * 8 + b"mdirappl" + b"\x00" * 9)
        meta = _Box(b"meta", prefix=b"\x00" * 4, children=[handler])
        assert udta.children is not None
        udta.children.append(meta)
    ilst = meta.child(b"ilst")
    if ilst is None:
        ilst = _Box(b"ilst", children=[])
        assert meta.children is not None
        meta.children.append(ilst)
    return ilst


def _chunk_offset_tables(box: _Box) -> list[_Box]:
    if box.kind in (b"stco", b"co64"):
        return [box]
    return [table for child in box.children or [] for table in _chunk_offset_tables(child)]


def _move_offsets(tables: list[_Box], moved: Callable[[int], int]) -> None:
    for table in tables:
        (count,) = struct.unpack_from(">I", table.payload, 4)
        width = 8 if table.kind == b"co64" else 4
        fmt = ">Q" if width == 8 else ">I"
        entries = bytearray(table.payload)
        for index in range(count):
            position = 8 + index * width
            (old,) = struct.unpack_from(fmt, entries, position)
            new = moved(old)
            if width == 4 and new > 0xFFFFFFFF:
                raise _corrupt("a chunk offset passes 4 GiB in a 32-bit table")
            struct.pack_into(fmt, entries, position, new)
        table.payload = bytes(entries)


def finish_mp4(source: Path, target: Path, freeform_tags: dict[str, str]) -> None:
    """Writes `target`: `source` with `freeform_tags` added to its iTunes tags and its moov first
    (after ftyp). `source` and `target` may not be the same file."""
    with source.open("rb") as handle:
        layout, moov = _read_moov(handle)
        ilst = _ilst(moov)
        assert ilst.children is not None
        for name, value in freeform_tags.items():
            ilst.children.append(_freeform(name, value))
        # New order: ftyp (if first), moov, then every other box as it was.
        head = [box for box in layout[:1] if box[0] == b"ftyp"]
        rest = [box for box in layout if box not in head and box[0] != b"moov"]
        moov_bytes = moov.serialize()
        new_offsets: dict[int, int] = {}
        position = sum(size for _, _, size in head) + len(moov_bytes)
        for _, offset, size in rest:
            new_offsets[offset] = position
            position += size
        moved_boxes = [(offset, size, new_offsets[offset]) for _, offset, size in rest]

        def moved(old: int) -> int:
            for offset, size, new in moved_boxes:
                if offset <= old < offset + size:
                    return old - offset + new
            raise _corrupt(f"chunk offset {old} points outside every box")

        _move_offsets(_chunk_offset_tables(moov), moved)
        moov_bytes = moov.serialize()  # same size: offsets keep their width
        with replacing(target) as partial, partial.open("wb") as out:
            for _, offset, size in head:
                handle.seek(offset)
                out.write(handle.read(size))
            out.write(moov_bytes)
            for _, offset, size in rest:
                handle.seek(offset)
                _copy(handle, out, size)


def _copy(source: BinaryIO, target: BinaryIO, size: int) -> None:
    left = size
    while left > 0:
        block = source.read(min(_COPY_CHUNK, left))
        if not block:
            raise _corrupt("file ended inside a box")
        target.write(block)
        left -= len(block)
