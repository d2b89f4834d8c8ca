"""Spanish text pipeline: normalization to spoken form, region detection, sentences, chunks, lexicon.

The public interface below is what the worker and the API code against; keep it stable.
"""

from vocalio_text.analysis import TextAnalysis, analyze
from vocalio_text.chunking import chunk_text
from vocalio_text.lexicon import apply_lexicon
from vocalio_text.normalizer import normalize
from vocalio_text.regions import RegionDetection, detect_region
from vocalio_text.sentences import split_sentences

__all__ = [
    "RegionDetection",
    "TextAnalysis",
    "analyze",
    "apply_lexicon",
    "chunk_text",
    "detect_region",
    "normalize",
    "split_sentences",
]
