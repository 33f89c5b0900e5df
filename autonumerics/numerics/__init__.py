"""Float-format facts: formats and their bits, float32 keys, fused multiply-add, errors, reports."""
