"""The JAX and NumPy sources of an integer kernel: its ops, and the input checks around them.

The op spellings follow the interpreter exactly (``intprogram`` module docstring): shift amounts
clamped to [0, 31], the rounding right shift as ``((a >> (k-1)) + 1) >> 1`` (no overflow), the
saturating left shift by clamping first, floor division. Around the ops, every export checks its
input (``gridbounds``): an integer dtype only (a float array would be truncated silently), and
inputs off the grid clamped or rejected. The program itself only ever sees grid values, the
values its audit covered.
"""

from __future__ import annotations

from autonumerics.export.text import python_value
from autonumerics.quant.gridbounds import REJECTED, GridBounds
from autonumerics.quant.int_ops import INT_OPS
from autonumerics.quant.intprogram import IntProgram

# The templates below are emitted verbatim into every export: their lines stay as they are.
_HELPERS = '''

def _rshr(a, k):
    """Round-half-up right shift floor(a / 2**k + 1/2), k clamped to [0, 31]; never overflows."""
    k = {m}.clip(k, 0, 31)
    return {m}.where(k == 0, a, (a >> k) + ((a >> {m}.maximum(k - 1, 0)) & 1))


def _shl(a, k):
    """Saturating left shift clamp(a * 2**k, -2**31, 2**31 - 1): the edge where a is past it."""
    k = {m}.clip(k, 0, 31)
    low = {m}.right_shift({int}(-2**31), k)
    high = {m}.right_shift({int}(2**31 - 1), k)
    inside = {m}.left_shift({m}.clip(a, low, high), k)
    return {m}.where(a > high, {int}(2**31 - 1), {m}.where(a < low, {int}(-2**31), inside))


def _integers(q):
    """q as an array (numpy unless it is a JAX one) of an integer dtype; any other dtype is a TypeError."""
    q = {as_array}
    if not np.issubdtype(q.dtype, np.integer):
        raise TypeError(f"{name} takes integers (input grid [{{LOW}}, {{HIGH}}]), got dtype {{q.dtype}}")
    return q
'''  # noqa: E501

_REJECT = '''

def _reject(q):
    """Raise ValueError naming the first input that the grid's rules reject, if there is one."""
    q = np.asarray(q)
    rejected = q[{test}]
    if rejected.size:
        side = "below" if rejected.flat[0] < LOW else "above"
        raise ValueError(f"{name}: input {{rejected.flat[0]}} is {{side}} the input grid [{{LOW}}, {{HIGH}}], where "
                         "the kernel has no saturated value (METADATA['out_of_grid'])")
'''  # noqa: E501

_NARROW = '''

def _narrow(q, xp):
    """q clamped to one step beyond the grid in its own dtype, then int32: exact for any integer width."""
    info = xp.iinfo(q.dtype)
    return xp.clip(q, max(LOW - 1, info.min), min(HIGH + 1, info.max)).astype(xp.int32)
'''  # noqa: E501


def _module_doc(name: str, language: str, bounds: GridBounds) -> list[str]:
    edge = {"below": bounds.low, "above": bounds.high}
    sides = []
    for side in ("below", "above"):
        rule = getattr(bounds, side)
        result = (f"give the output at {edge[side]} (their saturated value, within the certified "
                  "error)" if rule == "clamp" else "raise ValueError")
        sides.append(f"inputs {side} it {result}")
    traced = ("\n\nInside a caller's jit or vmap the values cannot be inspected, so a rejected "
              "input gives REJECTED"
              "\n(-2**31, never an output on the grid) instead of raising, as in the C export."
              if language == "jax" and _rejects(bounds) else "")
    return [f'"""{name}: integer kernel exported by autonumerics (int32 {language}; see METADATA).',
            "",
            "Takes an array of any integer dtype "
            "(a float or bool dtype is a TypeError: no silent truncation).",
            f"Exact on the input grid [{bounds.low}, {bounds.high}]; {sides[0]};",
            f"{sides[1]}.{traced}",
            '"""']


def _rejects(bounds: GridBounds) -> bool:
    return "reject" in (bounds.below, bounds.above)


