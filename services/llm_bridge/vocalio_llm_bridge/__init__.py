"""llm_bridge: text expansion for speech. Rules always; Ollama when configured, behind a guard.

The worker talks to it through `vocalio_llm_bridge.client.ExpandClient`.
"""
