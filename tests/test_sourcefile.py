"""autonumerics.sourcefile.load_module: a file imported afresh by path, left out of sys.modules."""

from __future__ import annotations

import sys

import pytest

from autonumerics.sourcefile import load_module


def test_each_load_runs_the_file_afresh_outside_sys_modules(tmp_path):
    path = tmp_path / "counter.py"
    path.write_text("STARTED = []\nNAME = __name__\n")
    first, second = load_module(path), load_module(path, "other_name")
    assert first.NAME == "counter" and second.NAME == "other_name"
    assert first is not second and first.STARTED is not second.STARTED
    assert "counter" not in sys.modules and "other_name" not in sys.modules


def test_errors_of_the_file_reach_the_caller(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    with pytest.raises(RuntimeError, match="boom"):
        load_module(tmp_path / "broken.py")
    with pytest.raises(FileNotFoundError):
        load_module(tmp_path / "missing.py")


def test_a_file_that_is_not_python_source_is_an_import_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x = 1\n")
    with pytest.raises(ImportError, match="notes.txt"):
        load_module(tmp_path / "notes.txt")
