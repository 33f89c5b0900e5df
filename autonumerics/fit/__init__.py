"""Fitting a program's constants: LP minimax, least squares / LM, CMA-ES, and float polishing."""
