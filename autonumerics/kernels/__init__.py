"""Full-range float32 kernels: a range reduction and special values around evolved cores.

Public API:
    KERNELS: kernel name -> module (imported lazily; each defines ``DEFAULT_CORES``, ``ROLES``
        and ``build``)
    build_kernel(name, core_paths=None) -> KernelSource
    kernel_module(name) -> the kernel's module
    main_role(name) -> the role of the kernel's main core (the first of DEFAULT_CORES)
    kernels_using(target) -> [(kernel, role)] whose default core approximates ``target``
    resolve_core_path(path) -> a program file (a run folder gives its front's most accurate program)
    front_file: re-exported from ``autonumerics.evolution.pareto`` (a pareto.json entry's
        program file, checked)
See ``autonumerics.kernels.base`` for ``Core`` and ``KernelSource``, ``assemble`` for how a
kernel's sources are written, ``opcount`` for its ops per element, ``loops`` for the cost model
of its compiled loop.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from types import ModuleType

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.pareto import front_file
from autonumerics.ir.programfile import read_json_file
from autonumerics.kernels.base import Core, KernelSource, load_core
from autonumerics.limits import shown

__all__ = ["KERNELS", "Core", "KernelSource", "build_from_module", "build_kernel", "front_file",
           "kernel_module", "kernels_using", "load_core", "main_role", "resolve_core_path"]

KERNELS: dict[str, str] = {
    "exp2": "autonumerics.kernels.exp2",
    "exp2_fast": "autonumerics.kernels.fast.exp2",
    "exp": "autonumerics.kernels.exp",
    "exp_fast": "autonumerics.kernels.fast.exp",
    "expm1": "autonumerics.kernels.expm1",
    "expm1_fast": "autonumerics.kernels.fast.expm1",
    "log2": "autonumerics.kernels.log2",
    "log2_fast": "autonumerics.kernels.fast.log2",
    "log": "autonumerics.kernels.log",
    "log_fast": "autonumerics.kernels.fast.log",
    "log1p": "autonumerics.kernels.log1p",
    "log1p_fast": "autonumerics.kernels.fast.log1p",
    "erf": "autonumerics.kernels.erf",
    "erf_fast": "autonumerics.kernels.fast.erf",
    "tanh": "autonumerics.kernels.tanh",
    "tanh_fast": "autonumerics.kernels.fast.tanh",
    "sigmoid": "autonumerics.kernels.sigmoid",
    "sigmoid_fast": "autonumerics.kernels.fast.sigmoid",
    "gelu": "autonumerics.kernels.gelu",
    "gelu_fast": "autonumerics.kernels.fast.gelu",
    "silu": "autonumerics.kernels.silu",
    "silu_fast": "autonumerics.kernels.fast.silu",
    "gelu_tanh": "autonumerics.kernels.gelu_tanh",
    "gelu_tanh_fast": "autonumerics.kernels.fast.gelu_tanh",
    "softplus": "autonumerics.kernels.softplus",
    "softplus_fast": "autonumerics.kernels.fast.softplus",
    "log_sigmoid": "autonumerics.kernels.log_sigmoid",
    "log_sigmoid_fast": "autonumerics.kernels.fast.log_sigmoid",
}


def kernel_module(name: str) -> ModuleType:
    """The module of kernel ``name``.

    Raises:
        AutonumericsError: for an unknown kernel, or one not built yet.
    """
    if name not in KERNELS:
        raise AutonumericsError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}")
    try:
        return importlib.import_module(KERNELS[name])
    except ModuleNotFoundError as error:
        if error.name != KERNELS[name]:
            raise
        raise AutonumericsError(f"kernel {name!r} is not built yet ({KERNELS[name]} is "
                                "missing)") from None


def build_kernel(name: str, core_paths: dict[str, str] | None = None) -> KernelSource:
    """Assemble kernel ``name`` from its default cores, any of them replaced by ``core_paths``.

    Args:
        name: a key of ``KERNELS``.
        core_paths: role -> program file path (repo-relative or any path), overriding
            the module's ``DEFAULT_CORES``.

    Raises:
        AutonumericsError: for an unknown kernel or role, a missing / invalid core file, or a core
            that does not fit its role (``module.ROLES``: target, dtype, semantics, an interval
            covering the reduced interval), naming what does not match.
    """
    return build_from_module(kernel_module(name), name, core_paths)


def build_from_module(module: ModuleType, name: str,
                      core_paths: dict[str, str] | None = None) -> KernelSource:
    """Assemble kernel ``name`` from a kernel module (registered in ``KERNELS`` or not: a kernel
    under development is built this way before it is registered); see ``build_kernel``."""
    defaults: dict[str, str] = dict(module.DEFAULT_CORES)
    overrides = dict(core_paths or {})
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise AutonumericsError(f"kernel {name!r} has no core role {unknown[0]!r}; its roles: "
                                f"{', '.join(defaults)}")
    paths = {**defaults, **overrides}
    cores = {role: module.ROLES[role].check(load_core(role, path), name)
             for role, path in paths.items()}
    return module.build(cores)


def main_role(name: str) -> str:
    """The role of kernel ``name``'s main core: the first key of its ``DEFAULT_CORES``."""
    return next(iter(kernel_module(name).DEFAULT_CORES))


