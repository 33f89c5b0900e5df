"""The ground truth: target functions, their expressions and domains, mpmath labels, their cache."""
