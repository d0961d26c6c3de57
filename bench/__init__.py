"""Benchmarks: each runs a peer beside our code in one run and prints the ratio."""
