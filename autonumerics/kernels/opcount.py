"""Ops per element of a kernel, counted from the source of its JAX export.

The count is what the kernel's JAX function asks XLA to compute for one element, read from the
function's Python syntax tree with the called helpers inlined:

* every arithmetic, integer, bit and shift operator, compare, negation, ``astype`` conversion,
  ``jnp.where`` (a select), ``jnp.round`` and ``jnp.maximum`` is one op;
* a product written as an operand of a sum or difference (``a * b + c``) is fused into it, as
  XLA fuses it: the pair is one FMA (a product that is also read elsewhere is not fused);
* bit casts (``_bits``, ``_float``), ``jnp.asarray``, ``jnp.broadcast_to``, optimization barriers
  (XLA drops them) and constants are free; an op on constants only is folded, free too;
* a fence ``_rounded(v)`` is a compare and a select (2);
* a core costs its ops as XLA runs it (``core_ops``: an FMA counts one), plus its fences;
* equal expressions are computed once (XLA's common subexpression elimination), so a value
  written twice, or a helper called twice with the same arguments, counts once.

A call or statement the rules do not cover raises, so that a count cannot silently drift from
the code it counts.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

__all__ = ["count_ops"]

BIT_CASTS = frozenset({"_bits", "_float"})  # free, but not the value they cast
FREE = frozenset({"jnp.asarray", "jnp.broadcast_to", "jax.lax.optimization_barrier"})  # the value
ONE_OP = frozenset({"jnp.where", "jnp.round", "jnp.floor", "jnp.maximum", "jnp.minimum"})
CONSTANT = frozenset({"jnp.float32", "jnp.int32", "float.fromhex"})  # free on constant arguments
FIXED = {"_rounded": 2}  # a fence: the compare and the select (v + v only quiets a NaN)


def _dotted(node: ast.expr) -> str | None:
    """``jax.lax.optimization_barrier`` for that attribute chain of names, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := _dotted(node.value)) is not None:
        return f"{base}.{node.attr}"
    return None


class _Value(str):
    """A value computed per element, named by its computation (equal names: one computation)."""


def _constant(value: object) -> bool:
    """Python values, names such as ``jnp.inf`` and folded expressions are constants."""
    return not isinstance(value, _Value)


