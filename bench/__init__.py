"""Benchmarks: scripts that print their figures (run them with .venv/bin/python bench/NAME.py)."""
