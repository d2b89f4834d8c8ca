"""A chapter job's plan: its raw text → the units the sentence cache keys, in reading order.

Paragraphs are split at blank lines, sentences by `vocalio_text.sentences.split_sentences`; each
sentence is normalized alone (region fixed once for the chapter, the job's lexicon), so its spoken
form, seed and key depend on that sentence only: an edit elsewhere leaves every other key as it
was. A sentence longer than the engine's chunk comes back as several units of the same source
sentence. The chapter's title, when it has one, is the first unit and is read like any sentence.

A user's "render again" (`ChapterRender.redraw_from`, by the sentence's draw-0 key: the key of its
first chunk at draw 0) starts that sentence's draws, every chunk of it, at the number given: a new
seed, so a new key, and every other sentence keeps its key and comes from the cache.
"""

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from vocalio_shared.books import sentence_key, sentence_seed
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import LexiconEntry
from vocalio_text import analyze, split_sentences

_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t\r\f\v]*\n)+")


class PauseBefore(StrEnum):
    """Which silence goes before a unit (seconds: `AudioSettings.chapter_*_pause_s`)."""

    NONE = "none"  # the chapter's first unit, or the next chunk of the same sentence
    SENTENCE = "sentence"
    PARAGRAPH = "paragraph"
    TITLE = "title"  # the first unit after the title


@dataclass(frozen=True)
class VoiceIdentity:
    """The voice part of a key: reference audio and transcript, by sha256."""

    sha256: str
    transcript_sha256: str


@dataclass(frozen=True)
class RenderIdentity:
    """The engine part of a key: everything besides text, voice and seed that decides the samples."""

    engine: str
    model: str
    sample_rate_hz: int
    speed: float
    nfe_step: int | None  # None for engines without flow steps (eSpeak)


@dataclass(frozen=True)
class SentenceUnit:
    spoken: str  # what the engine reads (normalized)
    source: str  # the sentence as written
    sentence: int  # index of its source sentence in the chapter (the title is 0 when there is one)
    seed: int
    key: str
    pause_before: PauseBefore
    is_title: bool = False
    draw: int = 0  # the first draw of this render (its seed: sentence_seed(book_seed, spoken, draw))


@dataclass(frozen=True)
class ChapterPlan:
    units: list[SentenceUnit]
    region: Region
    warnings: list[str]

    @property
    def unique_keys(self) -> list[str]:
        """Each key once, in reading order (a repeated sentence is rendered and stored once)."""
        return list(dict.fromkeys(unit.key for unit in self.units))

    @property
    def sentences(self) -> int:
        return len({unit.sentence for unit in self.units})


def transcript_sha256(transcript: str | None) -> str:
    return hashlib.sha256((transcript or "").encode()).hexdigest()


def key_of(spoken: str, seed: int, voice: VoiceIdentity, render: RenderIdentity) -> str:
    return sentence_key(
        spoken,
        voice_sha256=voice.sha256,
        transcript_sha256=voice.transcript_sha256,
        engine=render.engine,
        model=render.model,
        sample_rate_hz=render.sample_rate_hz,
        speed=render.speed,
        nfe_step=render.nfe_step,
        seed=seed,
    )


def paragraphs(text: str) -> list[str]:
    pieces = _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))
    return [paragraph.strip() for paragraph in pieces if paragraph.strip()]


def plan_chapter(
    text: str,
    title: str | None,
    *,
    book_seed: int,
    region: Region,
    lexicon: list[LexiconEntry] | None,
    max_chunk_chars: int,
    voice: VoiceIdentity,
    render: RenderIdentity,
    redraw_from: dict[str, int] | None = None,
) -> ChapterPlan:
    units: list[SentenceUnit] = []
    warnings: dict[str, None] = {}
    sentence_index = 0

    def add(source: str, pause: PauseBefore, is_title: bool = False) -> None:
        nonlocal sentence_index
        analysis = analyze(source, region=region, lexicon=lexicon, max_chunk_chars=max_chunk_chars)
        warnings.update(dict.fromkeys(analysis.warnings))
        # Nothing to say once normalized (a scene break "* * *", a lone dash): no unit, no pause of its own.
        chunks = [chunk for chunk in analysis.chunks if any(character.isalnum() for character in chunk)]
        if not chunks:
            return
        draw_0_key = key_of(chunks[0], sentence_seed(book_seed, chunks[0]), voice, render)
        draw = (redraw_from or {}).get(draw_0_key, 0)
        for number, spoken in enumerate(chunks):
            seed = sentence_seed(book_seed, spoken, draw)
            key = key_of(spoken, seed, voice, render)
            before = pause if number == 0 else PauseBefore.NONE
            units.append(SentenceUnit(spoken, source, sentence_index, seed, key, before, is_title, draw))
        sentence_index += 1

    if title and title.strip():
        add(" ".join(title.split()), PauseBefore.NONE, is_title=True)
    for paragraph in paragraphs(text):
        units_before = len(units)
        for sentence in split_sentences(paragraph):
            if not sentence.strip():
                continue
            if not units:
                pause = PauseBefore.NONE
            elif units[-1].is_title:
                pause = PauseBefore.TITLE
            else:
                pause = PauseBefore.PARAGRAPH if len(units) == units_before else PauseBefore.SENTENCE
            add(sentence.strip(), pause)
    return ChapterPlan(units=units, region=region, warnings=list(warnings))
