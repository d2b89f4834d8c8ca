"""Our DiT block forward (fused projections, complex rotary, broadcast mask) against the package's block."""

import pytest
import torch
from f5_tts.model.modules import DiTBlock
from vocalio_worker.engines.f5.block import Rotary, block_forward, fused_qkv, rotate_
from vocalio_worker.engines.f5.sampler import BatchSampler
from x_transformers.x_transformers import RotaryEmbedding, apply_rotary_pos_emb

from tests.worker.engines.f5.conftest import ARCH_V1, random_model

DIM, HEADS, DIM_HEAD, FRAMES = 64, 4, 16, 37


def random_block(**options: object) -> DiTBlock:
    torch.manual_seed(3)
    block = DiTBlock(dim=DIM, heads=HEADS, dim_head=DIM_HEAD, ff_mult=2, dropout=0.0, **options)  # type: ignore[arg-type]
    with torch.no_grad():
        for parameter in block.parameters():
            parameter.normal_(0.0, 0.2)
    return block.eval()


@pytest.mark.parametrize(
    "options",
    [{}, {"pe_attn_head": 1}, {"qk_norm": "rms_norm"}, {"qk_norm": "rms_norm", "pe_attn_head": 2}],
    ids=["v1", "v0-rotary-on-one-head", "qk-norm", "qk-norm-two-rotary-heads"],
)
def test_block_forward_equals_the_package_block(options: dict[str, object]) -> None:
    block = random_block(**options)
    x, t = torch.randn(2, FRAMES, DIM), torch.randn(2, DIM)
    rotary_embed = RotaryEmbedding(DIM_HEAD)
    with torch.inference_mode():
        theirs = block(x, t, mask=None, rope=rotary_embed.forward_from_seq_len(FRAMES))
        ours = block_forward(block, fused_qkv(block.attn), x, t, None, Rotary.for_frames(rotary_embed, FRAMES))
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-5)
    assert theirs.abs().max() > 1.0  # every part of the block moved the input: the comparison is not trivial


def test_padded_keys_are_masked_like_the_packages_expanded_mask() -> None:
    block = random_block(attn_mask_enabled=True)
    x, t = torch.randn(3, FRAMES, DIM), torch.randn(3, DIM)
    mask = torch.arange(FRAMES)[None] < torch.tensor([FRAMES, 20, 9])[:, None]
    rotary_embed = RotaryEmbedding(DIM_HEAD)
    rotary, weights = Rotary.for_frames(rotary_embed, FRAMES), fused_qkv(block.attn)
    with torch.inference_mode():
        theirs = block(x, t, mask=mask, rope=rotary_embed.forward_from_seq_len(FRAMES))
        ours = block_forward(block, weights, x, t, mask, rotary)
        garbage = x.clone()
        garbage[~mask] = 1e3  # what sits in the padding must not reach the real frames
        shielded = block_forward(block, weights, garbage, t, mask, rotary)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(shielded[mask], ours[mask], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("dtype", "compiled"),
    [(torch.float32, False), (torch.bfloat16, False), (torch.float32, True)],
    ids=["float32", "bfloat16", "compiled"],
)
def test_rotation_in_place_equals_x_transformers(dtype: torch.dtype, compiled: bool) -> None:
    rotary_embed = RotaryEmbedding(DIM_HEAD)
    pairs = torch.randn(2, FRAMES, 2, HEADS, DIM_HEAD).to(dtype)
    freqs, _ = rotary_embed.forward_from_seq_len(FRAMES)
    expected = apply_rotary_pos_emb(pairs.float().permute(0, 2, 3, 1, 4), freqs).permute(0, 3, 1, 2, 4)
    rotate = torch.compile(rotate_, fullgraph=True) if compiled else rotate_  # compiled: the real form
    rotate(pairs, Rotary.for_frames(rotary_embed, FRAMES))
    tolerance = 1e-5 if dtype == torch.float32 else 2e-2
    torch.testing.assert_close(pairs.float(), expected, atol=tolerance, rtol=tolerance)


def test_building_a_sampler_leaves_the_model_stock() -> None:
    """The package's own path (`CFM.sample`, the benchmark's reference) must keep running the package's code."""
    model = random_model(ARCH_V1, seed=5)
    before = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    processors = [type(block.attn.processor) for block in model.transformer.transformer_blocks]
    BatchSampler(model, model.vocab_char_map)
    after = model.state_dict()
    assert before.keys() == after.keys() and all(torch.equal(before[name], after[name]) for name in before)
    assert [type(block.attn.processor) for block in model.transformer.transformer_blocks] == processors
    assert processors[0].__module__ == "f5_tts.model.modules"
