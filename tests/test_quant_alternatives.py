"""Tests for autonumerics.quant.alternatives: the paper's I-BERT, tables, float requantization."""

import numpy as np
from scipy.special import ndtr

from autonumerics.quant.alternatives import (
    float_requantize,
    ibert_exp,
    ibert_gelu,
    ibert_gelu_real,
    interpolated_table,
    table_outputs,
)
from autonumerics.quant.params import QuantParams
from autonumerics.quant.score import reference, score_outputs


def test_ibert_gelu_continuous_error_is_the_published_one() -> None:
    x = np.linspace(-4, 4, 8001)
    assert 0.0175 < np.abs(ibert_gelu_real(x) - x * ndtr(x)).max() < 0.0185


def test_ibert_int8_gelu_misses_where_ours_does_not() -> None:
    params = QuantParams(2.0**-6)
    exact, rounded = reference("gelu", params, params)
    score = score_outputs(ibert_gelu(params, params).outputs, params.grid(), exact, rounded)
    assert score.max_lsb_error >= 1 and score.correctly_rounded < 0.9


def test_ibert_exp_collapses_at_coarse_scales() -> None:
    d = np.arange(-64, 1)
    fine, fine_scale = ibert_exp(d * 256, 2.0**-12)
    exact = np.exp(d * 256 * 2.0**-12)
    assert np.max(np.abs(fine * fine_scale - exact) / exact) < 5e-3
    coarse, coarse_scale = ibert_exp(d, 2.0**-2)
    assert np.max(np.abs(coarse * coarse_scale - np.exp(d * 0.25)) / np.exp(d * 0.25)) > 0.4


def test_tables_and_float_path() -> None:
    params = QuantParams(2.0**-5)
    exact, rounded = reference("gelu", params, params)
    assert np.array_equal(table_outputs("gelu", params, params).outputs, rounded)
    assert table_outputs("gelu", params, params).table_bytes == 256
    requantized = float_requantize("gelu", params, params).outputs
    assert score_outputs(requantized, params.grid(), exact, rounded).max_lsb_error <= 1
    wide = QuantParams(2.0**-12, dtype="int16")
    exact16, rounded16 = reference("gelu", wide, wide)
    table = interpolated_table("gelu", wide, wide)
    assert table.table_bytes == 1026
    assert score_outputs(table.outputs, wide.grid(), exact16, rounded16).max_lsb_error <= 1
