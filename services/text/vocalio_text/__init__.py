"""Spanish text pipeline (normalization, region detection, chunking, lexicon). See issue 6."""
