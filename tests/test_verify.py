"""verify: certificates of programs, exported JAX kernels and JAX built-ins match brute force."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_export_cases import family_file

from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.export import export_source
from autonumerics.ir.programfile import save_program_file
from autonumerics.numerics.metrics import ulp_errors
from autonumerics.truth.ground_truth import labels
from autonumerics.truth.targets import get_target
from autonumerics.verification.evaluation import measure
from autonumerics.verification.special import special_values
from autonumerics.verification.verify import (
    builtin_subject,
    kernel_subject,
    program_subject,
    verify,
)

jax = pytest.importorskip("jax")
EXP2 = get_target("exp2")
SMALL = (0.99, 1.0)  # 167 773 float32 inputs


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("kernel") / "exp2_kernel.py"
    path.write_text(export_source(family_file("horner6"), "jax"))
    return path


def test_program_certificate_matches_measure():
    program_file = family_file("horner6")
    certificate = verify(program_subject(program_file), EXP2, SMALL, workers=0)
    direct = measure(program_file.program, EXP2, SMALL, "float32", "xla", exhaustive=True,
                     workers=0)
    assert certificate.report == direct
    assert certificate.report.n_points == 167_773 and certificate.report.exhaustive


def test_kernel_certificate_equals_program_certificate(kernel_path):
    # The exported kernel runs under JAX, in worker processes that import the file by path.
    program = verify(program_subject(family_file("horner6")), EXP2, SMALL, workers=0)
    subject, module = kernel_subject(kernel_path)
    kernel = verify(subject, EXP2, SMALL, workers=2)
    assert kernel.report == program.report
    data = kernel.to_json()
    assert data["subject"]["program_hash"] == module.PROGRAM_HASH == program.subject["program_hash"]
    assert data["subject"]["semantics"] == "xla" and len(data["subject"]["file_sha256"]) == 64
    assert data["versions"]["jax"] and data["versions"]["numpy"] and data["date"].endswith("+00:00")
    json.dumps(data, allow_nan=False)  # strict JSON


def test_numpy_kernel_files_are_verified_without_jax(tmp_path):
    path = tmp_path / "exp2_np.py"
    path.write_text(export_source(family_file("horner6"), "numpy"))
    subject, _ = kernel_subject(path)
    assert subject.subnormals.startswith("IEEE")
    program = verify(program_subject(family_file("horner6")), EXP2, SMALL, workers=0)
    assert verify(subject, EXP2, SMALL, workers=0).report == program.report


def test_builtin_certificate_matches_brute_force():
    # every float32 there, checked independently with mpmath labels
    interval = (0.5, 0.5 + 2.0**-12)
    certificate = verify(builtin_subject("jnp.exp2"), EXP2, interval, workers=0)
    first, last = (np.float32(bound).view(np.int32) for bound in interval)
    x = np.arange(first, last + 1).astype(np.int32).view(np.float32)
    outputs = np.asarray(jax.jit(jax.numpy.exp2)(x))
    hi, lo = labels(EXP2, x.astype(np.float64), cache=False)
    errors = ulp_errors(outputs, hi, lo, "float32")
    assert certificate.report.n_points == x.size
    assert certificate.report.max_ulp == pytest.approx(float(errors.max()), rel=1e-9)
    assert certificate.report.n_ge_half_ulp == int(np.sum(errors >= 0.5))
    assert certificate.subject == {"kind": "builtin", "function": "jnp.exp2"}


def test_sampled_verification_of_a_program():
    certificate = verify(program_subject(family_file("horner6")), EXP2, (0.0, 1.0),
                         exhaustive=False, points=2000)
    assert not certificate.report.exhaustive and certificate.report.n_points >= 1900
    assert 0.5 < certificate.report.max_ulp < 0.9  # exhaustive: 0.8956 (README)


def test_special_values_are_reported_against_the_exact_values():
    rows = {row["input"]: row for row in special_values(lambda x: np.exp2(x), EXP2, (0.0, 1.0))}
    assert rows["inf"]["correctly_rounded"] and rows["inf"]["expected"] == "inf"
    assert rows["-inf"]["expected"] == "0.0" and rows["-inf"]["correctly_rounded"]
    assert rows["nan"]["expected"] == "nan" and rows["nan"]["correctly_rounded"]
    assert rows["1.0"]["in_interval"] and rows["-0.0"]["in_interval"]
    assert not rows["-inf"]["in_interval"]
    zeros = special_values(lambda x: np.zeros_like(x), EXP2, (0.0, 1.0))
    wrong = {row["input"]: row for row in zeros}
    assert not wrong["1.0"]["correctly_rounded"]
    assert wrong["1.0"]["ulp"] == 2.0**23  # |0 - 2| / 2**-22
    # the exact value overflows: no ULP, a verdict
    assert "ulp" not in wrong["3.4028234663852886e+38"]


def test_bad_subjects_are_user_errors(tmp_path):
    with pytest.raises(AutonumericsError, match="no JAX function"):
        builtin_subject("jnp.no_such_function")
    with pytest.raises(AutonumericsError, match="does not exist"):
        kernel_subject(tmp_path / "missing.py")
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    with pytest.raises(AutonumericsError, match="boom"):
        kernel_subject(tmp_path / "broken.py")


def test_cli_verify_writes_a_certificate(tmp_path, capsys, kernel_path):
    program = tmp_path / "horner6.json"
    save_program_file(program, family_file("horner6"))
    certificate = tmp_path / "cert.json"
    assert main(["verify", str(program), "--exhaustive", "--interval", "0.999,1", "--workers", "0",
                 "--json", "-o", str(certificate)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(certificate.read_text())
    assert printed["report"]["exhaustive"] and printed["subject"]["kind"] == "program"
    assert main(["verify", str(kernel_path), "--exhaustive", "--interval", "0.999,1",
                 "--workers", "0", "--json"]) == 0
    kernel = json.loads(capsys.readouterr().out)
    assert kernel["report"] == printed["report"]


def test_cli_verify_errors_are_one_line(capsys):
    assert main(["verify", "--builtin", "jnp.exp2", "kernel.py"]) == 2
    assert "one of them" in capsys.readouterr().err
    assert main(["verify", "--builtin", "jnp.abs"]) == 2
    assert "no target" in capsys.readouterr().err


def test_builtins_name_their_target():
    from autonumerics.verification.verify import builtin_target

    assert builtin_target("jnp.exp2") == "exp2" and builtin_target("jax.scipy.special.erf") == "erf"
    assert builtin_target("jax.nn.gelu") is None  # the default gelu is the tanh approximation
    assert builtin_target("jnp.abs") is None


def test_all_floats_parts_of_exp2_and_log2_have_exact_boundaries():
    from autonumerics.verification.all_floats import find_parts, keys_to_float32

    def starts(target):
        return [(name, float(keys_to_float32(np.array([first]))[0]))
                for name, first, _ in find_parts(get_target(target))]

    exp2 = starts("exp2")
    # 2^-126 is the smallest normal
    assert ("overflow", 128.0) in exp2 and ("normal", -126.0) in exp2
    assert exp2[0] == ("subnormal_result", -float(np.finfo(np.float32).max))
    assert [name for name, _ in exp2].count("subnormal_input") == 2
    log2 = starts("log2")
    assert log2[0][0] == "undefined" and ("overflow", 0.0) in log2  # log2(0) = -inf
    parts = find_parts(get_target("exp2"))
    # every finite float32 once
    assert sum(last - first + 1 for _, first, last in parts) == 2 * 0x7F7FFFFF + 1


def test_all_floats_parts_find_a_pole_at_a_domain_end():
    """log1p(-1) = -inf is one input between the undefined x < -1 and the normal x > -1: stride
    sampling alone would score it with its neighbours; the domain's ends are sampled too."""
    from autonumerics.verification.all_floats import find_parts, keys_to_float32

    parts = [(name, float(keys_to_float32(np.array([first]))[0]), last - first + 1)
             for name, first, last in find_parts(get_target("log1p"))]
    assert parts[0][0] == "undefined" and parts[1] == ("overflow", -1.0, 1)
    assert parts[2][:2] == ("normal", float(np.nextafter(np.float32(-1), np.float32(0))))


def test_all_floats_smoke_run_checks_every_part():
    from autonumerics.verification.verify import verify_every_float

    certificate = verify_every_float(builtin_subject("jnp.exp2"), EXP2, workers=0, max_per_part=500)
    details = certificate.to_json()["all_floats"]
    assert not details["complete"]
    assert details["overflow"] == {"n_inputs": 500, "n_correct": 500}
    nan_inputs = details["nan_inputs"]
    assert nan_inputs["n_correct"] == nan_inputs["n_inputs"] == 2 * (2**23 - 1)
    assert details["subnormal_result"]["n_flushed_to_zero"] == 500
    assert certificate.report.n_points == 1001  # the normal parts: 500 + ±0 + 500
