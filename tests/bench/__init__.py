"""Benchmarks for the feed speed targets; run with `python -m tests.bench` (`make bench`)."""
