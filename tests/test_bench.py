"""bench: timing rows, ratios and the command (tiny sizes: these tests check wiring, not speed)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_export_cases import family_file

from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.export import export_source
from autonumerics.ir.programfile import save_program_file
from autonumerics.verification.bench import (
    Timing,
    bench,
    load_kernel,
    parse_sizes,
    resolve_against,
    stacked,
)

jax = pytest.importorskip("jax")


@pytest.fixture(scope="module")
def kernel_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "exp2_kernel.py"
    path.write_text(export_source(family_file("horner6"), "jax"))
    return path


def test_rows_and_ratios(kernel_file):
    kernel, _ = load_kernel(kernel_file)
    builtin, name = resolve_against("jnp", "exp2")
    assert name == "jnp.exp2(x)"
    rows = bench(kernel, builtin, (0.0, 1.0), sizes=(1000, 5000), repeats=3, stacked_size=1000,
                 stacked_iterations=5)
    assert [row.case for row in rows] == ["n=1000", "n=5000", "stacked 5x1000"]
    for row in rows:
        assert row.kernel_seconds > 0 and row.builtin_seconds > 0
        assert row.ratio == pytest.approx(row.builtin_seconds / row.kernel_seconds)
    assert rows[-1].n_elements == 5000


def test_stacked_loop_applies_the_function_and_clips():
    loop = stacked(lambda x: x * 2.0 + 0.25, (0.0, 1.0), 3)
    x = np.array([0.0, 0.1, 0.4], np.float32)
    expected = x
    for _ in range(3):
        expected = np.clip(expected * 2.0 + 0.25, 0.0, 1.0)
    assert np.allclose(np.asarray(loop(x)), expected)


def test_timing_json_has_ratio_and_rates():
    data = Timing("n=10", 10, 1e-6, 3e-6).to_json()
    assert data["ratio"] == pytest.approx(3.0)
    assert data["kernel_ns_per_element"] == pytest.approx(100.0)


def test_sizes_and_against_are_checked():
    assert parse_sizes("1e4, 1e6,1e7") == (10_000, 1_000_000, 10_000_000)
    for bad in ("", "ten", "0"):
        with pytest.raises(AutonumericsError):
            parse_sizes(bad)
    with pytest.raises(AutonumericsError, match="no JAX built-in"):
        resolve_against("jnp", "exp(-x**2)")


def test_cli_bench_json_from_a_program_file(tmp_path, capsys):
    program = tmp_path / "p.json"
    save_program_file(program, family_file("horner6"))
    assert main(["bench", str(program), "--sizes", "1000", "--repeats", "2",
                 "--stacked-iterations", "3", "--stacked-size", "500", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["against"] == "jnp.exp2(x)"
    assert [r["case"] for r in data["rows"]] == ["n=1000", "stacked 3x500"]
    assert main(["bench", str(program), "--sizes", "x"]) == 2
