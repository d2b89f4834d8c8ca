"""Thin routers, one per resource; the logic lives in the *_service modules."""
