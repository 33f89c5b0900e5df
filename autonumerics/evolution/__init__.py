"""The regularized-evolution search: config, mutation, population, children, loop, run folder."""
