"""The contraction model agrees bit for bit with jitted JAX on CPU (XLA fuses a*b + c)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import programs

from autonumerics.ir.canonical import canonicalize
from autonumerics.ir.contraction import contract_multiply_add
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.ops import OPS
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import ref_kind
from autonumerics.numerics.context import arithmetic_context

jax = pytest.importorskip("jax")
jnp = jax.numpy

LITERAL_XLA = arithmetic_context("float32", "xla", literal_constants=True)  # as the kernel cores

SHAPES = [
    "0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*0x1.3cfb6p-7)))",
    "(x+0.1)*(x+0.2) + (x+0.3)*(x+0.4)",
    "(x+0.1)*0.3 + x*0.7",  # the lower-rank product is fused, not the left one
    "x*0.7 + sqrt(x*x+1.0)*0.3",
    "((x+0.2)*x+0.1)*0.7 + (x+0.1)*0.3",
    "(x+0.1)*0.3 - x*0.7",  # subtraction: the left product is fused
    "x*0.3 - (x+0.1)*0.7",
    "-(x*0.3) + 1.1",
    "fma(x*x+0.2, 0.3, x*0.7)",  # an explicit fma is only a request under XLA
    "(x/1.7)*0.3 + (x/1.3)*0.7",  # division by a constant: XLA sees no constant
    "2.13 / sqrt(x*x + 0.5)",  # a/sqrt(b): not an approximate rsqrt
    "fma(2.3, -0.75 * x, square(x))",
    "t0 = x * x; fma(t0, t0, square(x))",  # square(x) and x*x are one value to XLA
    "(x+0.1)*0.3 + ((x+0.2)+0.1)*0.7",
    "t = x*0.3; t*t + t",
    "((0.5/(0.3/(2.0/x + x) + 0.7 + 2.0/x + x)) + 1.0)**8",
    "x - (x*0.3)*x*(x*0.2+1.0)",
    # A product by a negative constant is no negation to LLVM (the constant is in a buffer):
    "x/3.0 + x/(-0.5)",  # -2*x + 0.33333334*x: the left product is fused (found by hypothesis)
    "x*(-0.7) + (x+0.1)*0.3",
    "0.3*(x*x) + x*(-0.7)",
]


def jax_function(program, literal_constants=False):
    """A direct JAX transcription of the program, constants and square roots behind
    optimization barriers, as the exporter emits it (``literal_constants``: constants as float32
    literals instead, as the kernel cores write them)."""

    def f(x):
        if literal_constants:
            constants = [jnp.float32(c) for c in program.constants]
        else:
            constants = jax.lax.optimization_barrier(
                jnp.asarray(np.asarray(program.constants, np.float32)))
        values = []
        for _position, instruction in enumerate(program.instructions):
            args = []
            for ref in instruction.args:
                kind, index = ref_kind(ref)
                args.append(x if kind == "x" else constants[index] if kind == "c"
                            else values[index])
            code = OPS[instruction.op].jax.format(*(f"a[{i}]" for i in range(len(args))))
            value = eval(code, {"jnp": jnp, "a": args})
            if instruction.op == "sqrt":
                value = jax.lax.optimization_barrier(value)
            values.append(value)
        kind, index = ref_kind(program.output)
        out = x if kind == "x" else values[index] if kind == "v" else constants[index]
        return jnp.broadcast_to(out, x.shape)

    return jax.jit(f)


def test_exporter_style_keeps_non_canonical_programs_exact():
    for text in ("x/1.7", "-(1.42 - x + 1.42 - x)", "fma(2.3, 0.5, x)"):
        assert _agree(parse_expr(text), POINTS) == 1.0


def _agree(program, x):
    expected = np.asarray(jax_function(program)(jnp.asarray(x)))
    got = evaluate(program, x, "float32", contract=True)
    same = (expected.view(np.int32) == got.view(np.int32)) | (np.isnan(expected) & np.isnan(got))
    return float(np.mean(same))


POINTS = np.random.default_rng(0).uniform(-2, 2, 1 << 16).astype(np.float32)


@pytest.mark.parametrize("text", SHAPES)
def test_contraction_model_matches_jax_on_known_shapes(text):
    assert _agree(canonicalize(parse_expr(text)), POINTS) == 1.0


@given(programs(max_instructions=7))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_contraction_model_matches_jax_on_random_canonical_programs(program):
    assert _agree(canonicalize(program), POINTS[:4096]) == 1.0


def test_strict_rounding_does_not_match_jax_on_horner():
    # Guards the test itself: without the model the agreement is far from complete.
    program = parse_expr(SHAPES[0])
    expected = np.asarray(jax_function(program)(jnp.asarray(POINTS)))
    assert np.mean(expected == evaluate(program, POINTS, "float32")) < 0.95


# A product by a negative constant: whether it reads as a negation depends on whether LLVM sees
# the constant's value (literals, as in the kernel cores) or not (an array behind the barrier).
SIGNED_SHAPES = ["x/3.0 + x/(-0.5)", "x*(-0.7) + (x+0.1)*0.3", "0.3*(x*x) + x*(-0.7)",
                 "(x+0.1)*(-0.7) + x*0.3"]


@pytest.mark.parametrize("text", SIGNED_SHAPES)
def test_literal_constants_are_seen_with_their_signs(text):
    program = canonicalize(parse_expr(text))
    expected = np.asarray(jax_function(program, literal_constants=True)(jnp.asarray(POINTS)))
    got = evaluate(program, POINTS, LITERAL_XLA)
    assert (expected.view(np.int32) == got.view(np.int32)).all()


def test_the_two_constant_styles_fuse_different_products():
    # Guards the two tests above: on -2*x + x/3 the visible sign changes which product is fused.
    program = canonicalize(parse_expr(SIGNED_SHAPES[0]))
    hidden = evaluate(contract_multiply_add(program, "float32"), POINTS, "float32")
    seen = evaluate(contract_multiply_add(program, LITERAL_XLA), POINTS, "float32")
    assert 0.01 < np.mean(hidden != seen) < 0.5
