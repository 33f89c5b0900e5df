"""Import a Python source file by its path, as a fresh module (generated kernels, scripts)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

__all__ = ["load_module"]


def load_module(path: str | Path, name: str | None = None) -> ModuleType:
    """The module that the Python file at ``path`` defines, imported afresh under ``name`` (default:
    the file's stem) and not registered in ``sys.modules``, so that loading it again (or another
    file of the same name) runs it again.

    Raises:
        ImportError: if ``path`` does not name a Python source file.
        Exception: whatever running the module raises.
    """
    path = Path(path)
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python source file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
