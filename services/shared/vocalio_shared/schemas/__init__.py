"""Request/response schemas shared by the API, the worker and the dashboard."""
