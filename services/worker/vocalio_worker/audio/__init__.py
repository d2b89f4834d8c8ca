"""The audio path after the engine: crossfade → post-process → quality → resample → encode."""