def _rejected_test(bounds: GridBounds, variable: str) -> str:
    """The boolean expression, over ``variable``, of the inputs that the rules reject."""
    tests = ([f"({variable} < LOW)"] if bounds.below == "reject" else []) + \
        ([f"({variable} > HIGH)"] if bounds.above == "reject" else [])
    return " | ".join(tests)


def _body(program: IntProgram, language: str) -> list[str]:
    module, int_type = ("jnp", "int32") if language == "jax" else ("np", "int64")
    lines = []
    for instruction in program.instructions:
        operands = [a if isinstance(a, str) else f"{module}.{int_type}({a})"
                    for a in instruction.args]
        expression = INT_OPS[instruction.op].python.format(*operands, m=module)
        lines.append(f"    {instruction.dest} = {expression}")
    return lines


def python_source(program: IntProgram, name: str, meta: dict, bounds: GridBounds,
                  language: str) -> str:
    """The standalone module (``language``: "jax" or "numpy") defining ``name``; see the top."""
    is_jax = language == "jax"
    module, int_type = ("jnp", "jnp.int32") if is_jax else ("np", "np.int64")
    header = ("import jax\nimport jax.numpy as jnp\nimport numpy as np\n" if is_jax
              else "import numpy as np\n")
    lines = _module_doc(name, language, bounds) + [
        "", header, f"METADATA = {python_value(meta, pretty=True)}",
        f"LOW, HIGH = {bounds.low}, {bounds.high}  # the input grid"]
    if is_jax and _rejects(bounds):
        lines.append(f"REJECTED = {REJECTED}  # a rejected input's output inside a trace")
    as_array = "q if isinstance(q, jax.Array) else np.asarray(q)" if is_jax else "np.asarray(q)"
    lines.append(_HELPERS.format(m=module, int=int_type, name=name, as_array=as_array).rstrip("\n"))
    if _rejects(bounds):
        lines.append(_REJECT.format(name=name, test=_rejected_test(bounds, "q")).rstrip("\n"))
    body = (_jax_functions if is_jax else _numpy_function)(program, name, bounds)
    return "\n".join(lines + body) + "\n"


def _numpy_function(program: IntProgram, name: str, bounds: GridBounds) -> list[str]:
    source = program.inputs[0]
    lines = ["", "", f"def {name}({source}):",
             '    """Integer in, int32 out (numpy); exact on the grid '
             '(the module docstring: off it)."""',
             f"    {source} = _integers({source})"]
    if _rejects(bounds):
        lines.append(f"    _reject({source})")
    lines += [f"    info = np.iinfo({source}.dtype)",
              f"    {source} = np.clip({source}, max(LOW, info.min), min(HIGH, info.max))"
              ".astype(np.int64)"]
    return lines + _body(program, "numpy") + [f"    return {program.output}.astype(np.int32)"]


def _jax_functions(program: IntProgram, name: str, bounds: GridBounds) -> list[str]:
    source, checks = program.inputs[0], _rejects(bounds)
    lines = [_NARROW.rstrip("\n"), "", "", "@jax.jit", f"def _kernel({source}):",
             f"    {source} = _narrow({source}, jnp)"]
    if checks:
        lines.append(f"    rejected = {_rejected_test(bounds, source)}")
    lines.append(f"    {source} = jnp.clip({source}, LOW, HIGH)")
    lines += _body(program, "jax")
    lines.append(f"    return jnp.where(rejected, jnp.int32(REJECTED), {program.output}), "
                 "jnp.any(rejected)" if checks else f"    return {program.output}")
    call = f"_kernel(_narrow({source}, np) if isinstance({source}, np.ndarray) else {source})"
    lines += ["", "", f"def {name}({source}):",
              '    """Integer in, int32 out (JAX); exact on the grid '
              '(the module docstring: off it)."""',
              f"    {source} = _integers({source})"]
    if not checks:
        return lines + [f"    return {call}"]
    return lines + [f"    an_result, an_rejected = {call}",
                    "    try:",
                    "        an_rejected = bool(an_rejected)",
                    "    except jax.errors.ConcretizationTypeError:"
                    "  # traced: REJECTED marks the rejected inputs",
                    "        return an_result",
                    "    if an_rejected:",
                    f"        _reject({source})",
                    "    return an_result"]
