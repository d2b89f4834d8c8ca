"""The Kokoro-82M engine: eSpeak NG phonemes → ONNX Runtime on CPU → 24 kHz audio.

Data path of one chunk: the (already normalized) text → Kokoro phonemes (`phonemes`, eSpeak's Spanish for
the job's region) → pieces of at most VOCALIO_KOKORO_MAX_CHUNK_TOKENS → per piece, the voice's style row for
its token count and one ONNX run → the pieces' audio end to end.

The exported graph takes one utterance (batch dimension 1): a piece is one run. Each run costs its own lead-in
and tail (the pad tokens' frames, the final pause); with VOCALIO_KOKORO_JOIN_TOKENS set, consecutive pieces of a
batch (a chapter's one-sentence chunks) are joined into one run of at most that many phonemes and its audio cut
back at the pieces' boundaries, found exactly from the predicted durations (`durations`). Off by default: it
measured 6-8% faster for 1.6x the peak memory (docs/operations/engines.md). The parallelism is
VOCALIO_KOKORO_PARALLEL runs at once (one session is safe to run from several threads), each with
VOCALIO_KOKORO_THREADS intra-op threads.
`registry` imports this module to ask `kokoro_unavailable_reason()`: it must stay cheap (no model load, no
hashing, no network).
"""

import hashlib
import importlib.util
import itertools
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import REGIONAL_VARIANTS, Region

from vocalio_worker.engines.base import EngineCapabilities, VoiceRef
from vocalio_worker.engines.espeak import ESPEAK_VOICE_BY_REGION
from vocalio_worker.engines.kokoro.assets import kokoro_assets
from vocalio_worker.engines.kokoro.durations import SAMPLES_PER_FRAME, with_output
from vocalio_worker.engines.kokoro.phonemes import PAD_TOKEN, phonemize, split_phonemes, tokenize, vocabulary
from vocalio_worker.engines.kokoro.settings import KokoroSettings
from vocalio_worker.engines.kokoro.voices import VOICE_PREFIX, VoiceBank, VoiceMix, parse_voice_spec
from vocalio_worker.engines.kokoro.weights import KokoroFiles, kokoro_files, missing_reason

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 24000
MIN_SPEED, MAX_SPEED = 0.5, 2.0  # what the model was exported for (kokoro-onnx's bounds)
# The worker's chunker cuts text to this; a chunk whose phonemes pass the model's context is split again here.
MAX_CHUNK_CHARS = 400
REQUIRED_PACKAGES = ("onnxruntime",)