def kernels_using(target: str) -> list[tuple[str, str]]:
    """The (kernel, role) pairs whose default core approximates ``target`` (e.g. "expm1(x) - x":
    the expm1 core of sigmoid and expm1), in ``KERNELS`` order."""
    wanted = target.replace(" ", "")
    pairs = []
    for name in KERNELS:
        for role, path in kernel_module(name).DEFAULT_CORES.items():
            core_target = load_core(role, path).program_file.target or ""
            if core_target.replace(" ", "") == wanted:
                pairs.append((name, role))
    return pairs


def core_roles(target: str) -> list[tuple[str, str]]:
    """The (kernel, role) pairs that a program approximating ``target`` can be the core of: the
    main core of the kernel of that name, else ``kernels_using(target)``."""
    return [(target, main_role(target))] if target in KERNELS else kernels_using(target)


def resolve_core_path(path: str | Path) -> str:
    """A program file for a core: ``path`` itself, or for a run folder the most accurate program of
    its Pareto front (lowest final error, then fewest ops), from its ``pareto.json``.

    Raises:
        AutonumericsError: if the path does not exist, the run folder has no front, or the chosen
            entry's ``file`` is not a program file inside the run folder (``front_file``).
    """
    path = Path(path)
    if path.is_file():
        return str(path)
    if not path.is_dir():
        raise AutonumericsError(f"{shown(str(path))} is neither a program file nor a run folder")
    try:
        front = read_json_file(path / "pareto.json")["front"]
        entries = [(error, _count(entry.get("n_ops")), index) for index, entry in enumerate(front)
                   if isinstance(entry, dict) and (error := _final_error(entry)) is not None]
    except (AutonumericsError, KeyError, TypeError):
        raise AutonumericsError(f"run folder {path} has no readable pareto.json (is the search "
                                "finished?)") from None
    if not entries:
        raise AutonumericsError(f"run folder {path}: its front is empty")
    index = min(entries)[2]
    where = f"{path / 'pareto.json'}: front[{index}]"
    return str(front_file(path, front[index].get("file"), where))


def _final_error(entry: dict) -> float | None:
    """The entry's final error as a number (JSON numbers, or strings such as "inf"), None if it
    has none."""
    value = entry.get("final_error")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or len(str(value)) > 40:
        return None
    try:
        error = float(value)
    except (ValueError, OverflowError):
        return None
    return None if math.isnan(error) else error


def _count(value: object) -> int:
    """An entry's op count if it is an integer, else 0 (it only breaks ties between equal
    errors)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
