"""Benchmarks: each script prints JSON lines and final `name=value` lines; figures go to BENCHMARKS.md."""
