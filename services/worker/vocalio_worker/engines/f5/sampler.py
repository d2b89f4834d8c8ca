"""Our F5 sampler: one forward pass per flow step for a whole batch of chunks, each with its own length.

Written around the package's DiT submodules (text_embed, input_embed, time_embed, blocks, norm_out,
proj_out) instead of `CFM.sample`, so that a chunk's output does not depend on what it is batched with:
- text embeddings are computed per chunk at the chunk's own length (exactly the batch-of-1 computation;
  the v0 text encoder has no padding mask, so a batched one would leak padding into the last frames) and
  zero-padded; they are computed once per call, not per step;
- the audio mask reaches the convolutional position embedding (masked between layers) and attention
  (padded keys excluded, see `block`, our forward of the DiT blocks);
- each chunk's noise comes from its own generator seeded per chunk, never from a shared stream.
Flow: Euler steps over the EPSS schedule (or uniform), sway-warped, classifier-free guidance packed as 2B.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from vocalio_worker.engines.f5.block import Rotary, block_forward, check_supported, fused_qkv

SILENCE_LOG_MEL = -11.5129  # log(1e-5): the mel floor, i.e. silence, used to pad vocoder batches


@dataclass(frozen=True)
class SampleItem:
    reference_mel: Tensor  # (frames, n_mels), the model's dtype and device
    tokens: list[str]  # reference transcript + text to speak, as model symbols
    duration_frames: int  # total frames to generate, reference included
    seed: int


def timesteps(steps: int, use_epss: bool, sway_coef: float | None, device: torch.device, dtype: torch.dtype) -> Tensor:
    """The package's schedule: EPSS where it has one for this NFE, else uniform; then sway."""
    if use_epss:
        from f5_tts.model.utils import get_epss_timesteps

        t = get_epss_timesteps(steps, device=device, dtype=dtype)
    else:
        t = torch.linspace(0, 1, steps + 1, device=device, dtype=dtype)
    if sway_coef is not None:
        t = t + sway_coef * (torch.cos(torch.pi / 2 * t) - 1 + t)
    return t


def effective_duration(item: SampleItem) -> int:
    # As CFM.sample: at least the text or the reference plus one frame, so something is generated.
    return max(item.duration_frames, max(len(item.tokens), item.reference_mel.shape[0]) + 1)


def generated_frames(duration_frames: int, token_count: int, reference_mel_frames: int, reference_frames: int) -> int:
    """Mel frames left for the new text once the reference part is cut off (effective_duration, unbatched)."""
    return max(duration_frames, max(token_count, reference_mel_frames) + 1) - reference_frames


