"""The llm_bridge process tests use the Ollama double of the bridge's own tests."""

from tests.llm_bridge.conftest import ollama, ollama_server  # noqa: F401  (fixtures)
