"""The import layers: no import cycle, no import up the layers or across one, every package placed.

Every ``import`` of an autonumerics module is read from the source (ast), at the top of a module
or inside a function alike, so a lazy import cannot hide a climb. ``kernels/certified/`` holds
generated exports and is not read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autonumerics"
GENERATED = ("kernels", "certified")  # generated exports: not read

# package -> (rank, role). A module may import its own package or one of a strictly lower rank.
LAYERS: dict[str, tuple[int, str]] = {
    "foundation": (0, "errors, limits, processes, sourcefile: the error type, limits, processes, "
                      "importing a file"),
    "numerics": (1, "float formats and their bits, fused multiply-add, error measures"),
    "truth": (2, "target functions, their expressions and domains, mpmath labels and their cache"),
    "ir": (3, "ops, programs, their text and canonical forms, program files, the interpreter"),
    "fit": (2, "fitting a program's constants: LP, least squares, CMA-ES, float polishing"),
    "export": (4, "a program as standalone JAX, NumPy or C source"),
    "verification": (5, "sampled and exhaustive error, all-float certificates, benchmarks"),
    "evolution": (6, "the search: config, mutation, population, children, loop, run folder"),
    "baselines": (7, "classical approximations (Taylor, Pade, Chebyshev, Remez) and comparisons"),
    "kernels": (7, "full-range float32 kernels around evolved cores, and their certified exports"),
    "quant": (7, "quantized integer and low-bit float activation kernels"),
    "jax": (8, "the certified kernels as JAX functions (public: autonumerics.jax)"),
    "certify": (9, "certificates beyond float32: 16-bit formats and derivatives"),
    "api": (10, "the Python API behind the public names"),
    "facade": (11, "autonumerics/__init__.py: the public names, imported on first use"),
    "cli": (12, "the command line: parsing and printing"),
    "main": (13, "__main__.py: python -m autonumerics"),
}
FOUNDATION = {"errors", "limits", "processes", "sourcefile"}  # the modules of the foundation layer
# The one import up the layers: Program.to_jax / to_numpy (public) build their callables with the
# exporters, imported inside those methods.
EXCEPTIONS = {
    ("autonumerics.ir.program", "autonumerics.export.callables"),
    ("autonumerics.ir.programfile", "autonumerics.export.callables"),
}


@dataclass(frozen=True)
class Import:
    """``source`` imports ``target`` (dotted module names) at ``line``; ``lazy``: in a function."""

    source: str
    target: str
    line: int
    lazy: bool


def module_name(path: Path, root: Path) -> str:
    """The dotted name of the module at ``path`` in the package at ``root``."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files(root: Path) -> dict[str, Path]:
    """Module name -> file, for every module of the package at ``root`` but the generated ones."""
    files = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).parts
        if relative[: len(GENERATED)] != GENERATED and "__pycache__" not in relative:
            files[module_name(path, root)] = path
    return files


