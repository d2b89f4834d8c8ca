"""vocalio_runtime.strings: one bytes-or-str → str for every Redis/pynvml answer."""

from vocalio_runtime.strings import as_str


def test_bytes_and_str_give_the_same_text() -> None:
    assert as_str("señal") == as_str("señal".encode()) == as_str(bytearray("señal".encode())) == "señal"
    assert as_str(7) == "7"  # a Lua integer reply
