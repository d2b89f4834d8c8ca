"""Small runtime helpers that several services use and that need nothing from any service (not contracts:
those are `vocalio_shared`)."""
