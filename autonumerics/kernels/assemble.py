"""A kernel's three sources: its cores as functions, its hand-written body, the module around them.

``assemble_kernel`` writes each core as a function (``base.core_function``), then the kernel's
own functions, into a standalone JAX module, a NumPy module (``python_module``) and a C99 header
(``c_header``), each under the docstring or comment ``kernel_docstring`` writes, and counts the
ops per element of the JAX one (``opcount.count_ops``). Every exported file embeds these texts,
so their bytes are part of what the certificates hash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from autonumerics.export import LANGUAGES
from autonumerics.export.c import c_block_comment, c_header_text, c_name
from autonumerics.export.text import c_comment_text, python_text, python_value
from autonumerics.kernels.base import FULL_RANGE, Core, KernelSource, core_function, core_ops
from autonumerics.kernels.opcount import count_ops
from autonumerics.kernels.preludes import c_prelude, jax_prelude, numpy_prelude
from autonumerics.kernels.tiers import split_kernel_id

__all__ = ["assemble_kernel", "c_header", "float32_literal", "kernel_docstring", "python_kernel",
           "python_module"]


def python_module(docstring: str, language: str, functions: list[str], name: str, target: str,
                  cores: tuple[Core, ...]) -> str:
    """A standalone Python kernel module: docstring, prelude, metadata, then the functions.

    Args:
        language: "jax" or "numpy": the prelude; in JAX, the last function (``name``, jitted) is
            then wrapped by ``_float32_kernel`` (no silent zero derivative, no silent dtype cast).

    The metadata (``KERNEL_NAME``, ``TARGET``, ``INTERVAL`` = the whole float32 range, ``CORES``
    = role -> program file) is what ``autonumerics verify`` / ``bench`` read.
    """
    if '"""' in docstring:  # kernel_docstring escapes every quote that came from a file
        raise ValueError("a kernel module's docstring must hold no triple quote")
    prelude = jax_prelude() if language == "jax" else numpy_prelude()
    core_files = ", ".join(f"{python_value(core.role)}: {python_value(core.path)}"
                           for core in cores)
    metadata = (f'__all__ = ["{name}"]\n\nKERNEL_NAME = "{name}"\nTARGET = "{target}"\n'
                f"INTERVAL = {FULL_RANGE!r}  # valid for every float32\nCORES = {{{core_files}}}\n")
    body = "\n\n".join(function.strip("\n") + "\n" for function in functions)
    if language == "jax":
        body += f"\n\n{name} = _float32_kernel({name})\n"
    return f'"""{docstring.rstrip()}\n"""\n\n{prelude.strip()}\n\n\n{metadata}\n\n{body}'


def c_header(comment: str, name: str, functions: list[str]) -> str:
    """A C99 kernel header: comment, guard, ``c_prelude()``, the functions (the last one being
    ``static inline float c_name(name)(float x)``) and the array loop ``c_name(name)_loop``."""
    cname = c_name(name)
    # c_comment_text leaves text it has escaped (and plain text) as it is: this only makes sure
    # that no line of the comment can end it
    lines = [c_comment_text(line) for line in comment.rstrip().splitlines()]
    body = "\n".join(function.strip("\n") + "\n" for function in functions)
    loop = (f"static inline void {cname}_loop(const float *in, float *out, size_t n) {{\n"
            f"    for (size_t i = 0; i < n; ++i) {{\n        out[i] = {cname}(in[i]);\n"
            "    }\n}\n\n")
    return c_header_text(c_block_comment(lines), f"AUTONUMERICS_KERNEL_{name.upper()}_H",
                         f"{c_prelude()}\n{body}\n{loop}")


def float32_literal(value: str, language: str) -> str:
    """A float32 constant written exactly in ``language``."""
    if language == "c":
        return f"{value}f"
    module = "jnp" if language == "jax" else "np"
    return f'{module}.float32(float.fromhex("{value}"))'


EXACT_SUBNORMALS = "Subnormal inputs and results are computed correctly."
AGREEMENT = "The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals)."


