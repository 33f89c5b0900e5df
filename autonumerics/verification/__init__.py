"""Measuring and certifying programs: sampled and exhaustive error, all-float checks, benchmarks."""
