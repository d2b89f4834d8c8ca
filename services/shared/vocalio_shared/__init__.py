"""Contracts shared by every Vocalio service: settings base, schemas, error codes, events, metrics."""

__version__ = "0.1.0"
