"""Run a quantized-kernel search request (``config.SearchRequest``) and write kernel files."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autonumerics.errors import AutonumericsError
from autonumerics.quant import sigmoid
from autonumerics.quant.config import SearchRequest
from autonumerics.quant.expkernel import build_exp, score_exp
from autonumerics.quant.gelu_search import search_gelu
from autonumerics.quant.intprogram import audit
from autonumerics.quant.kernel_file import QuantKernelFile, save_kernel
from autonumerics.quant.params import QuantParams


def kernel_filename(target: str, dtype: str, scale: float) -> str:
    """``gelu_int8_s2m6.json`` for scale 2^-6; ``..._s0.1.json`` for other scales."""
    exponent = math.log2(scale)
    tag = f"2m{-int(exponent)}" if exponent == int(exponent) and exponent <= 0 else f"{scale:.6g}"
    return f"{target}_{dtype}_s{tag}.json"


@dataclass(frozen=True)
class QuantProgress:
    """Where a search stands, for progress displays: reported before and after each scale.

    Attributes:
        n_done: scales finished.
        n_scales: scales in the request.
        scale: the scale being searched (or just finished).
        elapsed: seconds since the search started.
        kernel: the summary of the kernel just saved (None while its scale is being searched).
    """

    n_done: int
    n_scales: int
    scale: float
    elapsed: float
    kernel: dict | None = None


def run_search(request: SearchRequest, log: Callable[[str], None] | None = None,
               progress: Callable[[QuantProgress], None] | None = None) -> list[dict]:
    """Search every scale of the request, save each best kernel, return their summaries.

    Args:
        request: what to search.
        log: called with one line per saved kernel (its path and metrics).
        progress: called before and after each scale (a GELU scale runs several MILPs: minutes).
    """
    started = time.perf_counter()
    summaries = []
    for index, scale in enumerate(request.scales):
        if progress is not None:
            progress(QuantProgress(index, len(request.scales), scale,
                                   time.perf_counter() - started))
        build = {"gelu": _gelu, "exp": _exp, "sigmoid": _sigmoid, "tanh": _sigmoid}[request.target]
        kernel = build(request, scale)
        path = Path(request.out) / kernel_filename(request.target, request.dtype, scale)
        save_kernel(kernel, path)
        summary = ({"path": str(path), "input_scale": scale, "ops": kernel.program.n_ops}
                   | kernel.metrics)
        summaries.append(summary)
        if progress is not None:
            progress(QuantProgress(index + 1, len(request.scales), scale,
                                   time.perf_counter() - started, summary))
        if log is not None:
            log(summary_line(summary))
    return summaries


def summary_line(summary: dict) -> str:
    """A saved kernel's summary in one line: its path, then its metrics."""
    return f"{summary['path']}: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                              for k, v in summary.items() if k != "path")


def _gelu(request: SearchRequest, scale: float) -> QuantKernelFile:
    params = QuantParams(scale, 0, request.dtype)
    best = search_gelu(params, params, request.max_ops, tuple(request.degrees), request.frac_bits,
                       request.clips, request.time_limit, request.protect)[0]
    bits = audit(best.program, q=params.grid()).bits
    metrics = best.score.as_dict() | {"largest_intermediate_bits": bits, "measured": "exhaustive"}
    provenance = {"method": "real minimax fit, exact fold, MILP on the full grid",
                  "degree": best.degree, "clip": best.clip, "frac_bits": best.frac_bits,
                  "protect": request.protect}
    return QuantKernelFile("gelu", params, params, best.program, metrics, provenance)


def _exp(request: SearchRequest, scale: float) -> QuantKernelFile:
    params_in = QuantParams(scale, 0, request.dtype)
    low = params_in.qrange[0]
    kernel = build_exp(scale, min_input=low)
    score = score_exp(kernel, min_input=low)
    metrics = {"points": score.points, "max_relative_error": score.max_relative_error,
               "domain": "x in [-8, 0]", "worst_input": score.worst_input, "measured": "exhaustive"}
    provenance = {"method": "relative minimax quadratic, squaring form, exact fold",
                  "frac_bits": kernel.frac_bits}
    return QuantKernelFile("exp", params_in, QuantParams(kernel.output_scale, 0, "int32"),
                           kernel.program, metrics, provenance)


def _sigmoid(request: SearchRequest, scale: float) -> QuantKernelFile:
    if scale != sigmoid.INPUT.scale or request.dtype != "int16":
        raise AutonumericsError(f"{request.target} kernels exist for int16 input at scale 2^-12 "
                                f"(got {request.dtype} at {scale})")
    program, score = sigmoid.tune(request.target)
    metrics = score.as_dict() | {"symmetric": sigmoid.symmetric(request.target, program),
                                 "measured": "exhaustive"}
    provenance = {"method": "exp reduction, factored cubic, "
                            "one division with a tuned rounding offset"}
    return QuantKernelFile(request.target, sigmoid.INPUT, sigmoid.OUTPUT, program, metrics,
                           provenance)
