"""The Vocalio API service: jobs, events, audio store, API keys, the worker registry."""
