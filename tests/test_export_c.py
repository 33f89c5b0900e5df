"""The exported C header, compiled by the system compiler, computes the interpreter's bits."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import programs
from test_export_cases import (
    BASELINES,
    FAMILIES,
    baseline_file,
    expected,
    family_file,
    points,
    same_bits,
)

from autonumerics.export import export_source
from autonumerics.export.c import C_ARITHMETIC_GUARD, c_literal, c_name
from autonumerics.ir.programfile import ProgramFile
from autonumerics.kernels import build_kernel

CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
pytestmark = pytest.mark.skipif(CC is None, reason="no C compiler")
FLAGS = ["-std=c99", "-O2", "-ffp-contract=off", "-Wall", "-Werror"]

# Reads float32s from argv[2], applies kernel number argv[1], writes float32s to argv[3].
DRIVER = """
#include <stdio.h>
#include <stdlib.h>
{includes}
int main(int argc, char **argv) {{
    if (argc != 4) return 2;
    int which = atoi(argv[1]);
    FILE *in = fopen(argv[2], "rb");
    fseek(in, 0, SEEK_END);
    size_t n = (size_t)ftell(in) / sizeof(float);
    fseek(in, 0, SEEK_SET);
    float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
    if (fread(x, sizeof(float), n, in) != n) return 3;
    fclose(in);
    switch (which) {{
{cases}
    default: return 4;
    }}
    FILE *out = fopen(argv[3], "wb");
    fwrite(y, sizeof(float), n, out);
    fclose(out);
    return 0;
}}
"""


def compile_driver(directory: Path, includes: str, cases: list[str], flags=FLAGS) -> Path:
    """The ``DRIVER`` executable: ``includes`` (C source) on top, ``cases[i]`` (C statements on
    x, y and n) run as kernel number i."""
    cases = [f"    case {index}: {case} break;" for index, case in enumerate(cases)]
    (directory / "driver.c").write_text(DRIVER.format(includes=includes, cases="\n".join(cases)))
    binary = directory / "driver"
    subprocess.run([CC, *flags, "-o", str(binary), str(directory / "driver.c"), "-lm"], check=True,
                   capture_output=True, timeout=120)
    return binary


def compile_kernels(program_files: list[tuple[ProgramFile, str]], directory: Path,
                    flags=FLAGS) -> Path:
    """One executable holding kernel i = (program file, semantics) number i."""
    includes = []
    for index, (program_file, semantics) in enumerate(program_files):
        source = export_source(program_file, "c", name=f"k{index}", semantics=semantics)
        (directory / f"k{index}.h").write_text(source)
        includes.append(f'#include "k{index}.h"')
    cases = [f"k{index}_array(x, y, n);" for index in range(len(program_files))]
    return compile_driver(directory, "\n".join(includes), cases, flags)


def run_kernel(binary: Path, index: int, x: np.ndarray) -> np.ndarray:
    directory = binary.parent
    np.asarray(x, np.float32).tofile(directory / "in.bin")
    subprocess.run([str(binary), str(index), str(directory / "in.bin"), str(directory / "out.bin")],
                   check=True, timeout=60)
    return np.fromfile(directory / "out.bin", np.float32)


@pytest.mark.parametrize("flags", [FLAGS, [*FLAGS[:2], "-march=native", "-ffp-contract=off"]],
                         ids=["default", "native"])
def test_c_export_of_families_is_bit_exact_on_a_million_inputs(flags, tmp_path):
    names = sorted(FAMILIES)
    cases = [(family_file(name), semantics) for name in names for semantics in ("xla", "strict")]
    binary = compile_kernels(cases, tmp_path, flags)
    for index, (program_file, semantics) in enumerate(cases):
        x = points(program_file.interval)
        got = run_kernel(binary, index, x)
        same = same_bits(got, expected(program_file, x, semantics)).all()
        assert same, (names[index // 2], semantics)


def test_c_export_of_baselines_is_bit_exact(tmp_path):
    cases = [(baseline_file(f, d), s) for f, d in BASELINES for s in ("xla", "strict")]
    binary = compile_kernels(cases, tmp_path)
    x = points((0.0, 1.0), 1 << 18)
    for index, (program_file, semantics) in enumerate(cases):
        assert same_bits(run_kernel(binary, index, x), expected(program_file, x, semantics)).all()


def test_c_export_of_random_programs_is_bit_exact(tmp_path):
    # One compilation for many random programs (hypothesis draws them, the compiler runs once).
    cases = []

    @given(programs(max_instructions=8))
    @settings(max_examples=30, deadline=None, database=None)
    def collect(program):
        cases.append(ProgramFile(program, "exp2", (-2.0, 2.0), "float32"))

    collect()
    pairs = [(program_file, semantics) for program_file in cases for semantics in ("xla", "strict")]
    binary = compile_kernels(pairs, tmp_path)
    x = points((-2.0, 2.0), 1 << 12, seed=2)
    for index, (program_file, semantics) in enumerate(pairs):
        got = run_kernel(binary, index, x)
        same = same_bits(got, expected(program_file, x, semantics)).all()
        assert same, program_file.program.to_infix()


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=200, deadline=None)
def test_c_literals_are_exact_float32(bits):
    value = float(np.uint32(bits).view(np.float32))
    literal = c_literal(value)
    if np.isnan(value):
        assert literal == "NAN"
    elif np.isinf(value):
        assert "INFINITY" in literal
    else:
        assert literal.endswith("f") and float.fromhex(literal[:-1]) == value


@pytest.mark.parametrize("kernel", [False, True], ids=["program", "kernel"])
def test_header_refuses_fast_math(tmp_path, kernel):
    header = build_kernel("exp2").c if kernel else export_source(family_file("horner6"), "c")
    (tmp_path / "k.h").write_text(header)
    (tmp_path / "main.c").write_text('#include "k.h"\nint main(void) '
                                     "{ return approx_exp2(0.5f) > 1.0f ? 0 : 1; }\n")
    ok = subprocess.run([CC, *FLAGS, "-o", str(tmp_path / "m"), str(tmp_path / "main.c"), "-lm"],
                        capture_output=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert subprocess.run([str(tmp_path / "m")], check=False).returncode == 0
    fast = subprocess.run([CC, "-std=c99", "-ffast-math", "-c", "-o", str(tmp_path / "f.o"),
                           str(tmp_path / "main.c")], capture_output=True, text=True, check=False)
    assert fast.returncode != 0 and "fast-math" in fast.stderr


def _has_fma() -> bool:
    macros = subprocess.run([CC, "-march=native", "-dM", "-E", "-"], input="", capture_output=True,
                            text=True, check=False)
    return "__FMA__" in macros.stdout


@pytest.mark.skipif(CC is None or not _has_fma(), reason="no hardware FMA")
def test_contraction_flag_matters_for_strict_programs(tmp_path):
    # Guards the stated compile flag: letting the compiler contract breaks the strict export.
    program_file = family_file("horner6")
    flags = ["-std=gnu99", "-O2", "-march=native", "-ffp-contract=fast"]
    binary = compile_kernels([(program_file, "strict")], tmp_path, flags)
    x = points((0.0, 1.0), 1 << 16)
    assert not same_bits(run_kernel(binary, 0, x), expected(program_file, x, "strict")).all()


def test_c_name_prefixes_the_targets_name_not_a_chosen_one():
    assert c_name("exp2") == "approx_exp2" and c_name("my_exp2", chosen=True) == "my_exp2"
    program_file = family_file("horner6")  # target exp2
    assert "static inline float approx_exp2(float x)" in export_source(program_file, "c")
    named = export_source(program_file, "c", name="exp2")
    assert "static inline float approx_exp2(float x)" in named
    assert "static inline float fast2(float x)" in export_source(program_file, "c", name="fast2")
    assert "static inline float approx_exp2(float x)" in build_kernel("exp2").c


def test_program_and_kernel_headers_share_one_guard():
    headers = {"program": export_source(family_file("horner6"), "c", name="fast2"),
               "kernel": build_kernel("exp2").c}
    guards = {"program": "AUTONUMERICS_FAST2_H", "kernel": "AUTONUMERICS_KERNEL_EXP2_H"}
    for kind, header in headers.items():
        assert header.count(C_ARITHMETIC_GUARD) == 1, kind
        guard = guards[kind]
        assert header.startswith("/*\n * ")
        assert f" */\n#ifndef {guard}\n#define {guard}\n\n" in header
        assert header.endswith(f"}}\n\n#endif /* {guard} */\n"), kind