def kokoro_unavailable_reason(settings: KokoroSettings | None = None) -> str | None:
    """Why Kokoro cannot start here (package, local paths, files offline), or None. Loads nothing."""
    missing = [name for name in REQUIRED_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        return f"the Kokoro packages are not installed ({', '.join(missing)})"
    return missing_reason(settings or KokoroSettings())


def session_options(threads: int, spin: bool = False) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads or (os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # ORT's own warnings about unused initializers are noise here
    return options


def join_runs(sizes: list[int], limit: int) -> list[list[int]]:
    """Consecutive pieces (by token count) grouped into runs of at most `limit` tokens, one joining space
    counted between two pieces; a piece longer than the limit runs alone. `limit` 0: one run per piece."""
    runs: list[list[int]] = []
    used = 0
    for index, size in enumerate(sizes):
        if runs and limit and used + 1 + size <= limit:
            runs[-1].append(index)
            used += 1 + size
        else:
            runs.append([index])
            used = size
    return runs


class KokoroEngine:
    name: ClassVar[str] = "kokoro"

    def __init__(self, settings: KokoroSettings | None = None) -> None:
        self.settings = settings or KokoroSettings()
        self.files: KokoroFiles | None = None
        self._session: Any = None
        self._inputs: dict[str, str] = {}
        self._durations = False  # the session outputs the durations too: pieces can be joined
        self._voices: VoiceBank | None = None
        self._pool: ThreadPoolExecutor | None = None
        # At most `kokoro_parallel` runs at once whatever the number of jobs: more would only share the cores.
        self._slots = threading.BoundedSemaphore(self.settings.kokoro_parallel)
        self.load_s: float | None = None

    # --- lifecycle -------------------------------------------------------------------------------------

    def load(self) -> None:
        if self._session is not None:
            return
        import onnxruntime as ort

        started = time.perf_counter()
        files = kokoro_files(self.settings)
        options = session_options(self.threads, self.settings.kokoro_spin_threads)
        session, self._durations = None, False
        if self.settings.kokoro_join_tokens:
            try:  # the same graph with the durations as a second output; another export may lack the tensor
                model = with_output(files.model.read_bytes())
                session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
                self._durations = True
            except Exception as error:
                log.warning("kokoro_no_durations model=%s: pieces run one by one (%s)", files.model, error)
        try:
            session = session or ort.InferenceSession(str(files.model), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # a corrupt or foreign file: a start error, not a crash
            raise VocalioError(
                ErrorCode.ENGINE_UNAVAILABLE, f"cannot load the Kokoro model {files.model}: {error}"
            ) from error
        names = {item.name for item in session.get_inputs()}
        # kokoro-onnx's v1.0 export names its inputs tokens/style/speed; newer exports use input_ids.
        token_input = "input_ids" if "input_ids" in names else "tokens"
        if not {token_input, "style", "speed"} <= names:
            raise VocalioError(
                ErrorCode.ENGINE_UNAVAILABLE, f"{files.model} is not a Kokoro graph (inputs {sorted(names)})"
            )
        self._voices = VoiceBank(files.voices)
        self._inputs = {"tokens": token_input, "speed_type": "int32" if token_input == "input_ids" else "float32"}
        self.files, self._session = files, session
        self.load_s = time.perf_counter() - started
        log.info(
            "kokoro_loaded model=%s sha256=%s voices=%d threads=%d parallel=%d seconds=%.1f",
            files.model,
            files.model_sha256[:12],
            len(self._voices.names),
            self.threads,
            self.settings.kokoro_parallel,
            self.load_s,
        )
        if self.settings.kokoro_parallel > 1:
            self._pool = ThreadPoolExecutor(self.settings.kokoro_parallel, thread_name_prefix="kokoro")

    @property
    def threads(self) -> int:
        """Intra-op threads per run: the setting, else this host's cores shared among the parallel runs."""
        return self.settings.kokoro_threads or max(1, (os.cpu_count() or 1) // self.settings.kokoro_parallel)

    def free(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        self._session = None
        self._voices = None

    def capabilities(self) -> EngineCapabilities:
        return EngineCapabilities(
            models=(
                f"kokoro-82m-{self.settings.kokoro_model if self.settings.kokoro_model_path is None else 'local'}",
            ),
            regional_variants=REGIONAL_VARIANTS,
            sample_rate_hz=SAMPLE_RATE_HZ,
            # Chunks per engine call: enough to keep the parallel runs busy, few enough for prompt cancellation
            # checks and progress updates (the graph itself runs one utterance at a time).
            # Joined, a run holds about four sentences: twice the chunks keep the same runs busy.
            max_batch=max(4, 2 * self.settings.kokoro_parallel) * (2 if self.settings.kokoro_join_tokens else 1),
            max_chunk_chars=MAX_CHUNK_CHARS,
            # Its time grows with the audio (about 0.6 CPU s per audio s): a streamed job's first audio comes
            # sooner from its first clause alone than from its whole first sentence (bench/cpu_engines.py).
            stream_first_clause=True,
        )

    # --- voices ----------------------------------------------------------------------------------------

    def default_voice(self, region: Region) -> str:
        return self.settings.kokoro_voice or kokoro_assets(self.settings.kokoro_assets_file).region_voices[region]

    def mix_for(self, voice: VoiceRef, region: Region) -> VoiceMix:
        """The job's Kokoro voice (`kokoro:<name or mix>`), else the configured or region's default. A library
        reference voice (F5-only) gets the default too; `voice_warnings` says so."""
        if voice.voice_id.startswith(VOICE_PREFIX):
            return parse_voice_spec(voice.voice_id)
        return parse_voice_spec(self.default_voice(region))

    def voice_warnings(self, voice: VoiceRef) -> list[str]:
        if voice.voice_id.startswith(VOICE_PREFIX) or not (voice.sha256 or voice.has_reference):
            return []
        spoken = self.default_voice(voice.region)
        return [
            f"voice {voice.voice_id} is an uploaded reference: reference voices are spoken only by the F5 engine; "
            f"this worker runs Kokoro and spoke with its voice {spoken} (name a Kokoro voice, e.g. kokoro:ef_dora)"
        ]

    def offered_voices(self) -> list[str]:
        """The voice ids a job can name (`kokoro:ef_dora`), for the worker's registration: the Spanish voices the
        loaded voices file holds; any other voice in it can still be named."""
        held = set(self._voices.names) if self._voices else set()
        spanish = kokoro_assets(self.settings.kokoro_assets_file).spanish_voices
        return [f"{VOICE_PREFIX}{name}" for name in spanish if name in held]

    # --- synthesis -------------------------------------------------------------------------------------

    def phonemes_for(self, text: str, region: Region) -> list[str]:
        """The chunk's phoneme pieces, each within the model's context."""
        return split_phonemes(phonemize(text, ESPEAK_VOICE_BY_REGION[region]), self.settings.kokoro_max_chunk_tokens)

    def synthesize_batch(
        self,
        chunks: list[str],
        voice: VoiceRef,
        speed: float,
        nfe_step: int,
        region: Region,
        seeds: list[int] | None = None,
    ) -> list[FloatAudio]:
        """`nfe_step` and `seeds` are ignored: Kokoro has no flow steps and is deterministic."""
        self.load()
        assert self._voices is not None
        styles = self._voices.styles_for(self.mix_for(voice, region))
        speed = min(MAX_SPEED, max(MIN_SPEED, speed))
        # Text work first for the whole batch (eSpeak takes milliseconds), then the pieces' runs, in parallel.
        pieces = [[tokenize(piece) for piece in self.phonemes_for(chunk, region)] for chunk in chunks]
        flat = [tokens for chunk_pieces in pieces for tokens in chunk_pieces]
        limit = self.settings.kokoro_join_tokens if self._durations else 0
        runs = join_runs([len(tokens) for tokens in flat], limit)

        def run(group: list[int]) -> list[FloatAudio]:
            return self._run_joined([flat[index] for index in group], styles, speed)

        if self._pool is not None and len(runs) > 1:
            # Longest first, so the last run to finish is a short one and the threads end together.
            order = sorted(range(len(runs)), key=lambda index: -sum(len(flat[i]) for i in runs[index]))
            done = dict(zip(order, self._pool.map(lambda index: run(runs[index]), order), strict=True))
            audio = [piece for index in range(len(runs)) for piece in done[index]]
        else:
            audio = [piece for group in runs for piece in run(group)]
        outputs: list[FloatAudio] = []
        for chunk_pieces in pieces:
            mine, audio = audio[: len(chunk_pieces)], audio[len(chunk_pieces) :]
            outputs.append(np.concatenate(mine) if mine else np.zeros(0, dtype=np.float32))
        return outputs

    def _run_joined(self, pieces: list[list[int]], styles: NDArray[np.float32], speed: float) -> list[FloatAudio]:
        """One inference for consecutive pieces (a space between them), its audio cut back into one per piece:
        at the middle of each joining space's frames, so each piece keeps half the pause on either side."""
        if len(pieces) == 1:
            return [self._run(pieces[0], styles, speed)[0]]
        space = vocabulary()[" "]
        tokens = [*pieces[0]]
        separators = []  # the joining spaces' places in the padded sequence (the pad is place 0)
        for piece in pieces[1:]:
            separators.append(len(tokens) + 1)
            tokens += [space, *piece]
        audio, frames = self._run(tokens, styles, speed)
        assert frames is not None
        starts = np.concatenate([[0], np.cumsum(frames)])
        if int(starts[-1]) * SAMPLES_PER_FRAME != audio.size:  # another export's frame size: no exact cut
            raise VocalioError(
                ErrorCode.SYNTHESIS_FAILED,
                f"Kokoro's durations ({int(starts[-1])} frames) do not match its audio ({audio.size} samples)",
            )
        cuts = [0, *(int(starts[j] + frames[j] // 2) * SAMPLES_PER_FRAME for j in separators), audio.size]
        return [audio[start:end] for start, end in itertools.pairwise(cuts)]

    def _run(
        self, tokens: list[int], styles: NDArray[np.float32], speed: float
    ) -> tuple[FloatAudio, NDArray[np.int64] | None]:
        """(the audio, the frames per token of the padded sequence when the session outputs them)."""
        if not tokens:
            return np.zeros(0, dtype=np.float32), None
        feed = {
            self._inputs["tokens"]: np.array([[PAD_TOKEN, *tokens, PAD_TOKEN]], dtype=np.int64),
            "style": styles[len(tokens)][None, :],  # Kokoro's style row is picked by the token count
            "speed": np.array([speed], dtype=self._inputs["speed_type"]),
        }
        try:
            with self._slots:
                outputs = self._session.run(None, feed)
        except Exception as error:
            raise VocalioError(
                ErrorCode.SYNTHESIS_FAILED, f"Kokoro inference failed: {error}", {"tokens": len(tokens)}
            ) from error
        audio = np.asarray(outputs[0], dtype=np.float32).reshape(-1)
        if not np.isfinite(audio).all():
            raise VocalioError(
                ErrorCode.SYNTHESIS_FAILED, "Kokoro produced non-finite samples", {"tokens": len(tokens)}
            )
        frames = np.asarray(outputs[1]).reshape(-1).astype(np.int64) if len(outputs) > 1 else None
        return audio, frames

    def model_identity(self) -> str:
        """What decides the samples besides text, voice id, region and speed (the sentence cache's `model`): the
        model and voices files by sha256, and the default voices (a job without a Kokoro voice speaks one)."""
        files = self.files or kokoro_files(self.settings)  # hashes (and fetches) the files, loads no session
        defaults = self.settings.kokoro_voice or ",".join(
            f"{region.value}={name}"
            for region, name in sorted(kokoro_assets(self.settings.kokoro_assets_file).region_voices.items())
        )
        defaults_digest = hashlib.sha256(defaults.encode()).hexdigest()[:12]
        return ";".join(
            [
                "kokoro-82m",
                f"model={files.model_sha256}",
                f"voices={files.voices_sha256}",
                f"default_voice={defaults_digest}",
                f"max_tokens={self.settings.kokoro_max_chunk_tokens}",
                f"join_tokens={self.settings.kokoro_join_tokens}",
            ]
        )
