"""MP3 stream facts a delivery spec checks (bitrate, constant or variable), read from the MPEG audio
frame headers themselves: every frame says its bitrate, so a file is CBR exactly when all frames
say the same one (and no Xing VBR header says otherwise). No decoder or ffprobe is needed."""

from collections import Counter
from pathlib import Path

from vocalio_audio.mastering.rules import Mp3Stream

# Layer III bitrates (kbit/s) by the header's 4-bit index: MPEG-1, then MPEG-2 and 2.5.
_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version bits
_TAG_SEARCH = 64  # the Xing/Info tag sits after the side information, within the first frame's first bytes


def _id3v2_size(data: bytes) -> int:
    if len(data) < 10 or data[:3] != b"ID3":
        return 0
    size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F)
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def _frame(data: bytes, offset: int) -> tuple[int, int] | None:
    """(bitrate kbit/s, frame length) of a Layer III frame header at `offset`, or None."""
    if offset + 4 > len(data) or data[offset] != 0xFF or data[offset + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[offset + 1] >> 3) & 0x03, (data[offset + 1] >> 1) & 0x03
    bitrate_index, rate_index = data[offset + 2] >> 4, (data[offset + 2] >> 2) & 0x03
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = (_BITRATES_V1 if version == 3 else _BITRATES_V2)[bitrate_index]
    rate = _RATES[version][rate_index]
    padding = (data[offset + 2] >> 1) & 0x01
    length = (144 if version == 3 else 72) * bitrate * 1000 // rate + padding
    return bitrate, length


def read_mp3_stream(path: Path) -> Mp3Stream | None:
    """The stream's bitrate and whether it is CBR; None when no MPEG Layer III frames are found."""
    data = path.read_bytes()
    offset = _id3v2_size(data)
    # the first frame starts at the first header followed by another header where it says it ends
    while offset < len(data):
        found = _frame(data, offset)
        if found is not None and _frame(data, offset + found[1]) is not None:
            break
        offset += 1
    bitrates: Counter[int] = Counter()
    first, vbr_tag = True, False
    while (found := _frame(data, offset)) is not None:
        bitrate, length = found
        tag = data[offset + 4 : offset + 4 + _TAG_SEARCH]
        if first and (b"Xing" in tag or b"Info" in tag):
            vbr_tag = b"Xing" in tag  # LAME writes "Info" for CBR, "Xing" for VBR; the tag frame holds no audio
        else:
            bitrates[bitrate] += 1
        first = False
        offset += length
    if not bitrates:
        return None
    return Mp3Stream(bitrate_kbps=min(bitrates), cbr=len(bitrates) == 1 and not vbr_tag)
