"""Our inference forward of a DiT block: the package's weights and submodules, fewer passes over memory.

The package's block (`DiTBlock.forward` + `AttnProcessor`) spends about a fifth of a CPU flow step outside its
matrix products: three projections where one does, rotary embeddings recomputed per layer and per step through
x_transformers (cos and sin of the table, a negated copy, a stack, two products, a sum and a concatenation, for
q and k apiece), and a key mask expanded to (batch, heads, frames, frames). Here, per sampler call:
- q, k and v come from one product with the three weights stacked (copied once, when the sampler is built);
- the rotary table is one complex tensor, built once per call, and rotating q and k together is one in-place
  complex product on the projection's output (in float32; other dtypes round-trip through float32; compiled,
  the real form, which inductor fuses);
- the padding mask broadcasts as (batch, 1, 1, frames) instead of being materialised per head and query;
- each residual with its gate is one fused multiply-add.
Same math as the package otherwise: qk-norm, rotary on the first `pe_attn_head` heads only (v0), the output
mask. The model is not modified: the package's own path (`CFM.sample`) still runs it stock.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


@dataclass(frozen=True)
class Rotary:
    cis: Tensor  # (frames, 1, 1, head_dim / 2) complex64: e^{i·angle}, one per pair of channels
    cos: Tensor  # the same as two real tables, for torch.compile (inductor has no complex kernels)
    sin: Tensor

    @classmethod
    def for_frames(cls, rotary_embed: torch.nn.Module, frames: int) -> "Rotary":
        freqs, _ = rotary_embed.forward_from_seq_len(frames)  # (1, frames, head_dim), each angle twice in a row
        angles = freqs[0, :, ::2].float()[:, None, None, :]  # the table's own values, half precision included
        return cls(torch.polar(torch.ones_like(angles), angles), angles.cos(), angles.sin())


def check_supported(transformer: torch.nn.Module) -> None:
    """The package scales rotary by xpos when asked; no F5 model does, and this forward does not."""
    if getattr(transformer.rotary_embed, "scale", None) is not None:
        raise NotImplementedError("rotary embeddings with xpos scaling are not supported")


def fused_qkv(attn: torch.nn.Module) -> tuple[Tensor, Tensor | None]:
    """One (3·inner, dim) weight and its bias from to_q, to_k, to_v."""
    layers = (attn.to_q, attn.to_k, attn.to_v)
    with torch.no_grad():
        weight = torch.cat([layer.weight for layer in layers])
        biases = [layer.bias for layer in layers]
        bias = torch.cat(biases) if all(b is not None for b in biases) else None
    return weight, bias


def rotate_(pairs: Tensor, rotary: Rotary) -> None:
    """Rotate (batch, frames, 2, heads, head_dim) q and k in place."""
    work = pairs if pairs.dtype == torch.float32 else pairs.float()
    if torch.compiler.is_compiling():  # the real form, which inductor fuses into one kernel
        even, odd = work.unflatten(-1, (-1, 2)).unbind(-1)
        rotated = torch.stack((even * rotary.cos - odd * rotary.sin, odd * rotary.cos + even * rotary.sin), dim=-1)
        pairs.copy_(rotated.flatten(-2))
        return
    torch.view_as_complex(work.unflatten(-1, (-1, 2))).mul_(rotary.cis)
    if work is not pairs:
        pairs.copy_(work)


def attention(
    attn: torch.nn.Module,
    qkv_weights: tuple[Tensor, Tensor | None],
    x: Tensor,
    mask: Tensor | None,
    rotary: Rotary | None,
    rotary_heads: int | None,
) -> Tensor:
    batch, frames, _ = x.shape
    heads = attn.heads
    qkv = F.linear(x, *qkv_weights).view(batch, frames, 3, heads, -1)
    if attn.q_norm is not None or attn.k_norm is not None:  # per head, over head_dim: layout does not matter
        q, k, v = qkv.unbind(2)
        q = attn.q_norm(q) if attn.q_norm is not None else q
        k = attn.k_norm(k) if attn.k_norm is not None else k
        qk = torch.stack((q, k), dim=2)
    else:
        qk, v = qkv[:, :, :2], qkv[:, :, 2]
    if rotary is not None:
        rotate_(qk[:, :, :, :rotary_heads] if rotary_heads is not None else qk, rotary)
    q, k = qk.unbind(2)
    key_mask = mask[:, None, None, :] if mask is not None else None
    out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=key_mask)
    out = attn.to_out[0](out.transpose(1, 2).reshape(batch, frames, -1))  # to_out[1] is dropout
    if mask is not None:
        out = out.masked_fill(~mask.unsqueeze(-1), 0.0)
    return out


def block_forward(
    block: torch.nn.Module,
    qkv_weights: tuple[Tensor, Tensor | None],
    x: Tensor,
    t: Tensor,
    mask: Tensor | None,
    rotary: Rotary | None,
) -> Tensor:
    """`DiTBlock.forward` for inference."""
    norm, gate_msa, shift_mlp, scale_mlp, gate_mlp = block.attn_norm(x, emb=t)
    attended = attention(block.attn, qkv_weights, norm, mask, rotary, block.attn.processor.pe_attn_head)
    x = torch.addcmul(x, gate_msa.unsqueeze(1), attended)
    norm = torch.addcmul(shift_mlp[:, None], block.ff_norm(x), 1 + scale_mlp[:, None])
    return torch.addcmul(x, gate_mlp.unsqueeze(1), block.ff(norm))
