"""Float-format facts: the formats and their bits, fused multiply-add, rounding and error measures."""
