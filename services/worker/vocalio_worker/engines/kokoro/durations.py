"""The Kokoro graph with its predicted durations as a second output: where each token's audio lies.

Kokoro's duration predictor rounds each token's length to whole frames (`/encoder/Round`, clamped to at
least one frame by `/encoder/Clip`) and the decoder makes exactly SAMPLES_PER_FRAME samples per frame, so the
durations say at which sample each token starts. With them several sentences can run as one inference and
their audio be cut back apart exactly (`engine.KokoroEngine`).

The exported graph does not output the durations; adding a graph output needs no `onnx` package: a protobuf
parser merges an embedded message that appears twice, so appending a second `graph` field that holds only one
more `output` to the model's bytes gives the same graph with that output (the file on disk stays as pinned).
"""

SAMPLES_PER_FRAME = 600  # 24 kHz: the decoder's upsampling times the iSTFT hop (checked by the tests)
DURATIONS_OUTPUT = "/encoder/Clip_output_0"  # frames per token, float, shape [1, tokens + 2 pads]

_MODEL_GRAPH = 7  # ModelProto.graph
_GRAPH_OUTPUT = 12  # GraphProto.output
_VALUE_NAME, _VALUE_TYPE = 1, 2  # ValueInfoProto.name, .type
_TYPE_TENSOR = 1  # TypeProto.tensor_type
_TENSOR_ELEM_TYPE = 1  # TypeProto.Tensor.elem_type
_FLOAT = 1  # TensorProto.FLOAT
_LENGTH_DELIMITED, _VARINT = 2, 0


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | _LENGTH_DELIMITED) + _varint(len(payload)) + payload


def with_output(model: bytes, name: str = DURATIONS_OUTPUT) -> bytes:
    """`model` (a serialized ModelProto) with the float tensor `name` as one more graph output."""
    tensor = _varint(_TENSOR_ELEM_TYPE << 3 | _VARINT) + _varint(_FLOAT)
    value_info = _field(_VALUE_NAME, name.encode()) + _field(_VALUE_TYPE, _field(_TYPE_TENSOR, tensor))
    return model + _field(_MODEL_GRAPH, _field(_GRAPH_OUTPUT, value_info))