class BatchSampler:
    def __init__(self, model: torch.nn.Module, vocab_char_map: dict[str, int]) -> None:
        self.model = model  # a CFM
        self.transformer = model.transformer
        self.vocab_char_map = vocab_char_map
        check_supported(self.transformer)
        self.qkv_weights = [fused_qkv(block.attn) for block in self.transformer.transformer_blocks]

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    def _token_ids(self, tokens: list[str]) -> Tensor:
        return torch.tensor([[self.vocab_char_map.get(symbol, 0) for symbol in tokens]], device=self.device)

    def _text_embeddings(self, items: Sequence[SampleItem], durations: list[int], frames: int) -> tuple[Tensor, Tensor]:
        """(conditional, unconditional) text embeddings, per chunk at its own length, zero-padded to `frames`."""
        cond, uncond = [], []
        for item, duration in zip(items, durations, strict=True):
            ids = self._token_ids(item.tokens)
            for out, drop in ((cond, False), (uncond, True)):
                embedded = self.transformer.text_embed(ids, seq_len=duration, drop_text=drop)[0]
                out.append(torch.nn.functional.pad(embedded, (0, 0, 0, frames - duration)))
        return torch.stack(cond), torch.stack(uncond)

    def _velocity(
        self,
        x: Tensor,
        cond: Tensor,
        text_embed: Tensor,
        time: Tensor,
        mask: Tensor | None,
        rotary: Rotary,
        cfg_strength: float,
    ) -> Tensor:
        """One flow step. With guidance, `cond`, `text_embed` and `mask` are already packed as
        (conditional, unconditional) halves: built once per call, not per step, as is the rotary table."""
        tr = self.transformer
        t = tr.time_embed(time.expand(x.shape[0]))
        if cfg_strength >= 1e-5:
            x, t = torch.cat((x, x)), torch.cat((t, t))
        h = tr.input_embed(x, cond, text_embed, audio_mask=mask)
        residual = h
        for block, qkv_weights in zip(tr.transformer_blocks, self.qkv_weights, strict=True):
            h = block_forward(block, qkv_weights, h, t, mask, rotary)
        if tr.long_skip_connection is not None:
            h = tr.long_skip_connection(torch.cat((h, residual), dim=-1))
        out = tr.proj_out(tr.norm_out(h, t))
        if cfg_strength < 1e-5:
            return out
        pred, null_pred = torch.chunk(out, 2, dim=0)
        return pred + (pred - null_pred) * cfg_strength

    @torch.inference_mode()
    def sample(
        self,
        items: Sequence[SampleItem],
        steps: int,
        cfg_strength: float = 2.0,
        sway_coef: float | None = -1.0,
        use_epss: bool = True,
    ) -> list[Tensor]:
        """Full mel (frames, n_mels) per item, reference frames included (they are the reference's)."""
        device, dtype = self.device, self.dtype
        durations = [effective_duration(item) for item in items]
        frames = max(durations)
        channels = items[0].reference_mel.shape[-1]
        batch = len(items)
        cond = torch.zeros(batch, frames, channels, device=device, dtype=dtype)
        cond_mask = torch.zeros(batch, frames, 1, device=device, dtype=torch.bool)
        noise = torch.zeros(batch, frames, channels, device=device, dtype=dtype)
        for index, (item, duration) in enumerate(zip(items, durations, strict=True)):
            reference_frames = item.reference_mel.shape[0]
            cond[index, :reference_frames] = item.reference_mel.to(device=device, dtype=dtype)
            cond_mask[index, :reference_frames] = True
            generator = torch.Generator(device=device).manual_seed(item.seed)
            noise[index, :duration] = torch.randn(duration, channels, generator=generator, device=device, dtype=dtype)
        lengths = torch.tensor(durations, device=device)
        # No mask when every chunk fills the batch: cheaper, and exactly the package's batch-of-1 path.
        mask = None if min(durations) == frames else torch.arange(frames, device=device)[None] < lengths[:, None]
        text_cond, text_uncond = self._text_embeddings(items, durations, frames)
        if cfg_strength >= 1e-5:  # conditional and unconditional (no reference audio, no text) passes as one
            step_cond = torch.cat((cond, torch.zeros_like(cond)))
            text_embed = torch.cat((text_cond, text_uncond))
            step_mask = torch.cat((mask, mask)) if mask is not None else None
        else:
            step_cond, text_embed, step_mask = cond, text_cond, mask
        rotary = Rotary.for_frames(self.transformer.rotary_embed, frames)
        schedule = timesteps(steps, use_epss, sway_coef, device, dtype)
        x = noise
        for step in range(len(schedule) - 1):
            velocity = self._velocity(x, step_cond, text_embed, schedule[step], step_mask, rotary, cfg_strength)
            x = x + (schedule[step + 1] - schedule[step]) * velocity
        x = torch.where(cond_mask, cond, x)
        return [x[index, :duration] for index, duration in enumerate(durations)]


def vocode_batch(vocoder: torch.nn.Module, mels: Sequence[Tensor], hop_length: int) -> list[Tensor]:
    """Vocos on several mels (frames, n_mels) at once; padded with silence so a short one stays clean.

    Each result is cut to (frames - 1) × hop samples: what Vocos' centred ISTFT gives for that mel alone.
    """
    if not mels:
        return []
    frames = max(mel.shape[0] for mel in mels)
    batch = torch.full((len(mels), frames, mels[0].shape[-1]), SILENCE_LOG_MEL, device=mels[0].device)
    for index, mel in enumerate(mels):
        batch[index, : mel.shape[0]] = mel.float()
    with torch.inference_mode():
        audio = vocoder.decode(batch.permute(0, 2, 1))
    return [audio[index, : max(0, mel.shape[0] - 1) * hop_length] for index, mel in enumerate(mels)]
