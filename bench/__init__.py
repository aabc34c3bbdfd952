"""Benchmarks: scripts that print numbers and ratios measured in the same run (never tests)."""
