"""The `vocalio` command line: one entry point for every service and the embedded stack."""
