"""Quantized (integer and low-bit float) activation kernels: parameters, integer programs, search.

Submodules:
    params: QuantParams, quantize / dequantize (numpy and JAX) with saturation.
    intprogram: the int32 integer program IR, its interpreter, overflow audit and textual form.
    gelu_search: quantization-aware search (fit on the reals, fold constants, tune on the grid).
    expkernel: 9-op division-free integer exp(x <= 0) and its cubic variant.
    softmax: 8-bit softmax with one division per row (numpy model and JAX int32 twin).
    sigmoid: table-free int16 sigmoid / tanh with exact symmetry.
    alternatives: I-BERT i-GELU / i-exp, lookup tables, dequantize-float-requantize.
    score: correctly rounded mpmath references and exhaustive scores.
    codegen, codegen_python: JAX / NumPy / C source of integer programs with metadata and checks.
    gridbounds: what an exported kernel does off its input grid (clamp to the edge, or reject).
    lowbit, lowbit_grad: bf16 / fp16 activations and their derivatives (a jax.custom_jvp).
    kernel_file: kernel files (JSON); config: search configs (TOML), read strictly.
    report, search_driver: every-input evaluations and comparisons, config-driven searches.
"""

__all__ = [
    "alternatives",
    "codegen",
    "codegen_python",
    "config",
    "expkernel",
    "gelu_search",
    "gridbounds",
    "intprogram",
    "kernel_file",
    "lowbit",  # bf16 / fp16 activations within 1 ulp on every input
    "lowbit_grad",
    "params",
    "report",
    "score",
    "search_driver",
    "sigmoid",
    "softmax",
]
