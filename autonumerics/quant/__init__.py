"""Quantized (integer and low-bit float) activation kernels: parameters, integer programs, search.

Submodules:
    params: QuantParams, quantize / dequantize (numpy and JAX) with saturation.
    intprogram: the int32 integer program IR, its interpreter, overflow audit and textual form.
    search: quantization-aware search (fit on the reals, fold constants, tune shifts exhaustively).
    baselines: I-BERT i-GELU / i-exp, lookup tables, dequantize-float-requantize.
    export: JAX / numpy / C export of integer programs with metadata.
"""

__all__ = [
    "baselines",
    "export",
    "intprogram",
    "lowbit",  # bf16 / fp16 activations within 1 ulp on every input
    "params",
    "search",
]
