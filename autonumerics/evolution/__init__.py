"""The regularized-evolution search: its config, mutation, population, children, loop and run folder."""
