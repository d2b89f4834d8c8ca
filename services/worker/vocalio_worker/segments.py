"""Sentence timings for captions, from the chunks' places in the finished audio.

A chunk's span is known exactly (crossfade and silence cuts are tracked sample by sample); the
sentences inside one chunk are not, so its span is shared among them in proportion to their
characters. Engines that report word times could refine this; eSpeak and F5 here do not. A chunk that
ends at a clause mark (a streamed job's first clause, `pipeline.stream_chunks`) ends mid-sentence: that
sentence's segment runs on into the next chunk.
"""

from vocalio_shared.schemas.jobs import Segment
from vocalio_text.sentences import split_sentences

SEGMENT_DECIMALS = 3
CLAUSE_MARKS = (",", ";", ":", "—")


def sentence_segments(chunk_texts: list[str], chunk_durations_s: list[float]) -> list[Segment]:
    """One segment per sentence, contiguous from 0 to the end of the audio."""
    segments: list[Segment] = []
    chunk_start_s = 0.0
    continues = False  # the previous chunk ended mid-sentence
    for text, duration_s in zip(chunk_texts, chunk_durations_s, strict=True):
        sentences = [sentence.strip() for sentence in split_sentences(text) if sentence.strip()] or [text.strip()]
        total_chars = sum(len(sentence) for sentence in sentences) or 1
        position_s = chunk_start_s
        for index, sentence in enumerate(sentences):
            is_last = index == len(sentences) - 1
            end_s = chunk_start_s + duration_s if is_last else position_s + duration_s * len(sentence) / total_chars
            start_s = position_s
            if index == 0 and continues and segments:  # the same sentence, begun in the previous chunk
                begun = segments.pop()
                start_s, sentence = begun.start_s, f"{begun.text} {sentence}"
            segments.append(
                Segment(text=sentence, start_s=round(start_s, SEGMENT_DECIMALS), end_s=round(end_s, SEGMENT_DECIMALS))
            )
            position_s = end_s
        continues = text.rstrip().endswith(CLAUSE_MARKS)
        chunk_start_s += duration_s
    return segments