class _Counter:
    """Evaluates a function symbolically: each value is a key naming its computation."""

    def __init__(self, tree: ast.Module, cores: Mapping[str, int]):
        self.functions = {node.name: node for node in tree.body
                          if isinstance(node, ast.FunctionDef)}
        self.cores = cores
        self.values: dict[str, _Value] = {}  # op and operands -> the value (computed once: CSE)
        self.costs: dict[_Value, int] = {}  # value -> its ops
        self.fused: dict[_Value, set[_Value]] = {}  # product -> the sums it is fused into

    def total(self) -> int:
        # a product fused into several sums is computed once and read twice: not fused
        shared = sum(1 for key, sums in self.fused.items() if len(sums) > 1 and not self.costs[key])
        return sum(self.costs.values()) + shared

    def op(self, name: str, args: list, cost: int = 1) -> object:
        """The value of op ``name`` on ``args`` (a constant if they all are), costing ``cost``."""
        key = f"{name}({', '.join(map(repr, args))})"
        if all(map(_constant, args)):
            return key
        value = self.values.setdefault(key, _Value(f"%{len(self.values)}"))  # short, shared names
        self.costs[value] = max(self.costs.get(value, 0), cost)
        return value

    def call(self, function: str, args: list) -> object:
        """The value a function returns: its body evaluated on ``args`` (a core: its ops)."""
        node = self.functions[function]
        env = dict(zip((a.arg for a in node.args.args), args, strict=True))
        for statement in node.body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                continue  # the docstring
            if isinstance(statement, ast.Return):
                return self.value(statement.value, env)
            if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
                raise ValueError(f"{function}: no op count for {ast.unparse(statement)!r}")
            target = statement.targets[0]
            if function in self.cores and not (isinstance(target, ast.Name) and target.id == "x"):
                continue  # the core's program: counted as a whole below
            self.bind(target, self.value(statement.value, env), env)
            if function in self.cores:
                env["out"] = self.op(f"core:{function}", [env["x"]], self.cores[function])
        raise ValueError(f"{function}: no return statement")

    def bind(self, target: ast.expr, value: object, env: dict) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item, part in zip(target.elts, value, strict=True):
                self.bind(item, part, env)
        else:
            raise ValueError(f"no op count for assigning to {ast.unparse(target)!r}")

    def value(self, node: ast.expr, env: dict, fuse: bool = False) -> object:
        """The key of ``node``'s value (``fuse``: a product fused into the sum that reads it)."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return env.get(node.id, f"name:{node.id}")
        if isinstance(node, (ast.Tuple, ast.List)):
            return [self.value(item, env) for item in node.elts]
        if isinstance(node, ast.Subscript):
            return self.value(node.value, env)[self.index(node.slice, env)]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self.op("neg", [self.value(node.operand, env)])
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            operands = [self.value(node.left, env), self.value(node.comparators[0], env)]
            return self.op(type(node.ops[0]).__name__, operands)
        if isinstance(node, ast.BinOp):
            return self.binary(node, env, fuse)
        if isinstance(node, ast.ListComp):
            return self.comprehension(node, env)
        if isinstance(node, ast.Call):
            return self.called(node, env)
        if isinstance(node, ast.Attribute) and (name := _dotted(node)) is not None:
            return f"name:{name}"
        raise ValueError(f"no op count for {ast.unparse(node)!r}")

    def index(self, node: ast.expr, env: dict) -> int | slice:
        if isinstance(node, ast.Slice):
            bounds = (node.lower, node.upper, node.step)
            return slice(*(None if part is None else self.value(part, env) for part in bounds))
        return self.value(node, env)

    def binary(self, node: ast.BinOp, env: dict, fuse: bool = False) -> str:
        name = type(node.op).__name__
        if isinstance(node.op, (ast.Add, ast.Sub)):
            products = [side for side in (node.left, node.right)
                        if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Mult)]
            fused = products[0] if products else None  # one product per sum
            operands = [self.value(side, env, side is fused) for side in (node.left, node.right)]
            key = self.op(name, operands)
            product = operands[0] if node.left is fused else operands[1]
            if fused is not None and not _constant(product):
                self.fused.setdefault(product, set()).add(key)
            return key
        operands = [self.value(node.left, env), self.value(node.right, env)]
        return self.op(name, operands, 0 if fuse else 1)

    def comprehension(self, node: ast.ListComp, env: dict) -> list:
        (generator,) = node.generators
        if generator.ifs or not isinstance(generator.target, ast.Name):
            raise ValueError(f"no op count for {ast.unparse(node)!r}")
        return [self.value(node.elt, {**env, generator.target.id: item})
                for item in self.value(generator.iter, env)]

    def called(self, node: ast.Call, env: dict) -> object:
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr == "astype":
            return self.op("convert", [self.value(function.value, env)])
        name = _dotted(function)
        args = [self.value(arg, env) for arg in node.args]
        if name in ("range", "tuple"):
            return range(*args) if name == "range" else list(args[0])
        if name in BIT_CASTS:
            return self.op(name, args, cost=0)
        if name in FREE:
            return args[0]
        if name in FIXED:
            return self.op(name, args, FIXED[name])
        if name in ONE_OP:
            return self.op(name, args)
        if name in CONSTANT and all(map(_constant, args)):
            return self.op(name, args)
        if name in self.functions:
            return self.call(name, args)
        raise ValueError(f"no op count for the call {ast.unparse(node)!r}")


def count_ops(source: str, function: str, cores: Mapping[str, int]) -> int:
    """Ops per element of ``function`` in the JAX module ``source`` (rules: module docstring).

    Args:
        source: the JAX kernel module's source.
        function: the kernel function's name.
        cores: the functions that compute a core -> the core's ops (``core_ops``).

    Raises:
        ValueError: for a call or a statement the rules do not cover.
    """
    counter = _Counter(ast.parse(source), cores)
    node = counter.functions[function]
    counter.call(function, [_Value(f"input:{arg.arg}") for arg in node.args.args])
    return counter.total()
