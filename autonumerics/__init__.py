"""autonumerics: discovers cheap, certified approximations of transcendental functions by evolution.

The public API (``docs/api.md``)::

    import autonumerics

    result = autonumerics.search("exp2", (0, 1), dtype="float32", loss="ulp", time_budget="2m")
    best = result.best(max_ops=12)            # a front member: .program_file, .n_ops, .error
    exp2 = best.to_jax()                      # jitted float32, bit for bit its JAX export
    autonumerics.verify(best, exhaustive=True)

Every name below is imported on first use, so ``import autonumerics`` stays light (no JAX,
no NumPy): the CLI starts fast.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AutonumericsError",
    "Program",
    "ProgramFile",
    "SearchResult",
    "__version__",
    "baselines",
    "kernel",
    "load_program",
    "measure",
    "parse_program",
    "resume",
    "search",
    "verify",
]

# public name -> the module defining it
_LAZY = {
    "AutonumericsError": "autonumerics.errors",
    "Program": "autonumerics.ir.program",
    "ProgramFile": "autonumerics.ir.programfile",
    "SearchResult": "autonumerics.api.result",
    "baselines": "autonumerics.api.tools",
    "kernel": "autonumerics.api.tools",
    "load_program": "autonumerics.api.tools",
    "measure": "autonumerics.api.tools",
    "parse_program": "autonumerics.api.tools",
    "resume": "autonumerics.api.search",
    "search": "autonumerics.api.search",
    "verify": "autonumerics.api.tools",
}

if TYPE_CHECKING:
    from autonumerics.api.result import SearchResult
    from autonumerics.api.search import resume, search
    from autonumerics.api.tools import (
        baselines,
        kernel,
        load_program,
        measure,
        parse_program,
        verify,
    )
    from autonumerics.errors import AutonumericsError
    from autonumerics.ir.program import Program
    from autonumerics.ir.programfile import ProgramFile


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'autonumerics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# One API function shares its name with a subpackage: ``autonumerics.baselines`` (baselines/).
# Importing a submodule sets it as an attribute of its package, which would replace the
# function; this package keeps the function under that name (``from autonumerics.baselines
# import compute_baselines`` and the like still import the package).
_FUNCTIONS_NAMED_LIKE_SUBMODULES = frozenset({"baselines"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_NAMED_LIKE_SUBMODULES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