def _imports_of(name: str, path: Path, modules: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    found = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: from the package holding this module
                    anchor = name.split(".")[: len(name.split(".")) - child.level + is_package]
                    base = ".".join(anchor + ([base] if base else []))
                # `from package import module` imports that module; other names, the package
                named = (f"{base}.{alias.name}" for alias in child.names)
                targets = [module if module in modules else base for module in named]
            else:
                visit(child, inner)
                continue
            for target in targets:
                while target not in modules and "." in target:  # `import a.b.c`: the deepest module
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name:
                    found.append(Import(name, target, child.lineno, lazy))

    visit(tree, False)
    return list(dict.fromkeys(found))  # `from m import a, b`: one import of m


def collect_imports(root: Path) -> list[Import]:
    """Every import of one of the package's own modules by another, top-level or lazy."""
    files = source_files(root)
    return [found for name, path in files.items() for found in _imports_of(name, path, set(files))]


def layer(module: str) -> str | None:
    """The ``LAYERS`` key of ``module``, None if the table does not place it."""
    parts = module.split(".")[1:]
    if not parts:
        return "facade"
    if parts == ["__main__"]:
        return "main"
    if len(parts) == 1 and parts[0] in FOUNDATION:
        return "foundation"
    special = ("foundation", "facade", "main")
    return parts[0] if parts[0] in LAYERS and parts[0] not in special else None


def unplaced(modules: list[str]) -> list[str]:
    """The modules whose package (or top-level module) the table does not place."""
    return sorted(m for m in modules if layer(m) is None)


def layer_violations(imports: list[Import]) -> list[str]:
    """Each import from a package to one of the same or a higher rank, the exception aside
    (which must stay lazy)."""
    problems = []
    for found in imports:
        here, there = layer(found.source), layer(found.target)
        if here is None or there is None or here == there:
            continue  # unplaced modules fail test_every_package_is_placed
        if (found.source, found.target) in EXCEPTIONS and found.lazy:
            continue
        low, high = LAYERS[here][0], LAYERS[there][0]
        if high >= low:
            kind = "up" if high > low else "across"
            problems.append(f"{found.source}:{found.line} imports {found.target} "
                            f"({here} rank {low} -> {there} rank {high}: {kind})")
    return problems


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """One cycle (a list of modules, the first repeated last) per strongly connected group of
    modules, the lazy exception left out (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for found in imports:
        if (found.source, found.target) not in EXCEPTIONS:
            graph.setdefault(found.source, set()).add(found.target)
            graph.setdefault(found.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(node: str) -> None:  # recursion depth <= number of modules (~150)
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(group, graph) for group in groups]


def _cycle_in(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest cycle through the group's first module, within the group (breadth first)."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & members):
                if nxt == start:
                    return paths[node] + [start]
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle in the group {group}")  # a strongly connected group has one


# -- the live tree ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return collect_imports(PACKAGE)


def test_no_import_cycle(imports):
    cycles = import_cycles(imports)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_import_up_the_layers_or_across_one(imports):
    problems = layer_violations(imports)
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_every_package_is_placed():
    missing = unplaced(list(source_files(PACKAGE)))
    assert not missing, f"place these in LAYERS (tests/test_layers.py): {missing}"


def test_every_package_says_its_role_in_its_docstring():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring, f"{init.relative_to(PACKAGE.parent)} has no docstring"


def test_the_exceptions_are_lazy_imports_that_exist(imports):
    """The exception is real (else drop it from EXCEPTIONS) and inside functions."""
    used = {(found.source, found.target): found.lazy for found in imports}
    for edge in EXCEPTIONS:
        assert used.get(edge, True), f"{edge[0]} imports {edge[1]} at the top of the module"
    assert EXCEPTIONS & used.keys(), "no module uses the exception any more: remove it"


# -- the checker itself ----------------------------------------------------------------------------

def _fake(*edges: str, lazy: bool = False) -> list[Import]:
    """Imports from "a -> b" strings of module names below "autonumerics."."""
    pairs = (edge.split(" -> ") for edge in edges)
    return [Import(f"autonumerics.{a}", f"autonumerics.{b}", 1, lazy) for a, b in pairs]


def test_an_upward_import_is_caught_even_inside_a_function():
    fine = _fake("evolution.child -> ir.program", "cli.show -> evolution.pareto",
                 "limits -> errors")
    assert layer_violations(fine) == []
    for lazy in (False, True):
        problems = layer_violations(_fake("ir.program -> evolution.child", lazy=lazy))
        assert len(problems) == 1 and "ir rank 3 -> evolution rank 6: up" in problems[0]


def test_an_import_across_one_rank_is_caught():
    imports = _fake("baselines.compare -> kernels.base", "truth.targets -> fit.driver")
    problems = layer_violations(imports)
    assert len(problems) == 2 and all(problem.endswith(": across)") for problem in problems)


def test_the_exception_must_stay_lazy():
    assert layer_violations(_fake("ir.program -> export.callables", lazy=True)) == []
    assert len(layer_violations(_fake("ir.program -> export.callables"))) == 1
    assert len(layer_violations(_fake("ir.parse -> export.callables", lazy=True))) == 1


def test_a_cycle_is_reported_as_a_path_and_the_exception_breaks_none():
    imports = _fake("ir.program -> ir.parse", "ir.parse -> ir.ops", "ir.ops -> ir.program",
                    "ir.ops -> errors")
    cycle = ["ir.ops", "ir.program", "ir.parse", "ir.ops"]
    assert import_cycles(imports) == [[f"autonumerics.{name}" for name in cycle]]
    exception = _fake("ir.program -> export.callables", "export.callables -> ir.program", lazy=True)
    assert import_cycles(exception) == []
    assert import_cycles(_fake("a -> b", "c -> b")) == []


def test_a_package_missing_from_the_table_is_named():
    modules = ["autonumerics", "autonumerics.__main__", "autonumerics.errors",
               "autonumerics.ir.program", "autonumerics.newpackage.thing",
               "autonumerics.loose_module"]
    assert unplaced(modules) == ["autonumerics.loose_module", "autonumerics.newpackage.thing"]


def test_the_collector_reads_every_kind_of_import(tmp_path):
    root = tmp_path / "autonumerics"
    for folder in ("ir", "export"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text('"""A package."""\n')
    (root / "__init__.py").write_text("")
    (root / "errors.py").write_text("")
    (root / "export" / "callables.py").write_text("import autonumerics.errors\n")
    (root / "ir" / "ops.py").write_text("from . import program\nfrom ..errors import Oops\n")
    (root / "ir" / "program.py").write_text(
        "from autonumerics.ir import ops\nfrom autonumerics.export import nothing_here\n"
        "def to_jax():\n    from autonumerics.export.callables import jax_callable\n")
    found = {(f.source, f.target, f.lazy) for f in collect_imports(root)}
    assert found == {
        ("autonumerics.export.callables", "autonumerics.errors", False),
        ("autonumerics.ir.ops", "autonumerics.ir.program", False),
        ("autonumerics.ir.ops", "autonumerics.errors", False),
        ("autonumerics.ir.program", "autonumerics.ir.ops", False),
        ("autonumerics.ir.program", "autonumerics.export", False),
        ("autonumerics.ir.program", "autonumerics.export.callables", True),
    }
