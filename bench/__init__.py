"""streamml benchmarks: `python -m bench` (see README.md)."""
