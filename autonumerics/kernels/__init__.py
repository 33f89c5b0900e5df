"""Full-range float32 kernels: a range reduction and special values around evolved cores.

Public API:
    KERNELS: kernel name -> module (imported lazily; each defines ``DEFAULT_CORES`` and ``build``)
    build_kernel(name, core_paths=None) -> KernelSource
    kernel_module(name) -> the kernel's module
See ``autonumerics.kernels.base`` for ``Core``, ``KernelSource`` and the emitters.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from autonumerics.errors import AutonumericsError
from autonumerics.kernels.base import Core, KernelSource, load_core

__all__ = ["KERNELS", "Core", "KernelSource", "build_kernel", "kernel_module", "load_core"]

KERNELS: dict[str, str] = {
    "exp2": "autonumerics.kernels.exp2",
    "exp": "autonumerics.kernels.exp",
    "log2": "autonumerics.kernels.log2",
    "log": "autonumerics.kernels.log",
    "erf": "autonumerics.kernels.erf",
    "tanh": "autonumerics.kernels.tanh",
    "sigmoid": "autonumerics.kernels.sigmoid",
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
        raise AutonumericsError(f"kernel {name!r} is not built yet ({KERNELS[name]} is missing)") from None


def build_kernel(name: str, core_paths: dict[str, str] | None = None) -> KernelSource:
    """Assemble kernel ``name`` from its default cores, any of them replaced by ``core_paths``.

    Args:
        name: a key of ``KERNELS``.
        core_paths: role -> program file path (repo-relative or any path), overriding
            the module's ``DEFAULT_CORES``.

    Raises:
        AutonumericsError: for an unknown kernel or role, or a missing / invalid core file.
    """
    module = kernel_module(name)
    defaults: dict[str, str] = dict(module.DEFAULT_CORES)
    overrides = dict(core_paths or {})
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise AutonumericsError(f"kernel {name!r} has no core role {unknown[0]!r}; its roles: {', '.join(defaults)}")
    paths = {**defaults, **overrides}
    cores = {role: load_core(role, path) for role, path in paths.items()}
    return module.build(cores)
