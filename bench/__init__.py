"""Benchmarks: ``make bench`` (or ``python -m bench``) prints one table per device path."""
