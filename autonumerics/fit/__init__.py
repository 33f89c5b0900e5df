"""Fitting a program's constants: LP minimax, local least squares / LM, CMA-ES, and float polishing."""
