"""Real eSpeak speech to measure, shared with the worker's tests."""

from tests.worker.conftest import espeak_engine, speech, speech_chunks  # noqa: F401  (fixtures)
