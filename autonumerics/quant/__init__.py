"""Quantized (integer and low-bit float) activation kernels: parameters, integer programs, search.

Submodules:
    params: QuantParams, quantize / dequantize (numpy and JAX) with saturation.
    intprogram: the int32 integer program IR, its interpreter, overflow audit and textual form.
    search: quantization-aware search (fit on the reals, fold constants, tune shifts exhaustively).
    expkernel: 9-op division-free integer exp(x <= 0) and its cubic variant.
    softmax: 8-bit softmax with one division per row (numpy model and JAX int32 twin).
    sigmoid: table-free int16 sigmoid / tanh with exact symmetry.
    baselines: I-BERT i-GELU / i-exp, lookup tables, dequantize-float-requantize.
    score: correctly rounded mpmath references and exhaustive scores.
    export: JAX / numpy / C export of integer programs with metadata.
    programfile, report, search_driver: kernel files, comparisons, config-driven searches.
"""

__all__ = [
    "baselines",
    "expkernel",
    "export",
    "intprogram",
    "lowbit",  # bf16 / fp16 activations within 1 ulp on every input
    "params",
    "programfile",
    "report",
    "score",
    "search",
    "search_driver",
    "sigmoid",
    "softmax",
]
