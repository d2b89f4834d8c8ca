"""Attention for padded batches: the package's processor with a broadcast key mask.

The package's torch path expands the padding mask to (batch, heads, frames, frames) before
scaled_dot_product_attention, which materialises it (and its float form) at every layer and step and pushes
SDPA onto its slowest kernel: on CPU that made batching slower than no batching. A (batch, 1, 1, frames)
mask broadcasts instead. Same math otherwise (rotary on the first `pe_attn_head` heads, qk-norm, output mask).
"""

from typing import Any

import torch
import torch.nn.functional as F


class BroadcastMaskAttnProcessor:
    def __init__(self, pe_attn_head: int | None) -> None:
        self.pe_attn_head = pe_attn_head

    def __call__(self, attn: Any, x: torch.Tensor, mask: torch.Tensor | None = None, rope: Any = None) -> torch.Tensor:
        from x_transformers.x_transformers import apply_rotary_pos_emb

        batch = x.shape[0]
        query, key, value = attn.to_q(x), attn.to_k(x), attn.to_v(x)
        head_dim = key.shape[-1] // attn.heads
        query, key, value = (t.view(batch, -1, attn.heads, head_dim).transpose(1, 2) for t in (query, key, value))
        if attn.q_norm is not None:
            query = attn.q_norm(query)
        if attn.k_norm is not None:
            key = attn.k_norm(key)
        if rope is not None:
            freqs, xpos_scale = rope
            q_scale, k_scale = (xpos_scale, xpos_scale**-1.0) if xpos_scale is not None else (1.0, 1.0)
            if self.pe_attn_head is not None:
                heads = self.pe_attn_head
                query[:, :heads] = apply_rotary_pos_emb(query[:, :heads], freqs, q_scale)
                key[:, :heads] = apply_rotary_pos_emb(key[:, :heads], freqs, k_scale)
            else:
                query = apply_rotary_pos_emb(query, freqs, q_scale)
                key = apply_rotary_pos_emb(key, freqs, k_scale)
        attn_mask = mask[:, None, None, :] if mask is not None else None
        out = F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, dropout_p=0.0, is_causal=False)
        out = out.transpose(1, 2).reshape(batch, -1, attn.heads * head_dim).to(query.dtype)
        out = attn.to_out[1](attn.to_out[0](out))
        if mask is not None:
            out = out.masked_fill(~mask.unsqueeze(-1), 0.0)
        return out


def install_broadcast_mask_attention(transformer: torch.nn.Module) -> None:
    """Swap every DiT block's attention processor for the broadcast-mask one (weights untouched)."""
    for block in transformer.transformer_blocks:
        block.attn.processor = BroadcastMaskAttnProcessor(block.attn.processor.pe_attn_head)