def kernel_docstring(summary: str, module_doc: str, cores: tuple[Core, ...], language: str,
                     name: str, subnormals_jax: str, subnormals_exact: str = EXACT_SUBNORMALS,
                     agreement: str = AGREEMENT) -> str:
    """The docstring (or C comment) of an exported kernel in ``language``: the summary, the module
    docstring past its first paragraph, the subnormal policy (``subnormals_jax`` for the JAX
    export, ``subnormals_exact`` for NumPy and C), each core, what the exports agree on
    (``agreement``) and the usage. The cores' strings (role, target, path) come from their
    files: they pass through ``python_text`` or ``c_comment_text``, which leave plain text as it
    is."""
    escape = c_comment_text if language == "c" else python_text
    subnormals = subnormals_jax if language == "jax" else subnormals_exact
    usage = (f"Usage: y = {c_name(name)}(x); {c_name(name)}_loop(in, out, n)\n"
             "Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm."
             if language == "c" else
             f"Usage: y = {name}(x)  # any shape, float32 (other float dtypes and jax.grad raise: "
             f"autonumerics.jax.{name} has both)"
             if language == "jax" else f"Usage: y = {name}(x)  # any shape, float32")
    lines = [f"{summary} in float32 for every input: a full-range kernel exported by autonumerics "
             f"({language}).", "", module_doc.split("\n\n", 1)[1].strip(), "", subnormals]
    for core in cores:
        interval = core.program_file.interval
        where = f"{core.program_file.target} on {list(interval) if interval else '?'}"
        lines += [escape(f"Core {core.role!r} ({where}): {core.path}"),
                  f"    {escape(core.program_file.program.to_infix())}"]
    lines += [agreement, usage]
    return "\n".join(lines)


def python_kernel(name: str, language: str, docstring: str, body: str) -> str:
    """The kernel function ``name(x)`` in "jax" (jitted) or "numpy": x as a float32 array and its
    ``bits``, then ``body`` (ending in y), inside ``np.errstate(all="ignore")`` for NumPy (inf and
    NaN pass through the paths that are selected away)."""
    if language == "numpy":
        lines = "\n".join(f"        {line}" for line in body.splitlines())
        return (f'\ndef {name}(x):\n    """{docstring}"""\n    x = np.asarray(x, np.float32)\n'
                f"    bits = _bits(x)\n    with np.errstate(all=\"ignore\"):\n{lines}\n"
                "    return np.asarray(y, np.float32)\n")
    lines = "\n".join(f"    {line}" for line in body.splitlines())
    return (f'\n@jax.jit\ndef {name}(x):\n    """{docstring}"""\n'
            f"    x = jnp.asarray(x, jnp.float32)\n    bits = _bits(x)\n{lines}\n    return y\n")


def assemble_kernel(name: str, cores: Mapping[str, Core], docstring: Callable[[str], str],
                    bodies: Mapping[str, list[str]], description: str, fenced: bool = False,
                    literal_constants: bool = False) -> KernelSource:
    """Kernel ``name`` in the three languages; its target is the function the id names
    (``tiers.split_kernel_id``: "tanh_fast" computes "tanh").

    Args:
        cores: suffix -> core, each written as the function ``_NAME_SUFFIX`` (C:
            ``c_name(NAME)_SUFFIX``), in this order, before the kernel's own functions.
        docstring: language -> the module docstring or header comment (``kernel_docstring``).
        bodies: language -> the kernel's own functions, the kernel function ``name`` last.
        description: the range reduction in one paragraph.
        fenced, literal_constants: how the cores are written (``base.core_function``), the
            same in every language.
    """
    functions: dict[str, list[str]] = {}
    for language in LANGUAGES:
        prefix = f"{c_name(name)}_" if language == "c" else f"_{name}_"
        functions[language] = [core_function(core, language, prefix + suffix, fenced=fenced,
                                              literal_constants=literal_constants)
                               for suffix, core in cores.items()] + bodies[language]
    used, target = tuple(cores.values()), split_kernel_id(name)[0]
    jax = python_module(docstring("jax"), "jax", functions["jax"], name, target, used)
    numpy = python_module(docstring("numpy"), "numpy", functions["numpy"], name, target, used)
    c = c_header(docstring("c"), name, functions["c"])
    core_costs = {f"_{name}_{suffix}": core_ops(core) for suffix, core in cores.items()}
    ops = count_ops(jax, name, core_costs)
    return KernelSource(name=name, target=target, cores=used, jax=jax, numpy=numpy, c=c,
                        ops_per_element=ops, description=description)
