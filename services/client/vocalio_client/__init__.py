"""A typed Python client for the Vocalio REST API: jobs and books (see docs/api/client.md)."""
