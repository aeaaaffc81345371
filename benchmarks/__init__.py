"""Benchmarks of Acompaña (``make bench``). Not part of the test suite."""
