"""The operator dashboard: server-rendered Jinja2 + htmx, a client of the API only."""
