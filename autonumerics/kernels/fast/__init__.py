"""Fast-tier kernels (<= 3.5 ULP on every float32 input): one module per function, id NAME_fast."""
